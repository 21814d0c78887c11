"""Workflow → printing: at 签发 freeze the document and archive its PDF after commit; when the
sign-off is voided, forget both."""

from django.dispatch import receiver

from briefs.signals import issue_transitioned
from briefs.states import Action
from jobs.runner import job_enqueue

from .archive import issue_pdf_archive_clear
from .services import issue_document_freeze, issue_document_unfreeze


@receiver(issue_transitioned, dispatch_uid="briefs.rendering.archive_on_transition")
def archive_on_transition(sender, issue, action, **kwargs):
    # The signal is sent inside the transition's transaction. The document is frozen there, so
    # a sign-off and what it signed commit (or roll back) together; the PDF is rendered only
    # once that has committed, so a rolled-back sign-off never leaves a file behind and the
    # render holds no lock.
    if action == Action.SIGN_OFF:
        issue_document_freeze(issue=issue)
        # Rendered by a job once the sign-off has committed (in-process without a broker); the
        # key makes a retried or repeated enqueue archive once.
        job_enqueue(
            "briefs.rendering.archive.issue_pdf_archive",
            params={"issue_id": issue.pk},
            key="archive-pdf:%s:%s" % (issue.pk, issue.version),
        )
    elif action == Action.REVOKE_SIGN_OFF:
        issue_document_unfreeze(issue_id=issue.pk)
        issue_pdf_archive_clear(issue_id=issue.pk)
