"""Downloads on the issue page, the render_issue command, and the signed-PDF archive."""

import hashlib
import io
from datetime import date

import pdfplumber
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from briefs.models import Issue
from tests.briefs.test_rendering import squash
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory, UserFactory, announce_transition

pytestmark = pytest.mark.django_db


def viewer(**fields):
    user = UserFactory(**fields)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="briefs", codename="view_issue"))
    return user


def test_anonymous_is_sent_to_the_login(client):
    """Nobody downloads a brief without logging in."""
    issue = IssueFactory()
    for name in ("issue_preview", "issue_pdf", "issue_docx"):
        response = client.get(reverse("briefs:" + name, args=[issue.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_non_staff_and_staff_without_permission_are_refused(client):
    """Logged in is not enough: staff status and briefs.view_issue are both required."""
    issue = IssueFactory()
    for user in (viewer(is_staff=False), UserFactory(is_staff=True)):
        client.force_login(user)
        for name in ("issue_preview", "issue_pdf", "issue_docx"):
            assert client.get(reverse("briefs:" + name, args=[issue.pk])).status_code == 403


def test_staff_gets_preview_and_word(client):
    """A staff member with view permission gets the print view (HTML) and the Word file."""
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="预览文章")
    client.force_login(viewer())
    preview = client.get(reverse("briefs:issue_preview", args=[issue.pk]))
    assert preview.status_code == 200
    assert preview["Content-Type"].startswith("text/html")
    assert "预览文章" in preview.content.decode()
    word = client.get(reverse("briefs:issue_docx", args=[issue.pk]))
    assert word.status_code == 200
    assert word["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in word["Content-Disposition"]
    assert any(p.text == "预览文章" for p in Document(io.BytesIO(word.content)).paragraphs)


def test_draft_pdf_and_word_print_the_would_be_numbers_marked_draft(client):
    """Downloaded before 签发, the PDF and the Word file carry the numbers the draft would get if
    signed today (what the issue page shows as 如今日签发…) next to a 草稿 marker; once signed, the
    real numbers print and no 草稿 marker is left."""
    NumberedIssueFactory(year=timezone.localdate().year, number=2, total_number=117, status=Issue.Status.RELEASED)
    series = Issue.objects.get(total_number=117).series
    draft = IssueFactory(series=series)
    ArticleFactory(issue=draft, title="草稿期号")
    client.force_login(viewer(is_staff=True))

    pdf = client.get(reverse("briefs:issue_pdf", args=[draft.pk]))
    assert pdf.status_code == 200
    with pdfplumber.open(io.BytesIO(pdf.content)) as read:
        first = squash(read.pages[0].extract_text())
        corner = [c for c in read.pages[0].chars if c["top"] < 37 * 72 / 25.4 - 8]
    assert "第3期" in first and "(总第118期)" in first
    assert "草稿" in first, "the 草稿 marker on the masthead"
    assert squash("".join(c["text"] for c in corner)) == "草稿", "and in the page's top corner"

    word = Document(io.BytesIO(client.get(reverse("briefs:issue_docx", args=[draft.pk])).content))
    paragraphs = [p.text for p in word.paragraphs]
    assert "草稿" in paragraphs[0]
    assert "第 3 期" in paragraphs and "(总第 118 期)" in paragraphs
    header = word.sections[0].header.paragraphs[0]
    assert header.text == "草稿" and header.alignment == 2, "as in the PDF, 草稿 in every page's top-right corner"

    Issue.objects.filter(pk=draft.pk).update(
        status=Issue.Status.RELEASED, year=2020, number=9, total_number=90, issue_date=date(2020, 5, 4)
    )
    word = Document(io.BytesIO(client.get(reverse("briefs:issue_docx", args=[draft.pk])).content))
    paragraphs = [p.text for p in word.paragraphs]
    assert "第 9 期" in paragraphs and "(总第 90 期)" in paragraphs
    assert not any("草稿" in text for text in paragraphs if text != "草稿期号")
    assert word.sections[0].header.paragraphs[0].text == ""


def test_issue_page_shows_the_output_buttons(client):
    """The issue change page links to 预览, PDF and Word."""
    issue = IssueFactory()
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("admin:briefs_issue_change", args=[issue.pk])).content.decode()
    for name in ("issue_preview", "issue_pdf", "issue_docx"):
        assert reverse("briefs:" + name, args=[issue.pk]) in page
    for label in ("预览", "下载 PDF", "下载 Word"):
        assert label in page


def test_sign_off_archives_the_pdf_once_and_serves_it(client, django_capture_on_commit_callbacks):
    """At 签发 the PDF is rendered after commit and stored with its checksum; downloads serve that
    file even if the content changes later; voiding the sign-off clears the archive."""
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED, issue_date=date(2024, 1, 19))
    ArticleFactory(issue=issue, title="签发文章")
    with django_capture_on_commit_callbacks(execute=True):
        announce_transition(issue, "sign_off")
    issue.refresh_from_db()
    assert issue.archived_pdf and issue.archived_pdf_at
    stored = issue.archived_pdf.read()
    issue.archived_pdf.close()
    assert stored.startswith(b"%PDF")
    assert issue.archived_pdf_sha256 == hashlib.sha256(stored).hexdigest()

    # A signed PDF never changes: even a changed title is not re-rendered.
    issue.articles.update(title="改过的标题")
    client.force_login(viewer())
    response = client.get(reverse("briefs:issue_pdf", args=[issue.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == stored

    name = issue.archived_pdf.name
    storage = issue.archived_pdf.storage
    with django_capture_on_commit_callbacks(execute=True):
        announce_transition(issue, "revoke_sign_off", comment="重开")
    issue.refresh_from_db()
    assert (issue.archived_pdf.name, issue.archived_pdf_sha256, issue.archived_pdf_at) == ("", "", None)
    assert not storage.exists(name)


def test_render_issue_command_writes_each_format(tmp_path):
    """render_issue takes a total number (or --id for drafts) and writes HTML or Word to --output."""
    issue = NumberedIssueFactory(total_number=4117)
    ArticleFactory(issue=issue, title="命令行文章")
    draft = IssueFactory()
    ArticleFactory(issue=draft, title="草稿命令行")
    html_path, docx_path = tmp_path / "a.html", tmp_path / "b.docx"
    call_command("render_issue", "4117", "--format", "html", "--output", str(html_path), stdout=io.StringIO())
    call_command(
        "render_issue", "--id", str(draft.pk), "--format", "docx", "--output", str(docx_path), stdout=io.StringIO()
    )
    assert "命令行文章" in html_path.read_text(encoding="utf-8")
    assert any(p.text == "草稿命令行" for p in Document(str(docx_path)).paragraphs)


def test_render_issue_command_refuses_an_unknown_issue(tmp_path):
    """An unknown total number is a clear error, and nothing is written."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("render_issue", "99999", "--output", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
