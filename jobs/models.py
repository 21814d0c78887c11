"""What the background jobs did: one row per job (progress, result) and one per outgoing mail."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiku.fields import stamp_fields

# Names shown for jobs enqueued without a label; a job kind is a dotted path (never shown).
KIND_LABELS = {
    "briefs.rendering.archive.issue_pdf_archive": _("Archive the signed PDF"),
    "briefs.rendering.approval_receivers.approval_archive": _("Archive the signed approval form"),
    "jobs.mail.mail_deliver": _("Send mail"),
    "jobs.backup.backup_create": _("Backup"),
}


class Job(models.Model):
    """A unit of long work run by a Celery worker, or in-process when there is no broker.

    ``kind`` is the dotted path of the function that does the work; it is written by server code
    only (``jobs.runner.job_enqueue``), never taken from a request. ``key`` makes a job
    idempotent: enqueueing the same key again returns the existing job instead of a second one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("Kind"), max_length=200)
    label = models.CharField(_("Description"), max_length=200, blank=True)
    params = models.JSONField(_("Parameters"), default=dict, blank=True)
    key = models.CharField(_("Idempotency key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("Done"), default=0)
    progress_total = models.PositiveIntegerField(_("Total"), default=0)
    message = models.CharField(_("Message"), max_length=500, blank=True)
    result = models.JSONField(_("Result"), null=True, blank=True)
    result_url = models.CharField(_("Result link"), max_length=500, blank=True)
    error = models.TextField(_("Error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    created_by, created_at = stamp_fields(_("Started by"), _("Created at"))
    started_at = models.DateTimeField(_("Started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Finished at"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Background job")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_job_status_created")]

    def __str__(self):
        return self.label or str(KIND_LABELS.get(self.kind, _("Background job")))

    def get_absolute_url(self):
        return reverse("admin:jobs_job_change", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class OutgoingMail(models.Model):
    """One e-mail handed to the jobs layer: what was (or could not be) sent, to whom, when.

    ``key`` makes sending idempotent: a retried or redelivered job never sends a mail twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("Idempotency key"), max_length=200, unique=True)
    to = models.CharField(_("To"), max_length=254)
    subject = models.CharField(_("Subject"), max_length=200)
    body = models.TextField(_("Body"))
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    last_error = models.TextField(_("Last error"), blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Sent at"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Outgoing mail")
        ordering = ["-created_at"]

    def __str__(self):
        return "%s → %s" % (self.subject, self.to)
