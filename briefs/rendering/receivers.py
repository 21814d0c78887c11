"""Workflow → printing: at 签发 freeze the document and archive its PDF after commit; when the
sign-off is voided, forget both."""

import logging

from django.db import transaction
from django.dispatch import receiver

from briefs.signals import issue_transitioned
from briefs.states import Action

from .archive import issue_pdf_archive, issue_pdf_archive_clear
from .services import issue_document_freeze, issue_document_unfreeze

logger = logging.getLogger(__name__)



def _archive_after_commit(issue_id: int) -> None:
    try:
        issue_pdf_archive(issue_id=issue_id)
    except Exception:
        # The sign-off has committed; a failed render must not turn it into an error page.
        # The PDF view archives lazily on first download, so nothing is lost.
        logger.exception("Archiving the signed PDF of issue %s failed", issue_id)


@receiver(issue_transitioned, dispatch_uid="briefs.rendering.archive_on_transition")
def archive_on_transition(sender, issue, action, **kwargs):
    # The signal is sent inside the transition's transaction. The document is frozen there, so
    # a sign-off and what it signed commit (or roll back) together; the PDF is rendered only
    # once that has committed, so a rolled-back sign-off never leaves a file behind and the
    # render holds no lock.
    if action == Action.SIGN_OFF:
        issue_document_freeze(issue=issue)
        transaction.on_commit(lambda: _archive_after_commit(issue.pk))
    elif action == Action.REVOKE_SIGN_OFF:
        issue_document_unfreeze(issue_id=issue.pk)
        issue_pdf_archive_clear(issue_id=issue.pk)
