"""The search page's content is kept beside the search's results: rendered once per query string
and view of the archive, rendered afresh after a change, never shown to someone with another view.
These tests commit (transactional_db), as the site does: inside the test runner's wrapping
transaction nothing is kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Issue
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory, SeriesFactory

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/clusters/search/"


@pytest.fixture
def issues(shenzhen):
    series = SeriesFactory(name="领军参阅", slug="lingjun")
    signed = NumberedIssueFactory(series=series, status=Issue.Status.SIGNED)
    draft = IssueFactory(series=series)
    return {
        "signed": ArticleFactory(issue=signed, title="芯片产业链", body="<p>芯片设计企业加速集聚。</p>"),
        "draft": ArticleFactory(issue=draft, title="芯片人才（拟）", body="<p>芯片人才政策。</p>"),
    }


def _page(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"q": "芯片", **params})
    assert response.status_code == 200
    return response.content.decode().split('id="content-main"')[1], len(ctx.captured_queries)


def test_the_page_is_rendered_once_and_afresh_after_a_change(client, issues, role_user):
    client.force_login(role_user("editor"))
    first, first_queries = _page(client)
    again, again_queries = _page(client)
    assert again == first and "找到 2 篇文章" in first
    # Only the session, the user and the role check: no search, no form choices, no results.
    assert again_queries < first_queries and again_queries <= 4
    ArticleFactory(issue=issues["draft"].issue, title="芯片新篇", body="<p>芯片封装。</p>")
    changed, _queries = _page(client)
    assert "找到 3 篇文章" in changed and "<mark>芯片</mark>新篇" in changed
    # Another filter: its own content.
    assert "找到 2 篇文章" in _page(client, status=Issue.Status.DRAFT)[0]


def test_someone_with_another_view_of_the_archive_never_gets_the_kept_page(client, issues, role_user):
    """The editor's page lists the draft; circulation staff, who may not find drafts, get their own."""
    client.force_login(role_user("editor"))
    editors, _queries = _page(client)
    assert "芯片人才（拟）" in editors.replace("<mark>", "").replace("</mark>", "")
    client.force_login(role_user("circulation", username="clerk"))
    clerks, _queries = _page(client)
    assert "找到 1 篇文章" in clerks and "人才（拟）" not in clerks
