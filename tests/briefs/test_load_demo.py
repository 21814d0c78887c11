"""load_demo builds issue 117 as structured content and is idempotent."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from briefs import demo_content
from briefs.models import Article, Editor, Issue, Series

pytestmark = pytest.mark.django_db


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Series, Editor, Issue, Article, get_user_model())
    }


def test_issue_117_is_structured(demo):
    """The five 举措 are headings and every paragraph is its own <p>; nothing is one blob."""
    issue = demo["issue_117"]
    assert (issue.year, issue.number, issue.total_number, str(issue.issue_date)) == (2024, 2, 117, "2024-01-19")
    assert issue.effective_print_run == 70
    assert issue.responsible_editor.name == "郭书颖"
    assert issue.responsible_editor.phone == "18610038942"
    article = issue.articles.get()
    assert article.title == "深圳五大举措厚植新质生产力"
    headings = re.findall(r"<h2>(.*?)</h2>", article.body)
    assert [h[:3] for h in headings] == ["举措一", "举措二", "举措三", "举措四", "举措五"]
    paragraphs = re.findall(r"<p>(.*?)</p>", article.body)
    assert len(paragraphs) == 22
    assert paragraphs[0].startswith("深圳把发展战略性新兴产业")
    # lines the printer broke across pages are joined back into one paragraph
    assert any("高端装备制造、绿色低碳" in p for p in paragraphs)
    assert "“工业上楼”计划" in article.body


def test_series_as_printed(demo):
    series = Series.objects.get(slug="lingjun")
    assert series.name == "领军参阅"
    assert series.publishers == ["苏州太湖书院 主办", "苏州太湖智库"]
    assert series.tagline == "市管重点新型智库"
    assert series.address == "苏州市吴中区胥口镇灵山路 609 号"


def test_running_twice_changes_nothing(demo, settings):
    """A second run adds no rows and changes no article body."""
    before = table_counts()
    bodies = list(Article.objects.order_by("pk").values_list("body", flat=True))
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert table_counts() == before
    assert list(Article.objects.order_by("pk").values_list("body", flat=True)) == bodies


def test_demo_accounts_one_per_role(demo):
    """Accounts exist for every role, as staff, with the documented password."""
    User = get_user_model()
    for username in ("admin", "editor", "chief", "reviewer", "leader", "clerk"):
        user = User.objects.get(username=username)
        assert user.is_staff
        assert user.check_password("zhiku-demo")
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="editor").groups.filter(name="编辑").exists()
    assert User.objects.get(username="leader").groups.filter(name="签发").exists()
    assert User.objects.get(username="clerk").groups.filter(name="发行").exists()


def test_no_accounts_without_debug(settings):
    """In production (DEBUG off) load_demo makes content but no accounts with a known password."""
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Issue.objects.filter(total_number=117).exists()
    assert not get_user_model().objects.filter(username="editor").exists()


def test_demo_text_matches_the_seed():
    """demo_content is the seed's text: every block appears in the printed issue (whitespace aside)."""
    from pathlib import Path

    # The printed issue's text, kept in the repository so a clone alone can run the suite.
    seed = Path(__file__).resolve().parents[1] / "data" / "issue_117_seed.txt"
    flat = re.sub(r"\s+", "", seed.read_text(encoding="utf-8"))
    for _kind, text in demo_content.ARTICLE_BLOCKS:
        assert re.sub(r"\s+", "", text) in flat
    assert demo_content.BAO_LINE in flat
