"""The signed 审批单: rendered once 签发 has committed and stored beside the issue PDF; forgotten
when the sign-off is voided. Recorded through ``briefs.services.issue_archive_record`` like the PDF
archive, so storing it neither bumps the issue's version nor meets the lock on signed issues."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import receiver

from briefs import rules, services
from briefs.models import Issue
from briefs.signals import issue_transitioned
from briefs.states import Action

from .approval import render_approval_pdf

logger = logging.getLogger(__name__)



def approval_archive(*, issue_id: int) -> Issue | None:
    """Render and store the 审批单 of a signed issue (idempotent: a stored one is kept)."""
    from briefs.desk.selectors import approval_sheet

    issue = (
        Issue.objects.select_related("series", "responsible_editor", "signed_by", "created_by")
        .filter(pk=issue_id)
        .first()
    )
    if issue is None or not rules.is_frozen(issue):
        return None
    if issue.archived_approval:
        return issue
    pdf = render_approval_pdf(approval_sheet(issue))
    storage = issue.archived_approval.storage
    name = f"{issue.series.slug}-{issue.year}-{issue.total_number}-approval.pdf"
    stored = storage.save(issue.archived_approval.field.generate_filename(issue, name), ContentFile(pdf))
    written = services.issue_archive_record(
        issue_id=issue.pk,
        expected={"archived_approval": ""},
        archived_approval=stored,
        archived_approval_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    if not written:
        storage.delete(stored)
    issue.refresh_from_db(fields=["archived_approval", "archived_approval_sha256"])
    return issue


def approval_archive_clear(*, issue_id: int) -> None:
    issue = Issue.objects.filter(pk=issue_id).only("id", "archived_approval").first()
    if issue is None or not issue.archived_approval:
        return
    name = issue.archived_approval.name
    services.issue_archive_forget(issue_id=issue_id, fields=["archived_approval", "archived_approval_sha256"])
    storage = issue.archived_approval.storage
    transaction.on_commit(lambda: storage.delete(name))


def _archive_after_commit(issue_id: int) -> None:
    try:
        approval_archive(issue_id=issue_id)
    except Exception:
        # The sign-off has committed; the desk renders the form on download if this failed.
        logger.exception("Archiving the approval form of issue %s failed", issue_id)


@receiver(issue_transitioned, dispatch_uid="briefs.rendering.approval_on_transition")
def approval_on_transition(sender, issue, action, **kwargs):
    if action == Action.SIGN_OFF:
        transaction.on_commit(lambda: _archive_after_commit(issue.pk))
    elif action == Action.REVOKE_SIGN_OFF:
        approval_archive_clear(issue_id=issue.pk)
