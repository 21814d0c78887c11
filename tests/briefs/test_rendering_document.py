"""The IssueDocument: article HTML → blocks, drafts, the footer's fallback, the print HTML."""

from datetime import date

import pytest
from django.utils import timezone

from briefs import extensions, workflow
from briefs.rendering.blocks import html_to_blocks
from briefs.rendering.document import Cell, Heading, Image, Paragraph, Table
from briefs.rendering.html import render_html
from briefs.rendering.selectors import issue_document
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory


def test_blocks_follow_the_sanitiser_allowlist():
    """Headings keep their level (h2 → 一、, h3 → （一）, h4 → 1.), paragraphs keep inline style,
    lists get their printed markers, tables keep cells and spans, images keep source and caption."""
    html = (
        "<h2>一、总体情况</h2><h3>（一）产业</h3><h4>1. 集群</h4>"
        "<p>正文<strong>加粗</strong>与<em>斜体</em></p>"
        "<ol start='3'><li>第三项</li><li><p>第四项</p></li></ol><ul><li>要点</li></ul>"
        "<blockquote><p>引文</p></blockquote>"
        "<table><caption>表1</caption><tr><th colspan='2'>指标</th></tr><tr><td>增加值</td><td>10393.39</td></tr></table>"
        "<figure class='image'><img src='https://example.com/a.png' alt='图一'><figcaption>示意图</figcaption></figure>"
    )
    blocks = html_to_blocks(html)
    assert [type(b) for b in blocks] == [
        Heading,
        Heading,
        Heading,
        Paragraph,
        Paragraph,
        Paragraph,
        Paragraph,
        Paragraph,
        Table,
        Image,
    ]
    assert [b.level for b in blocks[:3]] == [1, 2, 3]
    body = blocks[3]
    assert body.text == "正文加粗与斜体"
    assert [(r.text, r.bold, r.italic) for r in body.runs] == [
        ("正文", False, False),
        ("加粗", True, False),
        ("与", False, False),
        ("斜体", False, True),
    ]
    assert [b.text for b in blocks[4:7]] == ["3. 第三项", "4. 第四项", "• 要点"]
    assert blocks[7].quote and blocks[7].text == "引文"
    table = blocks[8]
    assert table.caption == "表1"
    assert table.rows == ((Cell("指标", header=True, colspan=2),), (Cell("增加值"), Cell("10393.39")))
    image = blocks[9]
    assert (image.src, image.path, image.alt, image.caption) == ("https://example.com/a.png", None, "图一", "示意图")


@pytest.mark.django_db
def test_draft_prints_the_numbers_it_would_get_if_signed_today():
    """A draft prints the numbers and date it would get if signed today (the workflow's
    issue_number_preview: next 第 N 期 of the year, next 总第 M 期 of the series), and is marked
    草稿 on the masthead, in the page corner and in its title; its file name stays a draft's."""
    signed = NumberedIssueFactory(year=2024, number=2, total_number=117, issue_date=date(2024, 1, 19), status="signed")
    draft = IssueFactory(series=signed.series)
    ArticleFactory(issue=draft, title="草稿文章")
    document = issue_document(draft, today=date(2024, 3, 1))
    m = document.masthead
    assert document.is_draft
    assert (m.number_line, m.total_line, m.date_line) == ("第 3 期", "(总第 118 期)", "2024 年 3 月 1 日")
    assert document.title == f"{signed.series.name} 草稿 第 3 期 (总第 118 期)"
    assert document.file_stem == f"{signed.series.name}-草稿-{draft.pk}"
    html = render_html(document).decode()
    assert '<html lang="zh-CN">' in html
    assert 'class="draft-mark">草稿<' in html
    assert '@top-right { content: "草稿"' in html
    assert "第 3 期" in html and "(总第 118 期)" in html
    assert "草稿文章" in html

    # In a new year the number starts again at 1; the total keeps counting.
    m = issue_document(draft, today=date(2025, 1, 6)).masthead
    assert (m.number_line, m.total_line, m.date_line) == ("第 1 期", "(总第 118 期)", "2025 年 1 月 6 日")


@pytest.mark.django_db
def test_draft_defaults_to_todays_preview_and_keeps_reserved_numbers():
    """Without ``today`` the preview is for the local date, as on the issue page; a draft whose
    sign-off was voided but kept its numbers (reserved) prints those, and a date already set is kept."""
    draft = IssueFactory()
    m = issue_document(draft).masthead
    preview = workflow.issue_number_preview(draft)
    today = timezone.localdate()
    assert (m.number_line, m.total_line) == (f"第 {preview.number} 期", f"(总第 {preview.total_number} 期)")
    assert m.date_line == f"{today.year} 年 {today.month} 月 {today.day} 日"

    reserved = NumberedIssueFactory(year=2024, number=5, total_number=120, issue_date=date(2024, 3, 8), status="draft")
    NumberedIssueFactory(series=reserved.series, year=2024, number=6, total_number=121, status="released")
    document = issue_document(reserved, today=date(2024, 4, 1))
    m = document.masthead
    assert document.is_draft
    assert (m.number_line, m.total_line, m.date_line) == ("第 5 期", "(总第 120 期)", "2024 年 3 月 8 日")


@pytest.mark.django_db
def test_signed_issue_prints_its_numbers(django_assert_max_num_queries):
    """A numbered issue prints 第 N 期, (总第 M 期) and the date, with no draft marker, in a few queries."""
    issue = NumberedIssueFactory(year=2024, number=2, total_number=917, issue_date=date(2024, 1, 19), status="signed")
    ArticleFactory(issue=issue)
    ArticleFactory(issue=issue)
    with django_assert_max_num_queries(6):
        document = issue_document(issue)
    m = document.masthead
    assert (m.number_line, m.total_line, m.date_line) == ("第 2 期", "(总第 917 期)", "2024 年 1 月 19 日")
    assert not document.is_draft
    assert document.title.endswith("第 2 期 (总第 917 期)") and "草稿" not in document.title
    assert len(document.articles) == 2
    assert "草稿" not in render_html(document).decode()


@pytest.mark.django_db
def test_footer_without_distribution_provider_falls_back(monkeypatch):
    """With no provider (circulation absent), the 报 line is left out and 共印 uses the issue's
    print run, else the series default."""
    monkeypatch.setattr(extensions, "_distribution_providers", [])
    issue = NumberedIssueFactory(print_run=None, series__default_print_run=55)
    footer = issue_document(issue).footer
    assert footer.bao_line == ""
    assert footer.print_run_line == "共印：55 份"
    assert footer.editor_line == f"责任编辑：{issue.responsible_editor.name} 联系电话：18610038942 65519639（传真）"
    html = render_html(issue_document(issue)).decode()
    assert "报：" not in html and "共印：55 份" in html


@pytest.mark.django_db
def test_footer_takes_bao_line_and_print_run_from_the_provider(monkeypatch):
    """The registered distribution provider supplies the 报 line and the print run."""
    monkeypatch.setattr(
        extensions, "_distribution_providers", [lambda issue: extensions.DistributionFooter("报：测试领导。", 12)]
    )
    footer = issue_document(NumberedIssueFactory(print_run=70)).footer
    assert (footer.bao_line, footer.print_run_line) == ("报：测试领导。", "共印：12 份")


def test_html_escapes_article_text():
    """Article text is escaped on output: markup that is text stays text."""
    blocks = html_to_blocks("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert blocks[0].text == "<script>alert(1)</script>"
    from briefs.rendering.document import Article, Footer, IssueDocument, Masthead

    document = IssueDocument(
        masthead=Masthead("刊", "", "", "", (), "", ""),
        articles=(Article("题", "", blocks),),
        footer=Footer("", "", "", "共印：1 份"),
        is_draft=True,
    )
    html = render_html(document).decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_printing_check_names_what_to_install(monkeypatch):
    """The system check warns, with the apt-get line, when CJK fonts are missing or a ZHIKU_FONTS
    stack has no installed font, and is silent on a machine that has them."""
    from zhiku import checks

    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: "libharfbuzz-subset.so.0")
    monkeypatch.setattr(checks, "_installed_families", lambda: {"DejaVu Sans"})
    ids = {w.id for w in checks.check_printing_dependencies(None)}
    assert {"zhiku.W002", "zhiku.W004"} <= ids
    assert all("apt-get install" in w.hint for w in checks.check_printing_dependencies(None))

    monkeypatch.setattr(checks, "_installed_families", lambda: {"Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai"})
    assert checks.check_printing_dependencies(None) == []


@pytest.mark.django_db
def test_uploaded_images_are_embedded_and_remote_ones_never_fetched(settings, tmp_path):
    """An image uploaded to MEDIA_ROOT is embedded in the PDF and the Word file; a remote image is
    not fetched while printing (it prints as its alt text)."""
    import io

    import pdfplumber
    from docx import Document
    from PIL import Image as PILImage

    from briefs.rendering.docx import render_docx
    from briefs.rendering.pdf import render_pdf

    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "uploads").mkdir()
    PILImage.new("RGB", (40, 20), "red").save(tmp_path / "uploads" / "chart.png")
    issue = NumberedIssueFactory()
    ArticleFactory(
        issue=issue,
        body='<figure class="image"><img src="/media/uploads/chart.png" alt="图表"><figcaption>图1</figcaption></figure>'
        '<p><img src="https://example.com/remote.png" alt="远程图"></p>',
    )
    document = issue_document(issue)
    images = [b for b in document.articles[0].blocks if isinstance(b, Image)]
    assert [(i.path is not None, i.caption) for i in images] == [(True, "图1"), (False, "")]
    with pdfplumber.open(io.BytesIO(render_pdf(document))) as pdf:
        assert sum(len(p.images) for p in pdf.pages) == 1
        assert "远程图" in "".join(p.extract_text() or "" for p in pdf.pages)
    assert len(Document(io.BytesIO(render_docx(document))).inline_shapes) == 1


def test_print_css_is_inlined_for_the_browser_and_parsed_once_for_the_pdf():
    """The preview carries the print CSS in a <style>; the PDF path leaves it out of the HTML and
    reuses one parsed stylesheet per CSS text (issue and draft differ by the 草稿 corner), so
    WeasyPrint does not re-parse it on every render."""
    from briefs.rendering import pdf
    from briefs.rendering.document import Article, Footer, IssueDocument, Masthead
    from briefs.rendering.html import print_css

    document = IssueDocument(
        masthead=Masthead("刊", "", "第 1 期", "(总第 1 期)", (), "", ""),
        articles=(Article("题", "", html_to_blocks("<p>正文</p>")),),
        footer=Footer("", "", "", "共印：1 份"),
    )
    preview = render_html(document).decode()
    assert "<style>" in preview and "size: A4" in preview and "@top-right" not in preview
    assert "<style>" not in render_html(document, for_pdf=True, inline_css=False).decode()
    assert '@top-right { content: "草稿"' in print_css(is_draft=True)

    css = print_css(is_draft=False)
    assert pdf._stylesheet(css) is pdf._stylesheet(css)
    assert pdf._stylesheet(print_css(is_draft=True)) is not pdf._stylesheet(css)
