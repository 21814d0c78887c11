"""One policy per workflow action: where it goes from and to, who may take it (``check``), and
what it writes besides the status (``execute``).

=================  ===========  ===========  ====================================================
action             from         to           who
=================  ===========  ===========  ====================================================
submit             draft        in_review    holder of ``briefs.submit_issue`` (编辑, 责任编辑, 管理员)
withdraw           in_review    draft        the submitter, while the first stage has not acted
approve            in_review    in_review    the holder of the current, non-final stage
sign_off           in_review    signed       the holder of the final stage; assigns the numbers
request_changes    in_review    draft        the holder of the current stage; a reason is required
revoke_sign_off    signed       draft        the signer, or ``briefs.revoke_any_sign_off``; reason
release            signed       released     holder of ``briefs.release_issue`` (发行, 管理员)
=================  ===========  ===========  ====================================================

Superusers get no implicit review stage: a stage is held by its group's members or by its named
person, so an administrator cannot approve by accident. The engine (``transition.py``) checks
the login and the from-status before asking a policy, and performs every transition.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from ..models import Issue, ReviewStage
from ..states import Action
from ..states import IssueStatus as S
from . import chains, numbering


@dataclass(frozen=True)
class Step:
    """What an executing action needs besides the issue and the user."""

    now: datetime
    on: date
    chain: list[ReviewStage]


@dataclass(frozen=True)
class ActionPolicy:
    action: Action
    from_status: S
    to_status: S
    comment_required: bool = False

    def check(self, issue: Issue, user) -> str | None:
        """Why ``user`` may not take this action on ``issue`` now; None when allowed."""
        return None

    def execute(self, issue: Issue, user, step: Step) -> ReviewStage | None:
        """Write the workflow fields this action changes (not status or version); return the
        stage the event records (by default the stage the issue was at)."""
        return issue.current_stage


class Submit(ActionPolicy):
    def check(self, issue, user):
        if not user.has_perm("briefs.submit_issue"):
            return _("You may not submit issues for review.")
        if not issue.articles.exists():
            return _("An issue without articles cannot be submitted.")
        return None

    def execute(self, issue, user, step):
        issue.current_stage = step.chain[0]
        issue.submitted_by = user
        issue.submitted_at = step.now
        return issue.current_stage


class Withdraw(ActionPolicy):
    def check(self, issue, user):
        if issue.submitted_by_id != user.pk:
            return _("Only the person who submitted the issue can withdraw it.")
        first = chains.first_stage(issue.series_id)
        if issue.current_stage_id is None or first is None or issue.current_stage_id != first.pk:
            return _("The issue can no longer be withdrawn: a reviewer has already acted on it.")
        return None

    def execute(self, issue, user, step):
        stage, issue.current_stage = issue.current_stage, None
        return stage


class StageAction(ActionPolicy):
    """Taken by whoever holds the issue's current stage."""

    def check(self, issue, user):
        stage = issue.current_stage
        if not chains.user_holds_stage(user, stage):
            return _("This stage (%(stage)s) is not yours to act on.") % {"stage": stage.name if stage else "—"}
        return self.check_stage(issue, user, chains.is_final(stage))

    def check_stage(self, issue, user, final: bool) -> str | None:
        return None


def _self_review(issue: Issue, user) -> str | None:
    if not issue.series.allow_self_review and user.pk in (issue.created_by_id, issue.submitted_by_id):
        return _("You drafted or submitted this issue, so you may not approve it.")
    return None


class Approve(StageAction):
    def check_stage(self, issue, user, final):
        if final:
            return _("This is the final stage: sign off instead.")
        return _self_review(issue, user)

    def execute(self, issue, user, step):
        stage, issue.current_stage = issue.current_stage, chains.next_stage(issue.current_stage)
        return stage


class SignOff(StageAction):
    def check_stage(self, issue, user, final):
        if not final:
            return _("Only the final stage can sign off.")
        return _self_review(issue, user)

    def execute(self, issue, user, step):
        numbering.assign_numbers(issue, step.on)
        stage, issue.current_stage = issue.current_stage, None
        issue.signed_by = user
        issue.signed_at = step.now
        return stage


class RequestChanges(StageAction):
    def execute(self, issue, user, step):
        stage, issue.current_stage = issue.current_stage, None
        return stage


class RevokeSignOff(ActionPolicy):
    def check(self, issue, user):
        if issue.signed_by_id != user.pk and not user.has_perm("briefs.revoke_any_sign_off"):
            return _("Only the signer or an administrator can revoke the sign-off.")
        return None

    def execute(self, issue, user, step):
        numbering.release_numbers_if_latest(issue)
        issue.signed_by = None
        issue.signed_at = None
        return issue.current_stage


class Release(ActionPolicy):
    def check(self, issue, user):
        if not user.has_perm("briefs.release_issue"):
            return _("You may not release issues.")
        return None


# The one table the workflow obeys, in the order buttons are shown.
POLICIES: dict[Action, ActionPolicy] = {
    policy.action: policy
    for policy in (
        Submit(Action.SUBMIT, S.DRAFT, S.IN_REVIEW),
        Withdraw(Action.WITHDRAW, S.IN_REVIEW, S.DRAFT),
        Approve(Action.APPROVE, S.IN_REVIEW, S.IN_REVIEW),
        SignOff(Action.SIGN_OFF, S.IN_REVIEW, S.SIGNED),
        RequestChanges(Action.REQUEST_CHANGES, S.IN_REVIEW, S.DRAFT, comment_required=True),
        RevokeSignOff(Action.REVOKE_SIGN_OFF, S.SIGNED, S.DRAFT, comment_required=True),
        Release(Action.RELEASE, S.SIGNED, S.RELEASED),
    )
}
