"""Writes for printing: freezing what was signed, and choosing the document an output prints.

At 签发 the issue's IssueDocument is frozen (``issue_document_freeze``, called by the workflow
receiver inside the sign-off's transaction): canonical JSON and its SHA-256 in a FrozenDocument.
From then on every output of the signed or released issue — PDF, Word, print preview, the
archive — is rendered from that value (``issue_printed_document``), so renaming the responsible
editor or editing the series afterwards changes nothing that was signed. Drafts print live.
"""

import logging

from django.db import transaction
from django.utils import timezone

from briefs import rules
from briefs.models import Issue

from .document import IssueDocument
from .models import FrozenDocument
from .selectors import issue_document
from .serialize import FrozenDocumentError, document_from_json, document_to_json, sha256_text

logger = logging.getLogger(__name__)



def issue_is_frozen(issue: Issue) -> bool:
    """Signed or released, with its numbers: what it prints no longer follows the live data."""
    return rules.is_frozen(issue) and issue.is_numbered


def _frozen_fields(issue: Issue) -> dict:
    content = document_to_json(issue_document(issue))
    return {"content": content, "sha256": sha256_text(content), "frozen_at": timezone.now()}


def issue_document_freeze(*, issue: Issue) -> FrozenDocument:
    """Freeze ``issue``'s document as it is now (at 签发); a new sign-off replaces an old freeze."""
    frozen, _created = FrozenDocument.objects.update_or_create(issue_id=issue.pk, defaults=_frozen_fields(issue))
    return frozen


def issue_document_ensure_frozen(*, issue: Issue) -> FrozenDocument:
    """The frozen document of a signed ``issue``, freezing it now if it has none (an issue signed
    before documents were frozen, or entered as printed by ``load_demo``)."""
    frozen = FrozenDocument.objects.filter(issue_id=issue.pk).first()
    if frozen is None:
        with transaction.atomic():
            frozen, _created = FrozenDocument.objects.get_or_create(issue_id=issue.pk, defaults=_frozen_fields(issue))
    return frozen


def issue_document_unfreeze(*, issue_id: int) -> None:
    """Forget the frozen document of an issue whose sign-off was voided: it prints live again."""
    FrozenDocument.objects.filter(issue_id=issue_id).delete()


def frozen_document_read(frozen: FrozenDocument) -> IssueDocument:
    """The IssueDocument stored in ``frozen``, after checking its SHA-256.

    A mismatch means the stored text was changed outside this code: printing it (or falling
    back to live data) would misrepresent what was signed, so it is refused.
    """
    if sha256_text(frozen.content) != frozen.sha256:
        logger.error("Frozen document of issue %s does not match its checksum", frozen.issue_id)
        raise FrozenDocumentError(f"frozen document of issue {frozen.issue_id} does not match its checksum")
    return document_from_json(frozen.content)


def issue_printed_document(issue: Issue) -> IssueDocument:
    """The document every output of ``issue`` prints: live for a draft, frozen once signed.

    A signed issue without a frozen document (signed before documents were frozen) is frozen
    on first use, from the data as it is then — the closest thing to what was signed.
    """
    if not issue_is_frozen(issue):
        return issue_document(issue)
    return frozen_document_read(issue_document_ensure_frozen(issue=issue))
