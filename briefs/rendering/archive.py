"""The signed PDF: rendered once at 签发, stored, and served until the sign-off is voided.

The archive fields are written with ``QuerySet.update()`` so archiving neither bumps the
issue's version nor passes through the workflow's lock on signed issues.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from briefs import rules
from briefs.models import Issue

from .pdf import render_pdf
from .selectors import issue_document

logger = logging.getLogger(__name__)



def issue_pdf_archive(*, issue_id: int) -> Issue | None:
    """Render and store the PDF of a signed issue; return it, or None when it is not signed.

    Idempotent: an issue that already has its archive keeps it (a signed PDF never changes).
    The render runs outside any transaction, so no row (or SQLite's write lock) is held for
    its half second; the conditional update then makes the first writer win.
    """
    issue = Issue.objects.select_related("series", "responsible_editor").filter(pk=issue_id).first()
    if issue is None or not rules.is_frozen(issue) or not issue.is_numbered:
        return None
    if issue.archived_pdf:
        return issue
    pdf = render_pdf(issue_document(issue))
    storage = issue.archived_pdf.storage
    name = f"{issue_document_stem(issue)}.pdf"
    stored = storage.save(issue.archived_pdf.field.generate_filename(issue, name), ContentFile(pdf))
    try:
        written = Issue.objects.filter(pk=issue.pk, archived_pdf="", status__in=rules.FROZEN_STATUSES).update(
            archived_pdf=stored, archived_pdf_sha256=hashlib.sha256(pdf).hexdigest(), archived_pdf_at=timezone.now()
        )
    except Exception:
        storage.delete(stored)  # no orphan file for a row that was not written
        raise
    if not written:
        # Another request archived first, or the sign-off was voided meanwhile: theirs stands.
        storage.delete(stored)
    issue.refresh_from_db(fields=["archived_pdf", "archived_pdf_sha256", "archived_pdf_at"])
    return issue if issue.archived_pdf else None


def issue_document_stem(issue: Issue) -> str:
    return f"{issue.series.slug}-{issue.year}-{issue.total_number}"


def issue_pdf_archive_clear(*, issue_id: int) -> None:
    """Forget the archived PDF of an issue whose sign-off was voided, and delete the file."""
    issue = Issue.objects.filter(pk=issue_id).only("id", "archived_pdf").first()
    if issue is None or not issue.archived_pdf:
        return
    name = issue.archived_pdf.name
    Issue.objects.filter(pk=issue_id).update(archived_pdf="", archived_pdf_sha256="", archived_pdf_at=None)
    storage = issue.archived_pdf.storage
    transaction.on_commit(lambda: storage.delete(name))


def archived_pdf_bytes(issue: Issue) -> bytes | None:
    """The stored PDF of a signed issue, archiving it first if that never happened."""
    if not rules.is_frozen(issue) or not issue.is_numbered:
        return None
    if not issue.archived_pdf:
        issue = issue_pdf_archive(issue_id=issue.pk) or issue
        if not issue.archived_pdf:
            return None
    try:
        with issue.archived_pdf.open("rb") as fh:
            return fh.read()
    except FileNotFoundError:
        # The row names a file the storage lost: say so loudly, and let the caller render afresh.
        logger.error("Archived PDF %s of issue %s is missing from storage", issue.archived_pdf.name, issue.pk)
        return None
