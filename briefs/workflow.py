"""The review workflow (三审 and 签发): an explicit transition table and ONE function performing it.

States: 草稿 draft → 送审 in_review (one review stage after the other) → 已签发 signed → 已印发 released.

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

Nothing else moves an issue's status. Superusers get no implicit review stage: a stage is held by
its group's members or by its named person, so an administrator cannot approve by accident.

Numbers (第N期 / 总第M期) are assigned at sign-off under a lock on the series row. A revoked
sign-off clears them only when they are the series' latest (so no gap appears); otherwise the issue
keeps them reserved and gets the same numbers when it is signed again. See docs/workflow.md.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiku import roles

from .exceptions import IssueLocked, TransitionNotAllowed
from .extensions import transition_guard_errors
from .models import Article, Issue, IssueEvent, Notification, ReviewStage, Series
from .signals import issue_transitioned

S = Issue.Status
logger = logging.getLogger(__name__)

SUBMIT = "submit"
WITHDRAW = "withdraw"
APPROVE = "approve"
SIGN_OFF = "sign_off"
REQUEST_CHANGES = "request_changes"
REVOKE_SIGN_OFF = "revoke_sign_off"
RELEASE = "release"

# action → (from status, to status). The one table the workflow obeys.
TRANSITIONS: dict[str, tuple[str, str]] = {
    SUBMIT: (S.DRAFT, S.IN_REVIEW),
    WITHDRAW: (S.IN_REVIEW, S.DRAFT),
    APPROVE: (S.IN_REVIEW, S.IN_REVIEW),
    SIGN_OFF: (S.IN_REVIEW, S.SIGNED),
    REQUEST_CHANGES: (S.IN_REVIEW, S.DRAFT),
    REVOKE_SIGN_OFF: (S.SIGNED, S.DRAFT),
    RELEASE: (S.SIGNED, S.RELEASED),
}
ACTIONS = tuple(TRANSITIONS)
ACTION_LABELS = dict(IssueEvent.Action.choices)
COMMENT_REQUIRED = {REQUEST_CHANGES, REVOKE_SIGN_OFF}

DEFAULT_CHAIN = (
    ("初审", roles.CHIEF_EDITOR),
    ("复审", roles.REVIEWER),
    ("终审/签发", roles.SIGNER),
)


# --- locking ------------------------------------------------------------------------------------

_unlocked = contextvars.ContextVar("briefs_unlocked", default=False)


@contextmanager
def unlocked():
    """Let the workflow itself (and entry of historical issues) write to a locked issue."""
    token = _unlocked.set(True)
    try:
        yield
    finally:
        _unlocked.reset(token)


def issue_is_editable(issue: Issue) -> bool:
    """Content (issue fields, articles) may change only in 草稿."""
    return issue.status == S.DRAFT


def assert_issue_editable(issue: Issue) -> None:
    if not issue_is_editable(issue):
        raise IssueLocked(
            _("This issue is %(status)s and read-only; only drafts can be edited.")
            % {"status": issue.get_status_display()}
        )


# Fields of an issue frozen outside 草稿. The workflow's own fields, the archived PDF (rendering)
# and the print run (circulation sets it up to 印发) are not content.
FROZEN_ISSUE_FIELDS = (
    "series_id",
    "classification",
    "responsible_editor_id",
    "year",
    "number",
    "total_number",
    "issue_date",
)


@receiver(pre_save, sender=Issue, dispatch_uid="briefs_issue_lock")
def _refuse_locked_issue_save(sender, instance: Issue, raw=False, **kwargs):
    if raw or _unlocked.get() or instance.pk is None:
        return
    stored = Issue.objects.filter(pk=instance.pk).values("status", *FROZEN_ISSUE_FIELDS).first()
    if stored is None or stored["status"] == S.DRAFT:
        return
    if (
        any(stored[name] != getattr(instance, name) for name in FROZEN_ISSUE_FIELDS)
        or stored["status"] != instance.status
    ):
        raise IssueLocked(_("This issue is no longer a draft; its content is read-only."))


@receiver(pre_save, sender=Article, dispatch_uid="briefs_article_lock")
@receiver(pre_delete, sender=Article, dispatch_uid="briefs_article_lock_delete")
def _refuse_locked_article_write(sender, instance: Article, raw=False, **kwargs):
    # The services and the admin refuse these too; the model guard covers every other path that
    # adds, changes or deletes an article of a locked issue (bulk actions, imports, shell).
    if raw or _unlocked.get():
        return
    status = Issue.objects.filter(pk=instance.issue_id).values_list("status", flat=True).first()
    if status is not None and status != S.DRAFT:
        raise IssueLocked(_("This issue is no longer a draft; its articles are read-only."))


@receiver(pre_delete, sender=Issue, dispatch_uid="briefs_issue_lock_delete")
def _refuse_locked_issue_delete(sender, instance: Issue, **kwargs):
    if _unlocked.get():
        return
    if instance.status != S.DRAFT or instance.total_number is not None:
        raise IssueLocked(_("Only unnumbered drafts can be deleted."))


# --- review chains ------------------------------------------------------------------------------


def review_chain_ensure(*, series: Series) -> list[ReviewStage]:
    """The series' chain, creating the default 初审 → 复审 → 终审/签发 when it has none."""
    from django.contrib.auth.models import Group

    stages = list(series.review_stages.select_related("group", "user").order_by("position"))
    if stages:
        return stages
    for position, (name, role_key) in enumerate(DEFAULT_CHAIN, start=1):
        group, _created = Group.objects.get_or_create(name=roles.role_group_name(role_key))
        ReviewStage.objects.create(series=series, position=position, name=name, group=group)
    return list(series.review_stages.select_related("group", "user").order_by("position"))


def stage_holders(stage: ReviewStage):
    """Active users who hold ``stage``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if stage.user_id:
        return users.filter(pk=stage.user_id)
    return users.filter(groups=stage.group_id).distinct()


def user_holds_stage(user, stage: ReviewStage | None) -> bool:
    if stage is None or not user or not user.is_authenticated or not user.is_active:
        return False
    if stage.user_id:
        return stage.user_id == user.pk
    return roles.user_in_group(user, stage.group_id)


def _is_final(stage: ReviewStage) -> bool:
    return not ReviewStage.objects.filter(series_id=stage.series_id, position__gt=stage.position).exists()


def _next_stage(stage: ReviewStage) -> ReviewStage | None:
    return (
        ReviewStage.objects.filter(series_id=stage.series_id, position__gt=stage.position).order_by("position").first()
    )


# --- permission -------------------------------------------------------------------------------


def _refusal(issue: Issue, action: str, user) -> str | None:
    """Why ``user`` may not perform ``action`` on ``issue`` now; None when allowed."""
    if action not in TRANSITIONS:
        return _("Unknown action.")
    if not user or not user.is_authenticated or not user.is_active:
        return _("Please log in.")
    from_status, _to = TRANSITIONS[action]
    if issue.status != from_status:
        return _("This action is not possible while the issue is %(status)s.") % {"status": issue.get_status_display()}
    stage = issue.current_stage
    if action == SUBMIT:
        if not user.has_perm("briefs.submit_issue"):
            return _("You may not submit issues for review.")
        if not issue.articles.exists():
            return _("An issue without articles cannot be submitted.")
        return None
    if action == WITHDRAW:
        if issue.submitted_by_id != user.pk:
            return _("Only the person who submitted the issue can withdraw it.")
        first = issue.series.review_stages.order_by("position").first()
        if stage is None or first is None or stage.pk != first.pk:
            return _("The issue can no longer be withdrawn: a reviewer has already acted on it.")
        return None
    if action in (APPROVE, SIGN_OFF, REQUEST_CHANGES):
        if not user_holds_stage(user, stage):
            return _("This stage (%(stage)s) is not yours to act on.") % {"stage": stage.name if stage else "—"}
        final = _is_final(stage)
        if action == APPROVE and final:
            return _("This is the final stage: sign off instead.")
        if action == SIGN_OFF and not final:
            return _("Only the final stage can sign off.")
        if action in (APPROVE, SIGN_OFF) and not issue.series.allow_self_review:
            if user.pk in (issue.created_by_id, issue.submitted_by_id):
                return _("You drafted or submitted this issue, so you may not approve it.")
        return None
    if action == REVOKE_SIGN_OFF:
        if issue.signed_by_id != user.pk and not user.has_perm("briefs.revoke_any_sign_off"):
            return _("Only the signer or an administrator can revoke the sign-off.")
        return None
    if action == RELEASE:
        if not user.has_perm("briefs.release_issue"):
            return _("You may not release issues.")
        return None
    return _("Unknown action.")


def can_perform(issue: Issue, action: str, user) -> bool:
    return _refusal(issue, action, user) is None


def allowed_actions(issue: Issue, user) -> list[str]:
    """Actions ``user`` may take on ``issue`` now, in table order (guards are not consulted)."""
    return [action for action in ACTIONS if _refusal(issue, action, user) is None]


# --- numbers ----------------------------------------------------------------------------------


def _next_numbers(series_id: int, year: int) -> tuple[int, int]:
    numbered = Issue.objects.filter(series_id=series_id)
    number = (numbered.filter(year=year).aggregate(m=Max("number"))["m"] or 0) + 1
    total = (numbered.aggregate(m=Max("total_number"))["m"] or 0) + 1
    return number, total


@dataclass(frozen=True)
class NumberPreview:
    year: int
    number: int
    total_number: int
    reserved: bool  # True when the issue already holds these numbers


def issue_number_preview(issue: Issue, on: date | None = None) -> NumberPreview:
    """The numbers ``issue`` would get if it were signed on ``on`` (today by default)."""
    if issue.total_number is not None:
        return NumberPreview(issue.year, issue.number, issue.total_number, True)
    on = on or timezone.localdate()
    number, total = _next_numbers(issue.series_id, on.year)
    return NumberPreview(on.year, number, total, False)


def _assign_numbers(issue: Issue, on: date) -> None:
    # The series row lock serialises sign-offs of one series on PostgreSQL; SQLite's IMMEDIATE
    # transactions already allow one writer at a time. Reading the maxima after taking the lock
    # (READ COMMITTED: a fresh snapshot per statement) sees every earlier sign-off.
    Series.objects.select_for_update().filter(pk=issue.series_id).first()
    if issue.total_number is None:
        issue.year = on.year
        issue.number, issue.total_number = _next_numbers(issue.series_id, on.year)
    if issue.issue_date is None:
        issue.issue_date = on


def _release_numbers_if_latest(issue: Issue) -> bool:
    """Clear a voided sign-off's numbers when no later issue holds higher ones (no gap appears)."""
    Series.objects.select_for_update().filter(pk=issue.series_id).first()
    others = Issue.objects.filter(series_id=issue.series_id).exclude(pk=issue.pk)
    later_total = others.filter(total_number__gt=issue.total_number).exists()
    later_number = others.filter(year=issue.year, number__gt=issue.number).exists()
    if later_total or later_number:
        return False
    issue.year = issue.number = issue.total_number = None
    return True


# --- the transition ---------------------------------------------------------------------------


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
    comment = (comment or "").strip()
    if action in COMMENT_REQUIRED and not comment:
        raise TransitionNotAllowed(_("Please give a reason."))
    with transaction.atomic():
        # The row lock makes concurrent actions on one issue queue; the loser then sees the
        # winner's state and is refused below.
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
        reason = _refusal(locked, action, user)
        if reason:
            raise TransitionNotAllowed(reason)
        errors = transition_guard_errors(action, issue=locked, user=user)
        if errors:
            raise TransitionNotAllowed(errors)

        from_status = locked.status
        to_status = TRANSITIONS[action][1]
        stage = locked.current_stage
        now = timezone.now()
        chain = review_chain_ensure(series=locked.series)
        if action == SUBMIT:
            stage = chain[0]
            locked.current_stage = chain[0]
            locked.submitted_by = user
            locked.submitted_at = now
        elif action == APPROVE:
            locked.current_stage = _next_stage(stage)
        elif action == SIGN_OFF:
            _assign_numbers(locked, on or timezone.localdate())
            locked.current_stage = None
            locked.signed_by = user
            locked.signed_at = now
        elif action in (WITHDRAW, REQUEST_CHANGES):
            locked.current_stage = None
        elif action == REVOKE_SIGN_OFF:
            _release_numbers_if_latest(locked)
            locked.signed_by = None
            locked.signed_at = None
        locked.status = to_status
        locked.version += 1
        locked.full_clean()
        with unlocked():
            locked.save()
        event = IssueEvent.objects.create(
            issue=locked,
            action=action,
            from_status=from_status,
            to_status=to_status,
            stage=stage,
            stage_name=stage.name if stage else "",
            actor=user,
            comment=comment,
        )
        issue_transitioned.send(
            sender=Issue,
            issue=locked,
            action=action,
            from_status=from_status,
            to_status=to_status,
            user=user,
            comment=comment,
        )
        recipients = _recipients(locked, action)
        if recipients:
            transaction.on_commit(lambda: _notify(event.pk, [u.pk for u in recipients]))
    # The caller's object reflects the new state too.
    for field in Issue._meta.concrete_fields:
        setattr(issue, field.attname, getattr(locked, field.attname))
    return issue


def issue_submit(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=SUBMIT, user=user, comment=comment)


def issue_approve(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=APPROVE, user=user, comment=comment)


def issue_sign_off(*, issue: Issue, user, comment: str = "") -> Issue:
    return issue_transition(issue=issue, action=SIGN_OFF, user=user, comment=comment)


# --- notifications ----------------------------------------------------------------------------


def _recipients(issue: Issue, action: str) -> list:
    """Who hears about ``action``: the next stage on submit/approve; the submitter and everyone
    who approved since the last submission on 退回修改 and on 签发."""
    from django.contrib.auth import get_user_model

    if action in (SUBMIT, APPROVE) and issue.current_stage_id:
        return list(stage_holders(issue.current_stage).exclude(email=""))
    if action in (REQUEST_CHANGES, SIGN_OFF):
        last_submit = issue.events.filter(action=SUBMIT).order_by("-created_at", "-id").first()
        approvers = issue.events.filter(action=APPROVE)
        if last_submit:
            approvers = approvers.filter(id__gt=last_submit.pk)
        ids = set(approvers.values_list("actor_id", flat=True))
        if issue.submitted_by_id:
            ids.add(issue.submitted_by_id)
        return list(get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email=""))
    return []


def _notify(event_id: int, user_ids: list[int]) -> None:
    from django.contrib.auth import get_user_model

    event = IssueEvent.objects.select_related("issue__series", "actor").get(pk=event_id)
    issue = event.issue
    subject = _("[%(series)s] %(issue)s: %(action)s by %(actor)s") % {
        "series": issue.series.name,
        "issue": issue,
        "action": ACTION_LABELS[event.action],
        "actor": event.actor.get_full_name() or event.actor.get_username(),
    }
    body = _("Status: %(status)s\nComment: %(comment)s\n") % {
        "status": issue.get_status_display(),
        "comment": event.comment or "—",
    }
    for user in get_user_model().objects.filter(pk__in=user_ids):
        # The transition is committed already; a mail server failure must not turn it into an
        # error page, and only mail that actually left is logged as sent.
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # noqa: BLE001
            logger.exception("workflow notification to %s failed", user.email)
            continue
        Notification.objects.create(recipient=user, email=user.email, issue=issue, event=event, subject=subject[:200])
