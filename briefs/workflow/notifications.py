"""Workflow emails: who hears about a transition, what the mail says, and the log of sent mail.

One mail per recipient, handed to the jobs layer (``jobs.mail.mail_enqueue``) in the transition's
own transaction: recorded as an OutgoingMail with the transition (or not at all, if it rolls back),
sent by a job after the commit, retried when the mail server fails, and sent once (the key is
the event and the recipient). Only mail that actually left is logged as a Notification: the
``on_sent`` hook writes it in the transaction that marks the mail sent.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.mail import mail_enqueue

from ..models import Issue, IssueEvent, Notification
from ..states import Action
from . import chains


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
    """Queue the mail about ``event`` for each of ``user_ids`` (sent after the commit)."""
    event = IssueEvent.objects.select_related("issue__series", "actor").get(pk=event_id)
    subject, body = message(event)
    for user in get_user_model().objects.filter(pk__in=user_ids):
        mail_enqueue(
            to=user.email,
            subject=subject,
            body=body,
            key=notification_mail_key(event_id, user.pk),
            on_sent="briefs.workflow.notifications.notification_record",
            on_sent_params={"event_id": event_id, "user_id": user.pk, "email": user.email, "subject": subject[:200]},
        )


def notification_mail_key(event_id: int, user_id: int) -> str:
    return "workflow-notify:%s:%s" % (event_id, user_id)


def notification_record(*, event_id: int, user_id: int, email: str, subject: str) -> None:
    """The ``on_sent`` hook: log the mail that has left (called once, when it is marked sent)."""
    event = IssueEvent.objects.only("id", "issue_id").get(pk=event_id)
    Notification.objects.create(recipient_id=user_id, email=email, issue_id=event.issue_id, event=event, subject=subject)


def _actor_name(user) -> str:
    return user.get_full_name() or user.get_username()
