"""Rich text is cleaned on every write path with one allowlist."""

import pytest

from briefs.models import Article
from tests.factories import ArticleFactory, IssueFactory
from zhiku.sanitizer import sanitize_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ('<p>正文<script>alert("x")</script></p>', "<script"),
        ('<p>正文</p><img src="x.png" onerror="alert(1)">', "onerror"),
        ('<p><a href="javascript:alert(1)">链接</a></p>', "javascript:"),
        ('<p style="color:red" class="MsoNormal">正文</p>', "MsoNormal"),
        ('<iframe src="https://evil.example"></iframe><p>正文</p>', "<iframe"),
    ],
)
def test_dangerous_markup_is_removed_and_text_kept(dirty, forbidden):
    """Scripts, handlers, javascript: URLs and Word classes go; the Chinese text stays."""
    clean = sanitize_html(dirty)
    assert forbidden not in clean
    assert "正文" in clean or "链接" in clean


def test_word_paste_keeps_structure():
    """A paste from Word keeps headings, paragraphs, bold and tables, and loses Office markup."""
    word = (
        '<h2 style="mso-outline-level:2"><span lang="ZH-CN">举措一：瞄准前沿</span></h2>'
        '<p class="MsoNormal"><b>加粗</b><o:p></o:p>正文</p>'
        '<table><tr><td colspan="2" style="border:1px">单元格</td></tr></table>'
    )
    clean = sanitize_html(word)
    assert "<h2>举措一：瞄准前沿</h2>" in clean
    assert "<b>加粗</b>" in clean
    assert '<td colspan="2">单元格</td>' in clean
    assert "mso" not in clean and "o:p" not in clean and "style" not in clean


def test_sanitising_twice_changes_nothing():
    """Idempotent, so services and the field may both clean."""
    once = sanitize_html('<p>一<script>x</script><a href="https://example.com">二</a></p>')
    assert sanitize_html(once) == once


@pytest.mark.django_db
def test_model_save_path_sanitises_body():
    """Even a direct ORM save (shell, import) cannot store a script."""
    article = ArticleFactory(issue=IssueFactory(), body='<p onclick="x()">正文</p><script>bad()</script>')
    article.refresh_from_db()
    assert article.body == "<p>正文</p>"
    assert Article.objects.filter(body__contains="script").count() == 0
