"""Fixtures shared by the briefs tests."""

import io

import pdfplumber
import pytest
from django.core.management import call_command

from briefs.models import Issue
from briefs.rendering.docx import render_docx
from briefs.rendering.pdf import render_pdf
from briefs.rendering.selectors import issue_document

_RENDERED: dict = {}


@pytest.fixture
def rendered(db):
    """Issue 117 as load_demo makes it, rendered once per test run to PDF and DOCX (then reused)."""
    if not _RENDERED:
        call_command("load_demo", stdout=io.StringIO())
        document = issue_document(Issue.objects.get(total_number=117))
        pdf = render_pdf(document)
        _RENDERED.update(document=document, pdf=pdf, docx=render_docx(document))
        _RENDERED["plumber"] = pdfplumber.open(io.BytesIO(pdf))
    return _RENDERED
