"""An archive of a given size, written with bulk_create: numbered issues, their articles, numbered
copies with dispatches and receipts, and workflow events. Used by bench/bench_admin.py (issue 16's
sizes or a tenth of them) and by the query-plan test (a few thousand rows, enough for the planner
to choose an index over a scan).

The rows are written straight to the tables (no services, no history, no search index): the
point is the size of the tables the admin lists read, not how the rows came to be."""

from dataclasses import dataclass
from typing import NamedTuple

# Issue 16's measured archive; the benchmark builds a tenth by default.
FULL = {"issues": 10_000, "articles": 20_000, "copies": 100_100, "movements": 163_252, "events": 45_000}
# Enough for one full page of each admin list, the not-signed-for copies included (102 of them).
ONE_PAGE = {"issues": 101, "articles": 101, "copies": 816, "movements": 816, "events": 101}
TENTH = {"issues": 1_000, "articles": 2_000, "copies": 10_010, "movements": 16_325, "events": 4_500}

BATCH = 2_000


class BigList(NamedTuple):
    """An admin list that reads one of the archive's big tables (issue 16)."""

    name: str
    url_name: str  # the changelist's URL name
    query: str  # the query string (a filter), "" for the list as it opens
    table: str  # the table the list reads


# The lists the archive is built for: the benchmark times their pages, the query-plan test checks
# that each reads an index.
BIG_LISTS = [
    BigList("copies", "admin:circulation_copy_changelist", "", "circulation_copy"),
    BigList("copies not signed for", "admin:circulation_copy_changelist", "receipt=open", "circulation_copy"),
    BigList("movements", "admin:circulation_copymovement_changelist", "", "circulation_copymovement"),
    BigList("articles", "admin:briefs_article_changelist", "", "briefs_article"),
    BigList("events", "admin:briefs_issueevent_changelist", "", "briefs_issueevent"),
    BigList("issues", "admin:briefs_issue_changelist", "", "briefs_issue"),
]


@dataclass(frozen=True)
class Volume:
    issues: int
    articles: int
    copies: int
    movements: int
    events: int


def build_archive(*, issues: int, articles: int, copies: int, movements: int, events: int, actor) -> Volume:
    """Write the rows. Copies are spread evenly over the issues and addressed to 50 recipients;
    movements are dispatches of the first copies, then receipts of most of them, so about one
    dispatched copy in eight stays "not signed for" (each copy's ``state`` column set to match)."""
    import datetime

    from briefs.models import Article, Editor, Issue, IssueEvent, Series
    from briefs.states import Action, IssueStatus
    from circulation.models import Copy, CopyMovement, Recipient

    count = Series.objects.count()
    series = Series.objects.create(name="体量刊物%d" % count, slug="volume-%d" % count, publisher_lines="x")
    editor = Editor.objects.create(name="体量编辑", phone="1")
    start = Issue.objects.count()
    Issue.objects.bulk_create(
        (
            Issue(
                series=series,
                year=1900 + i // 100,
                number=i % 100 + 1,
                total_number=start + i + 1,
                issue_date=datetime.date(1900 + i // 100, 1, 1),
                status=Issue.Status.RELEASED,
                responsible_editor=editor,
                first_article_title="第%d期文章" % (i + 1),
            )
            for i in range(issues)
        ),
        batch_size=BATCH,
    )
    issue_ids = list(Issue.objects.filter(series=series).order_by("id").values_list("id", flat=True))
    Article.objects.bulk_create(
        (
            Article(
                issue_id=issue_ids[i % issues],
                position=i // issues + 1,
                title="文章%d" % i,
                body="<p>正文%d</p>" % i,
                byline="新华社",
            )
            for i in range(articles)
        ),
        batch_size=BATCH,
    )
    IssueEvent.objects.bulk_create(
        (
            IssueEvent(
                issue_id=issue_ids[i % issues],
                action=Action.SUBMIT,
                from_status=IssueStatus.DRAFT,
                to_status=IssueStatus.IN_REVIEW,
                actor=actor,
                comment="请审",
            )
            for i in range(events)
        ),
        batch_size=BATCH,
    )

    recipients = Recipient.objects.bulk_create(
        Recipient(
            name="收文人%d" % n, title="主任", printed_name="收文人%d主任（体量%d）" % (n, start), protocol_order=n
        )
        for n in range(50)
    )
    dispatched = min(copies, movements * 9 // 16)
    received = min(dispatched, movements - dispatched)
    per_issue = max(1, -(-copies // issues))

    def state(k: int) -> str:
        if k < received:
            return CopyMovement.Kind.RECEIVED
        return CopyMovement.Kind.DISPATCHED if k < dispatched else ""

    Copy.objects.bulk_create(
        (
            Copy(
                issue_id=issue_ids[k // per_issue % issues],
                serial=k % per_issue + 1 + k // (per_issue * issues) * per_issue,
                recipient=recipients[k % 50],
                printed_name=recipients[k % 50].printed_name,
                state=state(k),
            )
            for k in range(copies)
        ),
        batch_size=BATCH,
    )
    copy_ids = list(Copy.objects.filter(issue__series=series).order_by("id").values_list("id", flat=True))
    day = datetime.date(2024, 1, 20)
    kinds = [CopyMovement.Kind.DISPATCHED] * dispatched + [CopyMovement.Kind.RECEIVED] * received
    CopyMovement.objects.bulk_create(
        (
            CopyMovement(
                copy_id=copy_ids[k if k < dispatched else k - dispatched],
                kind=kind,
                signer="收发室" if kind == CopyMovement.Kind.RECEIVED else "",
                date=day,
                created_by=actor,
            )
            for k, kind in enumerate(kinds)
        ),
        batch_size=BATCH,
    )
    return Volume(issues, articles, copies, len(kinds), events)


def analyze() -> None:
    """Fresh planner statistics (PostgreSQL's ANALYZE; SQLite's fills sqlite_stat1)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
