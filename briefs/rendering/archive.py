"""The signed PDF: rendered once at 签发 from the frozen document, stored, served until the
sign-off is voided, and rebuilt once if its file goes missing.

The archive fields are written by ``briefs.services.issue_archive_record`` / ``issue_archive_forget``
(a conditional ``update()``: archiving neither bumps the issue's version nor passes through the
workflow's lock on signed issues).
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from briefs import services
from briefs.models import Issue

from .pdf import render_pdf
from .services import issue_is_frozen, issue_printed_document

logger = logging.getLogger(__name__)

ARCHIVE_FIELDS = ["archived_pdf", "archived_pdf_sha256", "archived_pdf_at"]


def _signed_issue(issue_id: int) -> Issue | None:
    issue = Issue.objects.select_related("series", "responsible_editor").filter(pk=issue_id).first()
    return issue if issue is not None and issue_is_frozen(issue) else None


def _store(issue: Issue, pdf: bytes, *, replacing: str) -> bool:
    """Save ``pdf`` and point the issue at it, if its archive is still ``replacing`` ("" for none).

    The render runs outside any transaction, so no row (or SQLite's write lock) is held for its
    half second; the conditional update then makes the first writer win, and a loser's file is
    deleted. Returns whether this call's file was kept.
    """
    storage = issue.archived_pdf.storage
    name = replacing or issue.archived_pdf.field.generate_filename(issue, f"{issue_document_stem(issue)}.pdf")
    stored = storage.save(name, ContentFile(pdf))
    try:
        written = services.issue_archive_record(
            issue_id=issue.pk,
            expected={"archived_pdf": replacing},
            archived_pdf=stored,
            archived_pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            archived_pdf_at=timezone.now(),
        )
    except Exception:
        storage.delete(stored)  # no orphan file for a row that was not written
        raise
    if not written:
        # Another request archived first, or the sign-off was voided meanwhile: theirs stands.
        storage.delete(stored)
    return bool(written)


def issue_pdf_archive(*, issue_id: int) -> Issue | None:
    """Render and store the PDF of a signed issue; return it, or None when it is not signed.

    Idempotent: an issue that already has its archive keeps it (a signed PDF never changes).
    """
    issue = _signed_issue(issue_id)
    if issue is None:
        return None
    if issue.archived_pdf:
        return issue
    _store(issue, render_pdf(issue_printed_document(issue)), replacing="")
    issue.refresh_from_db(fields=ARCHIVE_FIELDS)
    return issue if issue.archived_pdf else None


def issue_pdf_archive_heal(*, issue_id: int, lost: str) -> Issue | None:
    """Rebuild the archived PDF whose file ``lost`` is missing or damaged, once, from the frozen
    document, and store it again under its name.

    The frozen document and a deterministic renderer give the same bytes as at 签发, so the
    rebuilt file's SHA-256 is checked against the recorded one: equal, the archive is whole again;
    different (fonts or WeasyPrint changed on this server since), the rebuild is kept — it prints
    the same frozen text — and its own checksum recorded, with a warning naming both.
    """
    issue = _signed_issue(issue_id)
    if issue is None or issue.archived_pdf.name != lost:
        return issue  # not signed any more, or already healed by another request
    recorded = issue.archived_pdf_sha256
    pdf = render_pdf(issue_printed_document(issue))
    rebuilt = hashlib.sha256(pdf).hexdigest()
    issue.archived_pdf.storage.delete(lost)  # a damaged file must not make the name taken
    if _store(issue, pdf, replacing=lost):
        if rebuilt == recorded:
            logger.warning("Archived PDF of issue %s was missing; rebuilt identical (sha256 %s)", issue.pk, rebuilt)
        else:
            logger.warning(
                "Archived PDF of issue %s was missing; rebuilt from the frozen document with sha256 %s (was %s)",
                issue.pk,
                rebuilt,
                recorded,
            )
    issue.refresh_from_db(fields=ARCHIVE_FIELDS)
    return issue


def issue_document_stem(issue: Issue) -> str:
    return f"{issue.series.slug}-{issue.year}-{issue.total_number}"


def issue_pdf_archive_clear(*, issue_id: int) -> None:
    """Forget the archived PDF of an issue whose sign-off was voided, and delete the file."""
    issue = Issue.objects.filter(pk=issue_id).only("id", "archived_pdf").first()
    if issue is None or not issue.archived_pdf:
        return
    name = issue.archived_pdf.name
    services.issue_archive_forget(issue_id=issue_id, fields=ARCHIVE_FIELDS)
    storage = issue.archived_pdf.storage
    transaction.on_commit(lambda: storage.delete(name))


def _read_verified(issue: Issue) -> bytes | None:
    """The archived file's bytes if it exists and matches its recorded SHA-256, else None."""
    try:
        with issue.archived_pdf.open("rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        logger.error("Archived PDF %s of issue %s is missing from storage", issue.archived_pdf.name, issue.pk)
        return None
    if hashlib.sha256(data).hexdigest() != issue.archived_pdf_sha256:
        logger.error("Archived PDF %s of issue %s does not match its checksum", issue.archived_pdf.name, issue.pk)
        return None
    return data


def archived_pdf_bytes(issue: Issue) -> bytes | None:
    """The stored PDF of a signed issue: archived first if that never happened, rebuilt once if
    its file is missing or damaged. None for a draft."""
    if not issue_is_frozen(issue):
        return None
    if not issue.archived_pdf:
        issue = issue_pdf_archive(issue_id=issue.pk) or issue
        if not issue.archived_pdf:
            return None
    data = _read_verified(issue)
    if data is None:
        healed = issue_pdf_archive_heal(issue_id=issue.pk, lost=issue.archived_pdf.name)
        data = _read_verified(healed) if healed is not None and healed.archived_pdf else None
    return data
