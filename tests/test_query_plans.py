"""The big admin lists read an index, not the whole table (issue 16): with a few thousand copies,
movements, articles and events and fresh planner statistics, the query of each list's first
page — as the changelist builds it, with its ordering, joins and filter — is planned without a
sequential scan of those tables on PostgreSQL; on SQLite, without sorting the table in a temporary
B-tree and without scanning a joined table (the order comes from an index or the row id)."""

import pytest
from django.db import connection
from django.urls import reverse

from bench.volume import analyze, build_archive
from tests.factories import UserFactory

BIG_TABLES = ["circulation_copy", "circulation_copymovement", "briefs_article", "briefs_issueevent"]

# (changelist URL name, query string, the table the list reads)
LISTS = [
    ("admin:circulation_copy_changelist", "", "circulation_copy"),
    ("admin:circulation_copy_changelist", "receipt=open", "circulation_copy"),
    ("admin:circulation_copy_changelist", "state=dispatched", "circulation_copy"),
    ("admin:circulation_copymovement_changelist", "", "circulation_copymovement"),
    ("admin:briefs_article_changelist", "", "briefs_article"),
    ("admin:briefs_issueevent_changelist", "", "briefs_issueevent"),
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
        scanned = [t for t in BIG_TABLES if "Seq Scan on %s" % t in plan]
        assert not scanned, plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        scans = [ln.split(" SCAN ", 1)[1] for ln in plan.splitlines() if " SCAN " in ln]
        big_scans = [scan for scan in scans if scan.split()[0] in BIG_TABLES]
        # The list's own table is read in index (or row id) order; every other big table by key.
        assert all(scan.split()[0] == table for scan in big_scans), plan
