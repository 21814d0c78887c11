"""The search finds articles through its index, never by reading the whole article table.

Real articles are long (issue 117's are about 9 KB), so PostgreSQL keeps their bodies out of line
and the article table's own pages are few. For a character most articles hold, its planner then
prefers reading those few pages and computing ``clusters_search_vector`` (regular expressions
over the whole article) for every row to a bitmap scan of the GIN index, which computes nothing:
18 s instead of 45 ms at 20,000 articles. On SQLite the FTS5 table gives the ids, and articles
are read by their row id."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters import search
from tests.factories import ArticleFactory, NumberedIssueFactory

# About 9 KB of text: stored out of line (TOAST) on PostgreSQL, as a real article's body is.
LONG_BODY = "<p>" + "发展新质生产力，推进产业集群建设。" * 200 + "</p>"
ARTICLES = 40


@pytest.fixture
def long_articles(shenzhen):
    issue = NumberedIssueFactory()
    articles = [ArticleFactory(issue=issue, title="第%d篇" % n, body=LONG_BODY) for n in range(ARTICLES)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner knows how few pages the articles take
        if connection.vendor == "postgresql":
            # New entries wait in the GIN index's pending list, whose hits are rechecked (the
            # function computed) until a vacuum merges them: merge them now, as autovacuum would.
            cursor.execute("SELECT gin_clean_pending_list('clusters_article_search_gin'::regclass)")
    return articles


def _vector_calls(cursor) -> int:
    cursor.execute(
        "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'clusters_search_vector'"
    )
    return cursor.fetchone()[0]


def test_a_common_character_is_found_through_the_index_not_by_computing_every_article(long_articles):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Counted for this transaction only (pg_stat_xact_*): the test's own inserts above
            # computed the function for the index; the search must not compute it at all.
            cursor.execute("SET LOCAL track_functions = 'all'")
            cursor.execute("SELECT current_setting('jit')")
            (jit,) = cursor.fetchone()
            before = _vector_calls(cursor)
            found = search.search("展")
            assert _vector_calls(cursor) - before == 0
            # The search's planner settings end with it, though this test's transaction goes on.
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
            assert cursor.fetchone() == ("on", jit)
    else:
        with CaptureQueriesContext(connection) as captured:
            found = search.search("展")
        (matching,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH kept")]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + matching)
            plan = [row[-1] for row in cursor.fetchall()]
        assert any(line.startswith("SCAN clusters_searchterms VIRTUAL TABLE") for line in plan), plan
        assert not [line for line in plan if line.startswith(("SCAN a", "SCAN briefs_article"))], plan
    assert found.total == ARTICLES
