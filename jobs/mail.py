"""E-mail through the jobs layer: retried on failure, sent once, every mail recorded.

``mail_enqueue`` is what a caller (e.g. the workflow's notifications) uses instead of
``send_mail``: it records the mail and queues a job that sends it after the caller's commit.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutgoingMail
from .runner import job_enqueue


def mail_enqueue(
    *, to: str, subject: str, body: str, key: str, user=None, on_sent: str = "", on_sent_params: dict | None = None
) -> OutgoingMail:
    """Queue one mail. The same ``key`` twice gives the one mail already queued or sent.

    ``on_sent`` is the dotted path of a function called with ``on_sent_params`` in the same
    transaction that marks the mail sent (e.g. to write the caller's own record of it), once.
    """
    mail, _created = OutgoingMail.objects.get_or_create(
        key=key, defaults={"to": to, "subject": subject[:200], "body": body}
    )
    if mail.status != OutgoingMail.Status.SENT:
        params = {"mail_id": mail.pk, "on_sent": on_sent, "on_sent_params": on_sent_params or {}}
        job_enqueue("jobs.mail.mail_deliver", params=params, key="mail:%s" % key, label=mail.subject, user=user)
    return mail


def mail_deliver(*, mail_id: int, on_sent: str = "", on_sent_params: dict | None = None) -> dict:
    """The job: send the mail unless it has been sent already; raise on failure (the runner retries)."""
    error = None
    with transaction.atomic():
        # The row lock keeps two deliveries of the same mail (a redelivered job) from both sending.
        mail = OutgoingMail.objects.select_for_update().get(pk=mail_id)
        if mail.status == OutgoingMail.Status.SENT:
            return {"mail": mail.pk, "sent_at": mail.sent_at.isoformat()}
        mail.attempts += 1
        try:
            send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
        except Exception as exc:  # noqa: BLE001 - recorded here, raised below for the retry
            error = exc
            mail.status, mail.last_error = OutgoingMail.Status.FAILED, str(exc)[:2000]
        else:
            mail.status, mail.sent_at, mail.last_error = OutgoingMail.Status.SENT, timezone.now(), ""
        mail.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        if error is None and on_sent:
            import_string(on_sent)(**(on_sent_params or {}))
    if error is not None:
        raise error
    return {"mail": mail.pk, "sent_at": mail.sent_at.isoformat()}
