"""Names people understand: issue names, history pages in words, rendered read-only bodies, and
each role's start page starting with its work."""

import pytest
from django.urls import reverse

from briefs import services
from briefs.models import Issue
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory
from zhiku.actors import SYSTEM

from .conftest import CI, A, E, R, act


@pytest.mark.django_db
def test_issue_names(series, django_assert_num_queries):
    """Numbered: "领军参阅 2026年第1期（总第118期）"; before: "领军参阅（拟）《first article title》",
    or the subject when one is set; naming costs no query."""
    numbered = NumberedIssueFactory(series=series, year=2026, number=1, total_number=118)
    assert str(numbered) == f"{series.name} 2026年第1期（总第118期）"
    draft = IssueFactory(series=series)
    assert str(draft) == f"{series.name}（拟）《未命名》"
    ArticleFactory(issue=draft, position=2, title="第二篇")
    ArticleFactory(issue=draft, position=1, title="深圳五大举措")
    draft = Issue.objects.select_related("series").get(pk=draft.pk)
    with django_assert_num_queries(0):
        assert str(draft) == f"{series.name}（拟）《深圳五大举措》"
    draft.subject = "新质生产力专题"
    assert str(draft) == f"{series.name}（拟）《新质生产力专题》"


@pytest.mark.django_db
def test_every_article_service_keeps_the_issues_cached_title(series):
    """``Issue.first_article_title`` is written by the article services and nothing else: adding,
    retitling, reordering and deleting articles, and the historical loader, each leave it naming
    the first article (no signal receiver does it behind their back)."""

    def cached(issue):
        return Issue.objects.values_list("first_article_title", flat=True).get(pk=issue.pk)

    draft = IssueFactory(series=series)
    second = services.article_create(issue=draft, title="第二篇", body="<p>二</p>", position=2, user=SYSTEM)
    assert cached(draft) == "第二篇"
    first = services.article_create(issue=draft, title="第一篇", body="<p>一</p>", position=1, user=SYSTEM)
    assert cached(draft) == "第一篇"
    services.article_update(article=first, seen_version=first.version, title="第一篇（改）", user=SYSTEM)
    assert cached(draft) == "第一篇（改）"
    services.article_update(article=first, seen_version=first.version, position=3, user=SYSTEM)
    assert cached(draft) == "第二篇"
    services.articles_delete(articles=[second], user=SYSTEM)
    assert cached(draft) == "第一篇（改）"
    services.articles_delete(articles=[first], user=SYSTEM)
    assert cached(draft) == ""
    loaded = services.issue_load_historical(
        series=series,
        status=Issue.Status.RELEASED,
        year=2024,
        number=1,
        total_number=117,
        articles=[services.HistoricalArticle(title="存档首篇", body="<p>存</p>")],
    )
    assert cached(loaded) == "存档首篇"


@pytest.mark.django_db
def test_history_page_shows_labels_choice_labels_and_names(client, issue, people):
    """No raw field names, status values or logins on the history page."""
    act(issue, people, "submit", E)
    issue.refresh_from_db()
    Issue.history.filter(id=issue.pk).update(history_user=people[E])
    client.force_login(people[A])
    page = client.get(reverse("admin:briefs_issue_history", args=[issue.pk])).content.decode()
    assert "状态：" in page and "草稿" in page and "审核中" in page
    assert "draft" not in page.split('id="change-history"')[1].split("</table>")[0]
    assert "李编辑" in page


@pytest.mark.django_db
def test_read_only_body_is_rendered_not_shown_as_source(client, issue, people):
    act(issue, people, "submit", E)
    client.force_login(people[R])
    for url in (
        reverse("admin:briefs_issue_change", args=[issue.pk]),
        reverse("admin:briefs_article_change", args=[issue.articles.get().pk]),
    ):
        page = client.get(url).content.decode()
        assert '<div class="zhiku-rendered-body"><h2>举措一：前瞻布局产业集群</h2>' in page
        assert "&lt;h2&gt;" not in page and "&lt;p&gt;" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "first_app"), [(CI, "circulation"), (R, "briefs"), (E, "briefs")])
def test_start_page_lists_waiting_for_me_then_the_roles_main_app(client, people, role, first_app):
    client.force_login(people[role])
    page = client.get(reverse("admin:index")).content.decode()
    waiting = page.index('id="waiting-for-me"')
    apps = [
        page.index(f'class="app-{label} module')
        for label in ("briefs", "circulation")
        if f'class="app-{label} module' in page
    ]
    assert waiting < min(apps)
    assert page.index(f'class="app-{first_app} module') == min(apps)
