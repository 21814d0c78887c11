"""Workflow emails: who hears about a transition, what the mail says, and the log of sent mail.

Sent after the transition has committed (``transaction.on_commit``), one mail per recipient;
only mail that actually left is logged as a Notification.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Issue, IssueEvent, Notification
from ..states import Action
from . import chains

logger = logging.getLogger(__name__)


def recipients(issue: Issue, action: Action) -> list:
    """Who hears about ``action``: the next stage on submit/approve; the submitter and everyone
    who approved since the last submission on 退回修改 and on 签发."""
    if action in (Action.SUBMIT, Action.APPROVE) and issue.current_stage_id:
        return list(chains.stage_holders(issue.current_stage).exclude(email=""))
    if action in (Action.REQUEST_CHANGES, Action.SIGN_OFF):
        last_submit = issue.events.filter(action=Action.SUBMIT).order_by("-created_at", "-id").first()
        approvers = issue.events.filter(action=Action.APPROVE)
        if last_submit:
            approvers = approvers.filter(id__gt=last_submit.pk)
        ids = set(approvers.values_list("actor_id", flat=True))
        if issue.submitted_by_id:
            ids.add(issue.submitted_by_id)
        return list(get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email=""))
    return []


def issue_desk_url(issue: Issue) -> str:
    """The absolute address of the issue's desk page, for people reading the mail elsewhere."""
    return settings.SITE_URL + reverse("briefs:issue_desk", args=[issue.pk])


def message(event: IssueEvent) -> tuple[str, str]:
    """Subject and body: the issue and the action; the articles, the comment and the link."""
    issue = event.issue
    action = Action(event.action).label
    subject = _("%(issue)s: %(action)s") % {"issue": issue, "action": action}
    titles = [f"{n}. {title}" for n, title in enumerate(issue.articles.values_list("title", flat=True), start=1)]
    lines = [
        str(issue),
        _("Action: %(action)s, by %(actor)s") % {"action": action, "actor": _actor_name(event.actor)},
        _("Status: %(status)s") % {"status": issue.get_status_display()},
        _("Comment: %(comment)s") % {"comment": event.comment or "—"},
        "",
        _("Articles:"),
        *(titles or ["—"]),
        "",
        _("Open the issue: %(url)s") % {"url": issue_desk_url(issue)},
    ]
    return subject, "\n".join(lines) + "\n"


def notify(event_id: int, user_ids: list[int]) -> None:
    event = IssueEvent.objects.select_related("issue__series", "actor").get(pk=event_id)
    subject, body = message(event)
    for user in get_user_model().objects.filter(pk__in=user_ids):
        # The transition is committed already; a mail server failure must not turn it into an
        # error page, and only mail that actually left is logged as sent.
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # noqa: BLE001
            logger.exception("workflow notification to %s failed", user.email)
            continue
        Notification.objects.create(
            recipient=user, email=user.email, issue=event.issue, event=event, subject=subject[:200]
        )


def _actor_name(user) -> str:
    return user.get_full_name() or user.get_username()
