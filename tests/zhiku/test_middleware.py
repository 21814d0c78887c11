"""The request guard (zhiku.middleware): the cases the crawl found, each with its answer."""

import pytest

from tests.factories import ArticleFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(role_user(roles.EDITOR))
    return client


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "%00", "1e3", "%FF"])
def test_history_pages_with_a_malformed_id_are_404(editor_client, bad_id):
    """Issue and article history, and one history record, answer 404 for an id that is no key."""
    article = ArticleFactory()
    for url in (
        "/admin/briefs/issue/%s/history/" % bad_id,
        "/admin/briefs/article/%s/history/" % bad_id,
        "/admin/briefs/issue/%s/history/%s/" % (article.issue_id, bad_id),
        "/admin/briefs/article/%s/history/%s/" % (article.pk, bad_id),
        "/admin/briefs/article/%s/history/1/" % bad_id,
    ):
        assert editor_client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "query", ["q=%00", "term=%00&app_label=briefs&model_name=article&field_name=issue", "q=%FF%FE"]
)
def test_nul_bytes_and_invalid_utf8_are_refused_in_chinese(editor_client, query):
    """A NUL byte (PostgreSQL cannot hold one) or invalid UTF-8 in the query string: 400, in Chinese."""
    path = "/admin/autocomplete/" if query.startswith("term") else "/admin/briefs/issue/"
    response = editor_client.get(path + "?" + query)
    assert response.status_code == 400
    assert "地址" in response.content.decode()


def test_huge_integers_in_filters_are_refused(editor_client):
    """?cluster=99999999999999999999 and a date-hierarchy year of 20 digits: 400, naming the parameter."""
    for url in (
        "/admin/briefs/article/?cluster=99999999999999999999",
        "/admin/briefs/issue/?issue_date__year=-99999999999999999999",
    ):
        response = editor_client.get(url)
        assert response.status_code == 400
        assert "超出范围" in response.content.decode()


def test_a_huge_number_in_the_search_box_is_only_text(editor_client):
    """In the search box a long number is something to look for, not a parameter out of range."""
    assert editor_client.get("/admin/briefs/issue/?q=99999999999999999999").status_code == 200


def test_a_thousand_word_search_is_cut_with_a_message(editor_client):
    """A search of 1,000 words runs on its first 20 words and says so."""
    response = editor_client.get("/admin/briefs/article/?q=" + "+".join(["深圳"] * 1000))
    assert response.status_code == 200
    assert "搜索内容过长" in response.content.decode()
    assert response.context["cl"].query == " ".join(["深圳"] * 20)
