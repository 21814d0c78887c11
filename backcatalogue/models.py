"""The record of past issues imported from Word files: one row per file, by its SHA-256."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from briefs.models import Issue
from zhiku.fields import stamp_fields


class ImportedFile(models.Model):
    """A .docx that became an issue. Its checksum makes importing the same file again a no-op."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("File name"), max_length=255)
    issue = models.OneToOneField(Issue, verbose_name=_("Issue"), on_delete=models.PROTECT, related_name="+")
    report = models.JSONField(_("Import report"), default=dict)
    imported_by, imported_at = stamp_fields(_("Imported by"), _("Imported at"))

    class Meta:
        verbose_name = verbose_name_plural = _("Imported past issue")
        ordering = ["-imported_at", "-id"]
        permissions = [
            ("import_back_issues", _("Can import past issues from Word files")),
            ("view_impact_report", _("Can view the yearly instructions report")),
        ]

    def __str__(self):
        return self.file_name
