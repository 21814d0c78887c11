"""Print view, PDF and Word downloads of one issue, for staff who may view issues.

A signed or released issue prints its frozen document (``services.issue_printed_document``).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header

from briefs.models import Issue
from jobs.runner import broker_url

from .archive import archived_pdf_bytes
from .docx import render_docx
from .draft_cache import draft_output, draft_output_cached, draft_output_render, draft_pdf_job
from .html import render_html
from .services import issue_is_frozen, issue_printed_document

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def staff_can_view_issue(view):
    """Anonymous → the admin login; logged in without staff + briefs.view_issue → 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm("briefs.view_issue")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _issue(pk) -> Issue:
    return get_object_or_404(Issue.objects.select_related("series", "responsible_editor"), pk=pk)


def _download(content: bytes, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    # Drafts change under the editor's hands; never let a proxy or the browser serve an old one.
    response["Cache-Control"] = "private, no-cache"
    return response


@staff_can_view_issue
def issue_preview(request, pk):
    document = issue_printed_document(_issue(pk))
    response = HttpResponse(render_html(document), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


@staff_can_view_issue
def issue_pdf(request, pk):
    """The signed PDF from the archive once signed; before that the draft's PDF from the cache.

    A draft not rendered yet is rendered here without a broker (one request, as in ``make run``);
    with one, a job renders it and its page follows the render and then offers the PDF.
    """
    issue = _issue(pk)
    document = issue_printed_document(issue)
    pdf = archived_pdf_bytes(issue)
    if pdf is None:
        pdf = draft_output_cached(document, "pdf")
    if pdf is None:
        if broker_url():
            return redirect(draft_pdf_job(issue, document, request.user).get_absolute_url())
        pdf = draft_output_render(document, "pdf")
    return _download(pdf, "application/pdf", document.file_stem + ".pdf", inline=request.GET.get("inline") == "1")


@staff_can_view_issue
def issue_docx(request, pk):
    issue = _issue(pk)
    document = issue_printed_document(issue)
    # Word is quick to build; a draft's file is cached by its document like the PDF, a signed
    # one (rarely fetched) is built from the frozen document each time.
    docx = draft_output(document, "docx") if not issue_is_frozen(issue) else render_docx(document)
    return _download(docx, DOCX_TYPE, document.file_stem + ".docx", inline=False)
