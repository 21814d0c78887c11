"""Workflow → archive: render the PDF after 签发 commits; forget it when the sign-off is voided."""

import logging

from django.dispatch import receiver

from briefs.signals import issue_transitioned
from jobs.runner import job_enqueue

from .archive import issue_pdf_archive, issue_pdf_archive_clear

logger = logging.getLogger(__name__)

SIGN_OFF = "sign_off"
REVOKE_SIGN_OFF = "revoke_sign_off"


def _archive_after_commit(issue_id: int) -> None:
    try:
        issue_pdf_archive(issue_id=issue_id)
    except Exception:
        # The sign-off has committed; a failed render must not turn it into an error page.
        # The PDF view archives lazily on first download, so nothing is lost.
        logger.exception("Archiving the signed PDF of issue %s failed", issue_id)


@receiver(issue_transitioned, dispatch_uid="briefs.rendering.archive_on_transition")
def archive_on_transition(sender, issue, action, **kwargs):
    # The signal is sent inside the transition's transaction: render only once it has committed,
    # so a rolled-back sign-off never leaves a PDF behind, and the render holds no lock.
    if action == SIGN_OFF:
        job_enqueue("briefs.rendering.archive.issue_pdf_archive", params={"issue_id": issue.pk}, key="archive-pdf:%s:%s" % (issue.pk, issue.version))
    elif action == REVOKE_SIGN_OFF:
        issue_pdf_archive_clear(issue_id=issue.pk)
