"""The frozen document of a signed issue, kept with the rendering code that writes and reads it.

Registered in the briefs app (``app_label``) and imported at the end of ``briefs/models.py``, so
it lives in briefs' migrations without touching the Issue model.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FrozenDocument(models.Model):
    """What the leader signed, as printed: the issue's IssueDocument at 签发, as canonical JSON
    with its SHA-256. Every output of a signed or released issue is rendered from it; voiding
    the sign-off deletes it."""

    issue = models.OneToOneField(
        "briefs.Issue",
        verbose_name=_("Issue"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="frozen_document",
    )
    content = models.TextField(_("Document (JSON)"))
    sha256 = models.CharField(_("Document checksum"), max_length=64)
    frozen_at = models.DateTimeField(_("Frozen at"), default=timezone.now)

    class Meta:
        app_label = "briefs"
        verbose_name = verbose_name_plural = _("Signed document")

    def __str__(self):
        return str(self.issue_id)
