"""The big admin lists read an index, not the whole table (issue 16): with a few thousand copies,
movements, articles and events and fresh planner statistics, the query of each list's first
page — as the changelist builds it, with its ordering, joins and filter — is planned without a
sequential scan of those tables on PostgreSQL; on SQLite, without sorting the table in a temporary
B-tree and without scanning a joined table (the order comes from an index or the row id)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.volume import BIG_LISTS, analyze, build_archive
from tests.factories import UserFactory

BIG_TABLES = ["circulation_copy", "circulation_copymovement", "briefs_article", "briefs_issueevent"]

# (changelist URL name, query string, the table the list reads): the lists the benchmark times
# (issues, 10,000 at the full size, are no big table, but the list's page reads its own index),
# and the copies filtered by their latest movement.
LISTS = [
    *((page.url_name, page.query, page.table) for page in BIG_LISTS),
    ("admin:circulation_copy_changelist", "state=dispatched", "circulation_copy"),
]


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """300 issues, 3,000 articles, 6,000 copies (about 750 out and not signed for), 9,000
    movements, 3,000 events; kept for the module, removed after it."""
    with django_db_blocker.unblock():
        root = UserFactory(username="plans-root", is_superuser=True)
        build_archive(issues=300, articles=3_000, copies=6_000, movements=9_000, events=3_000, actor=root)
        analyze()
        yield root
        _remove_archive()


def _remove_archive():
    from django.contrib.auth import get_user_model

    from briefs.models import Article, Editor, Issue, IssueEvent, Series
    from circulation.models import Copy, CopyMovement, Recipient

    # Movements refuse Model.delete() (append-only); a raw delete of the whole test archive is the
    # tear-down, not a ledger operation.
    CopyMovement.objects.all()._raw_delete(connection.alias)
    Copy.objects.all()._raw_delete(connection.alias)
    IssueEvent.objects.all()._raw_delete(connection.alias)
    Article.objects.all()._raw_delete(connection.alias)
    Issue.objects.all()._raw_delete(connection.alias)
    for model in (Recipient, Editor, Series):
        model.objects.all()._raw_delete(connection.alias)
    get_user_model().objects.filter(username="plans-root").delete()


def _first_page_plan(client, url_name: str, query: str) -> str:
    response = client.get("%s?%s" % (reverse(url_name), query))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count > changelist.list_per_page  # the list has more than one page
    return changelist.queryset[: changelist.list_per_page].explain()


@pytest.mark.parametrize(("url_name", "query", "table"), LISTS)
def test_first_page_of_a_big_list_reads_an_index(archive, db, client, url_name, query, table):
    """No sequential scan (PostgreSQL) / no sort of the table and no scan of a joined table
    (SQLite) in the plan of the list's first page."""
    client.force_login(archive)
    plan = _first_page_plan(client, url_name, query)
    if connection.vendor == "postgresql":
        scanned = [t for t in {*BIG_TABLES, table} if "Seq Scan on %s" % t in plan]
        assert not scanned, plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        scans = [ln.split(" SCAN ", 1)[1] for ln in plan.splitlines() if " SCAN " in ln]
        big_scans = [scan for scan in scans if scan.split()[0] in BIG_TABLES]
        # The list's own table is read in index (or row id) order; every other big table by key.
        assert all(scan.split()[0] == table for scan in big_scans), plan


def _page_queries(client, url: str) -> list[str]:
    client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


# Besides the lists above, filtered by an issue (the filter then names it besides the latest ones).
EVERY_QUERY_LISTS = [*LISTS, ("admin:circulation_copy_changelist", "issue__id__exact=1", "circulation_copy")]


@pytest.mark.parametrize(("url_name", "query", "table"), EVERY_QUERY_LISTS)
def test_every_query_of_a_big_list_reads_an_index(archive, db, client, monkeypatch, url_name, query, table):
    """Every query the page runs — the filters' choices (the latest issues with records, the
    recipients with copies) and the paginator's capped count included, not only the first page —
    is planned without a sequential scan of copies, movements, articles or events (PostgreSQL),
    and without sorting one of them or de-duplicating anything in a temporary B-tree (SQLite).
    The cap is lowered below the test archive's size, as the real archive is above 10,000 rows
    (a count covering the whole of a small table may rightly be planned as a scan)."""
    from zhiku.admin_paging import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 500)
    client.force_login(archive)
    plans = []
    with connection.cursor() as cursor:
        for sql in _page_queries(client, "%s?%s" % (reverse(url_name), query)):
            if not sql.startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
                continue
            cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql)
            plans.append((sql, "\n".join(str(row) for row in cursor.fetchall())))
    assert plans
    for sql, plan in plans:
        if connection.vendor == "postgresql":
            assert not [t for t in BIG_TABLES if "Seq Scan on %s" % t in plan], (sql, plan)
        else:
            assert "USE TEMP B-TREE FOR DISTINCT" not in plan, (sql, plan)
            reads = sql.split(' FROM "', 1)[1].split('"', 1)[0]  # the table the query reads from
            if reads in BIG_TABLES:
                assert "USE TEMP B-TREE" not in plan, (sql, plan)


def test_the_count_stops_at_the_cap_and_says_so(archive, db, client, monkeypatch):
    """Past the cap the copies list counts cap + 1 rows (a LIMIT in the count) and reads "超过 N
    条" instead of a total; the pages offered are those the capped count covers."""
    from zhiku.admin_paging import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 500)
    client.force_login(archive)
    url = reverse("admin:circulation_copy_changelist")
    counts = [sql for sql in _page_queries(client, url) if "COUNT(" in sql]
    assert len(counts) == 1 and "LIMIT 501" in counts[0], counts
    response = client.get(url)
    assert response.context["cl"].result_count == 501
    content = response.content.decode()
    assert "超过 500" in content
    # The action bar offers every copy without claiming the capped count as the total.
    assert "选择全部（超过 500）" in content and "已选择全部（超过 500）" in content
    assert "超过 500 条结果" in content and "501" not in content


def test_a_short_list_shows_its_exact_count(archive, db, client):
    """Under the cap the list shows its exact count (copies of one issue)."""
    from circulation.models import Copy

    client.force_login(archive)
    issue_id = Copy.objects.order_by("-issue_id").values_list("issue_id", flat=True).first()
    response = client.get(reverse("admin:circulation_copy_changelist"), {"issue__id__exact": issue_id})
    expected = Copy.objects.filter(issue_id=issue_id).count()
    assert response.context["cl"].result_count == expected
    assert not response.context["cl"].paginator.is_capped


# Queries per page with the archive above, by role: session, user, (the role's groups and
# permissions), the filters' choices, the capped count, the page. The same on an empty archive.
# {(changelist URL name, query string): {role: queries}}
ROLE_QUERIES = {
    ("admin:circulation_copy_changelist", ""): {"superuser": 6, "circulation": 8},
    ("admin:circulation_copy_changelist", "receipt=open"): {"superuser": 6, "circulation": 8},
    ("admin:circulation_copymovement_changelist", ""): {"superuser": 4, "circulation": 6},
    ("admin:briefs_article_changelist", ""): {"superuser": 6, "circulation": 8, "editor": 8},
    ("admin:briefs_issueevent_changelist", ""): {"superuser": 4},
    # The issues list counts exactly and lists the distinct years and the current stages' names.
    ("admin:briefs_issue_changelist", ""): {"superuser": 8, "editor": 10, "circulation": 10},
}


@pytest.mark.parametrize(
    ("role_key", "url_name", "query", "expected"),
    [(role, url_name, query, n) for (url_name, query), by_role in ROLE_QUERIES.items() for role, n in by_role.items()],
)
def test_list_queries_per_role(archive, db, client, django_assert_num_queries, role_key, url_name, query, expected):
    """Each changed list runs a fixed number of queries per role, however big the archive."""
    from tests.factories import role_user

    user = archive if role_key == "superuser" else role_user(role_key, username="plans-" + role_key)
    client.force_login(user)
    url = "%s?%s" % (reverse(url_name), query)
    client.get(url)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_an_older_issue_chosen_in_the_filter_is_named(archive, db, client, django_assert_num_queries):
    """Filtered by an issue older than the latest twenty, the filter still names it (one query
    more), and the list shows that issue's copies only."""
    from circulation.models import Copy

    client.force_login(archive)
    oldest = Copy.objects.order_by("issue_id").values_list("issue_id", flat=True).first()
    url = "%s?issue__id__exact=%s" % (reverse("admin:circulation_copy_changelist"), oldest)
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    issue_filter = next(s for s in response.context["cl"].filter_specs if s.parameter_name == "issue__id__exact")
    assert str(oldest) in [value for value, _name in issue_filter.lookup_choices]
    assert len(issue_filter.lookup_choices) == issue_filter.latest + 1  # the latest twenty and this one
    assert {c.issue_id for c in response.context["cl"].result_list} == {oldest}
