"""A draft's PDF and Word file, rendered once per distinct document and served from the cache.

A draft prints live, so what it prints is its IssueDocument; the cache key is the SHA-256 of that
document's canonical JSON (``serialize.document_to_json``) together with what else changes the
bytes: the output format, the font settings, and each embedded image file's size and mtime. Any
edit that changes what is printed — an article, the 报 line, the responsible editor's name, the
numbers it would get if signed today — changes the document and so the key; nothing has to be
invalidated, an old entry just ages out.

The cache is Django's (Redis in production, shared by every app server). It is bounded: an entry
lives ``DRAFT_OUTPUT_CACHE_SECONDS``, a file above ``DRAFT_OUTPUT_CACHE_MAX_BYTES`` is not kept,
and the backend bounds the total (Redis ``maxmemory``, the local-memory cache's entry count).
The cache is never served directly: only the download views read it, after their permission check.
"""

import hashlib
import os

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from .document import Image, IssueDocument
from .docx import render_docx
from .pdf import render_pdf
from .serialize import document_to_json

RENDERERS = {"pdf": render_pdf, "docx": render_docx}
# Bumped when a renderer change alters the bytes of an unchanged document.
RENDER_VERSION = "1"


def _image_stamps(document: IssueDocument) -> list[str]:
    """Size and mtime of every embedded image: a file replaced under the same name changes the key."""
    stamps = []
    for article in document.articles:
        for block in article.blocks:
            if isinstance(block, Image) and block.path:
                try:
                    stat = os.stat(block.path)
                except OSError:
                    stamps.append(f"{block.path}:missing")
                else:
                    stamps.append(f"{block.path}:{stat.st_size}:{stat.st_mtime_ns}")
    return stamps


def draft_document_digest(document: IssueDocument, file_format: str) -> str:
    """The cache key's hash: the canonical document plus everything else that changes the file."""
    digest = hashlib.sha256()
    for part in (RENDER_VERSION, file_format, repr(sorted(settings.ZHIKU_FONTS.items())), *_image_stamps(document)):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(document_to_json(document).encode("utf-8"))
    return digest.hexdigest()


def _cache_key(digest: str) -> str:
    return f"draft-output:{digest}"


def draft_output_cached(document: IssueDocument, file_format: str) -> bytes | None:
    """The cached file for ``document``, or None when it was never rendered (or has aged out)."""
    return cache.get(_cache_key(draft_document_digest(document, file_format)))


def draft_output_render(document: IssueDocument, file_format: str) -> bytes:
    """Render ``document`` and keep the file for the next request (if it is not too large)."""
    data = RENDERERS[file_format](document)
    if len(data) <= settings.DRAFT_OUTPUT_CACHE_MAX_BYTES:
        cache.set(
            _cache_key(draft_document_digest(document, file_format)), data, settings.DRAFT_OUTPUT_CACHE_SECONDS
        )
    return data


def draft_output(document: IssueDocument, file_format: str) -> bytes:
    """The file for ``document``: from the cache, or rendered now and cached."""
    cached = draft_output_cached(document, file_format)
    return cached if cached is not None else draft_output_render(document, file_format)


def draft_pdf_render(*, issue_id: int) -> dict:
    """The job behind a cold draft PDF (with a broker): render the issue's document as it is now
    into the cache, and link to the download, which then serves it from there.

    Idempotent: rendering the same document again only rewrites the same cache entry. An issue
    signed meanwhile renders its frozen document, which its download serves only if the signed
    archive cannot be read.
    """
    from briefs.models import Issue

    from .services import issue_printed_document

    issue = Issue.objects.select_related("series", "responsible_editor").get(pk=issue_id)
    draft_output(issue_printed_document(issue), "pdf")
    return {"url": reverse("briefs:issue_pdf", args=[issue_id])}


def draft_pdf_job(issue, document: IssueDocument, user):
    """The job rendering ``document``'s PDF for ``user``, started unless one is on its way.

    The key holds the document's hash, so a double click or a reload follows the same job; it
    holds the user too, because a job's page is shown only to whoever started it. A finished job
    whose PDF has since left the cache gives up its key, so the render runs again.
    """
    from django.utils.translation import gettext

    from jobs.models import Job
    from jobs.runner import job_enqueue

    key = "draft-pdf:%s:%s" % (draft_document_digest(document, "pdf"), user.pk)
    Job.objects.filter(key=key, status=Job.Status.SUCCEEDED).update(key=None)
    label = gettext("Render the draft PDF of %(title)s") % {"title": document.title}
    return job_enqueue(
        "briefs.rendering.draft_cache.draft_pdf_render", params={"issue_id": issue.pk}, key=key, label=label, user=user
    )
