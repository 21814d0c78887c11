"""The record of past issues imported from Word files: one row per file, by its SHA-256."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from briefs.models import Issue


class ImportedFile(models.Model):
    """A .docx that became an issue. Its checksum makes importing the same file again a no-op."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("File name"), max_length=255)
    issue = models.OneToOneField(Issue, verbose_name=_("Issue"), on_delete=models.PROTECT, related_name="+")
    report = models.JSONField(_("Import report"), default=dict)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("Imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Imported past issue")
        verbose_name_plural = _("Imported past issues")
        ordering = ["-imported_at", "-id"]
        permissions = [
            ("import_back_issues", _("Can import past issues from Word files")),
            ("view_impact_report", _("Can view the yearly instructions report")),
        ]

    def __str__(self):
        return self.file_name
