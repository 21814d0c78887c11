"""The one function that moves an issue: ``issue_transition``.

Its spine: a row lock on the issue, an optimistic check on the state the user saw, the action's
policy (``actions.POLICIES``), the guards other apps registered (``briefs.extensions``), the
action's execute step, one save of the workflow fields, the event row and the
``issue_transitioned`` signal inside the transaction, and the emails on commit.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import TransitionNotAllowed
from ..extensions import transition_guard_errors
from ..models import Issue, IssueEvent, copy_state
from ..signals import issue_transitioned
from ..states import Action
from . import chains, notifications
from .actions import POLICIES, Step


def refusal(issue: Issue, action: str, user) -> str | None:
    """Why ``user`` may not perform ``action`` on ``issue`` now; None when allowed."""
    policy = POLICIES.get(action)
    if policy is None:
        return _("Unknown action.")
    if not user or not user.is_authenticated or not user.is_active:
        return _("Please log in.")
    if issue.status != policy.from_status:
        return _("This action is not possible while the issue is %(status)s.") % {"status": issue.get_status_display()}
    return policy.check(issue, user)


def can_perform(issue: Issue, action: str, user) -> bool:
    return refusal(issue, action, user) is None


def allowed_actions(issue: Issue, user) -> list[Action]:
    """Actions ``user`` may take on ``issue`` now, in table order (guards are not consulted)."""
    return [action for action in POLICIES if refusal(issue, action, user) is None]


def _lock(issue: Issue, expected_status: str | None, expected_stage_id: int | None) -> Issue:
    # The row lock makes concurrent actions on one issue queue; the loser then sees the
    # winner's state and is refused.
    locked = Issue.objects.select_for_update().filter(pk=issue.pk).first()
    if locked is None:
        raise TransitionNotAllowed(_("The issue no longer exists."))
    if (expected_status is not None and locked.status != expected_status) or (
        expected_stage_id is not None and locked.current_stage_id != expected_stage_id
    ):
        raise TransitionNotAllowed(
            _("Somebody else has acted on this issue meanwhile; it is now %(status)s. Please reload the page.")
            % {"status": locked.get_status_display()}
        )
    return locked


def issue_transition(
    *,
    issue: Issue,
    action: str,
    user,
    comment: str = "",
    expected_stage_id: int | None = None,
    expected_status: str | None = None,
    on: date | None = None,
) -> Issue:
    """Perform ``action`` on ``issue`` as ``user`` or raise TransitionNotAllowed (Chinese message).

    ``expected_status`` / ``expected_stage_id`` are what the user saw when pressing the button;
    when the issue has moved on meanwhile (another reviewer was faster), the action is refused.
    """
    policy = POLICIES.get(action)
    comment = (comment or "").strip()
    if policy is not None and policy.comment_required and not comment:
        raise TransitionNotAllowed(_("Please give a reason."))
    with transaction.atomic():
        locked = _lock(issue, expected_status, expected_stage_id)
        reason = refusal(locked, action, user)
        if reason:
            raise TransitionNotAllowed(reason)
        errors = transition_guard_errors(policy.action, issue=locked, user=user)
        if errors:
            raise TransitionNotAllowed(errors)
        event = _execute(locked, policy, user, comment, on)
        recipients = notifications.recipients(locked, policy.action)
        if recipients:
            # Recorded with the transition; the jobs layer sends them once it has committed.
            notifications.notify(event.pk, [u.pk for u in recipients])
    # The caller's object reflects the new state too.
    copy_state(issue, locked)
    return issue


def _execute(locked: Issue, policy, user, comment: str, on: date | None) -> IssueEvent:
    from_status = locked.status
    step = Step(now=timezone.now(), on=on or timezone.localdate(), chain=chains.review_chain_ensure(series=locked.series))
    stage = policy.execute(locked, user, step)
    locked.status = policy.to_status
    locked.version += 1
    locked.full_clean()
    locked._history_user = user
    locked.save(transition=True)
    event = IssueEvent.objects.create(
        issue=locked,
        action=policy.action,
        from_status=from_status,
        to_status=policy.to_status,
        stage=stage,
        stage_name=stage.name if stage else "",
        actor=user,
        comment=comment,
    )
    issue_transitioned.send(
        sender=Issue,
        issue=locked,
        action=policy.action,
        from_status=from_status,
        to_status=policy.to_status,
        user=user,
        comment=comment,
    )
    return event


def issue_submit(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=Action.SUBMIT, user=user, comment=comment)


def issue_approve(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=Action.APPROVE, user=user, comment=comment)


def issue_sign_off(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=Action.SIGN_OFF, user=user, comment=comment)
