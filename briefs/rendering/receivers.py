"""Workflow → printing: at 签发 freeze the document and archive what was signed (the issue PDF
and the 审批单) after commit; when the sign-off is voided, forget them all."""

from django.dispatch import receiver

from briefs.signals import issue_transitioned
from briefs.states import Action
from jobs.runner import job_enqueue

from .approval_receivers import approval_archive_clear
from .archive import issue_pdf_archive_clear
from .services import issue_document_freeze, issue_document_unfreeze

# What 签发 archives: (the job that renders and stores it, its key prefix, what forgets it).
SIGNED_ARCHIVES = (
    ("briefs.rendering.archive.issue_pdf_archive", "archive-pdf", issue_pdf_archive_clear),
    ("briefs.rendering.approval_receivers.approval_archive", "archive-approval", approval_archive_clear),
)


@receiver(issue_transitioned, dispatch_uid="briefs.rendering.archive_on_transition")
def archive_on_transition(sender, issue, action, **kwargs):
    # The signal is sent inside the transition's transaction. The document is frozen there, so
    # a sign-off and what it signed commit (or roll back) together; the files are rendered by
    # jobs once that has committed (in-process without a broker), so a rolled-back sign-off never
    # leaves a file behind and no render holds a lock. The key makes a retried or repeated
    # enqueue archive once; if a job fails for good, the download renders from the frozen document.
    if action == Action.SIGN_OFF:
        issue_document_freeze(issue=issue)
        for kind, key, _forget in SIGNED_ARCHIVES:
            job_enqueue(kind, params={"issue_id": issue.pk}, key="%s:%s:%s" % (key, issue.pk, issue.version))
    elif action == Action.REVOKE_SIGN_OFF:
        issue_document_unfreeze(issue_id=issue.pk)
        for _kind, _key, forget in SIGNED_ARCHIVES:
            forget(issue_id=issue.pk)
