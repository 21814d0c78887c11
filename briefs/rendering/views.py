"""Print view, PDF and Word downloads of one issue, for staff who may view issues.

A signed or released issue prints its frozen document (``services.issue_printed_document``).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header

from briefs.models import Issue

from .archive import archived_pdf_bytes
from .docx import render_docx
from .html import render_html
from .pdf import render_pdf
from .services import issue_printed_document

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
    """The signed PDF from the archive once signed; a fresh render before that."""
    issue = _issue(pk)
    document = issue_printed_document(issue)
    pdf = archived_pdf_bytes(issue) or render_pdf(document)
    return _download(pdf, "application/pdf", document.file_stem + ".pdf", inline=request.GET.get("inline") == "1")


@staff_can_view_issue
def issue_docx(request, pk):
    document = issue_printed_document(_issue(pk))
    return _download(render_docx(document), DOCX_TYPE, document.file_stem + ".docx", inline=False)
