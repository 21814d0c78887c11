"""The signed 审批单: rendered by a job once 签发 has committed and stored beside the issue PDF;
forgotten when the sign-off is voided (both started by ``receivers.archive_on_transition``).
Recorded through ``briefs.services.issue_archive_record`` like the PDF archive, so storing it
neither bumps the issue's version nor meets the lock on signed issues."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from briefs import rules, services
from briefs.models import Issue

from .approval import render_approval_pdf


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
    try:
        written = services.issue_archive_record(
            issue_id=issue.pk,
            expected={"archived_approval": ""},
            archived_approval=stored,
            archived_approval_sha256=hashlib.sha256(pdf).hexdigest(),
        )
    except Exception:
        storage.delete(stored)  # the retried job stores it again: no orphan file beside that one
        raise
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
