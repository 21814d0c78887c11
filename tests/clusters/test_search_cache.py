"""The archive search's stored results (clusters.search_cache): reused while nothing changed,
never read after a change. These tests commit (transactional_db), as the site does: inside the test
runner's wrapping transaction every search bypasses the cache."""

import pytest
from django.db import transaction

from briefs.models import Issue
from clusters import search as archive
from clusters import search_cache
from clusters.models import ArticleCluster, Cluster
from tests.factories import ArticleFactory, SeriesFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chips(shenzhen):
    series = SeriesFactory(name="领军参阅", slug="lingjun")
    issue = Issue.objects.create(series=series)  # a draft: its articles may be edited
    return [
        ArticleFactory(issue=issue, position=i + 1, title="第%d篇" % i, body="<p>芯片设计企业加速集聚。</p>")
        for i in range(45)
    ]


def test_a_repeated_search_and_its_next_pages_read_no_index(chips, django_assert_num_queries):
    """The first search ranks every match once; the same query again, and its other pages, are
    served from the cache without a query."""
    first = archive.search("芯片", facets=False, page=1)
    with django_assert_num_queries(0):
        again = archive.search("芯片", facets=False, page=1)
        third = archive.search("芯片", facets=False, page=3)
        every = archive.search("芯片", facets=False)
    assert again.ids == first.ids and len(first.ids) == 20 and first.total == again.total == 45
    assert third.ids == every.ids[40:45] and third.page == 3
    assert archive.search("芯片", facets=False, page=9).page == 3  # past the end: the last page


def test_a_page_of_results_is_built_once_and_rebuilt_after_a_change(chips, node, django_assert_num_queries):
    """The titles, issue, tags and snippets of a page shown before come from the cache; a new
    title, a renamed series or a new tag shows at once."""
    found = archive.search("芯片", facets=False, page=1)
    first = archive.results(search=found, ids=found.ids)
    with django_assert_num_queries(0):
        again = archive.results(search=archive.search("芯片", facets=False, page=1), ids=found.ids)
    assert [str(r.title) for r in again] == [str(r.title) for r in first]
    article = next(a for a in chips if a.pk == found.ids[0])
    article.title = "芯片新题"
    article.save()
    assert str(archive.results(search=found, ids=found.ids)[0].title) == "<mark>芯片</mark>新题"
    series = article.issue.series
    series.name = "决策参考"
    series.save()
    assert archive.results(search=found, ids=found.ids)[0].issue.series.name == "决策参考"
    ArticleCluster.objects.create(article=article, cluster=node("智能机器人"))
    assert [c.name for c in archive.results(search=found, ids=found.ids)[0].clusters] == ["智能机器人"]


def test_an_edited_article_is_found_by_its_new_words_at_once(chips):
    """A stored result is never shown after the article changes: new words are found, old ones
    no longer, a deleted article is gone."""
    article = chips[0]
    assert archive.search("量子").ids == []
    assert article.pk in archive.search("芯片").ids
    article.body = "<p>量子信息技术取得突破。</p>"
    article.save()
    assert archive.search("量子").ids == [article.pk]
    assert article.pk not in archive.search("芯片").ids
    article.delete()
    assert archive.search("量子").ids == []
    assert archive.search("芯片").total == 44


def test_issue_status_tags_and_clusters_invalidate(chips, role_user, node):
    """A draft signed becomes visible to a reviewer; a new tag shows in the facets and the filter."""
    draft = Issue.objects.create(series=chips[0].issue.series)
    hidden = ArticleFactory(issue=draft, title="草稿", body="<p>储能电站。</p>")
    reviewer = role_user("reviewer")
    assert archive.search("储能", user=reviewer).ids == []
    draft.status = Issue.Status.SIGNED
    draft.save(transition=True)  # what the workflow's sign-off writes
    assert archive.search("储能", user=reviewer).ids == [hidden.pk]

    robots = node("智能机器人")
    assert archive.search("芯片", filters=archive.SearchFilters(cluster_id=robots.pk)).ids == []
    ArticleCluster.objects.create(article=chips[1], cluster=robots)
    found = archive.search("芯片", filters=archive.SearchFilters(cluster_id=robots.pk))
    assert found.ids == [chips[1].pk]
    parent = robots.parent
    assert archive.search("芯片", filters=archive.SearchFilters(cluster_id=parent.pk)).ids == [chips[1].pk]
    # The tree changes: the cluster moves under another category, which now counts it.
    other = Cluster.objects.filter(parent__isnull=True, taxonomy=robots.taxonomy).exclude(pk=parent.pk).first()
    robots.parent = other
    robots.save()
    assert archive.search("芯片", filters=archive.SearchFilters(cluster_id=other.pk)).ids == [chips[1].pk]
    assert archive.search("芯片", filters=archive.SearchFilters(cluster_id=parent.pk)).ids == []


def test_a_rolled_back_edit_leaves_nothing_behind(chips):
    """Inside a transaction with an uncommitted edit, the search sees the edit but stores nothing:
    after a rollback the committed rows are what is found."""
    article = chips[0]
    assert archive.search("量子").ids == []
    with pytest.raises(RuntimeError), transaction.atomic():
        article.body = "<p>量子信息技术取得突破。</p>"
        article.save()
        assert archive.search("量子").ids == [article.pk]
        raise RuntimeError("rolled back")
    assert archive.search("量子").ids == []


def test_the_generation_moves_again_at_commit(chips):
    """A search run by another connection between the write and its commit (it sees the old rows)
    is stored under a generation that the commit leaves behind."""
    with transaction.atomic():
        chips[0].body = "<p>量子信息。</p>"
        chips[0].save()
        during = search_cache.generation()
    assert search_cache.generation() != during


def test_no_stored_results_without_a_shared_cache(chips, settings, django_assert_num_queries):
    """Without a cache every process shares (no Redis: each worker has its own memory), each
    search asks the database: a write made through another worker could not reach stored results."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SHARED_CACHE = False
    with CaptureQueriesContext(connection) as first:
        archive.search("芯片", facets=False, page=1)
    with CaptureQueriesContext(connection) as again:
        archive.search("芯片", facets=False, page=1)
    assert len(again.captured_queries) == len(first.captured_queries) > 0
