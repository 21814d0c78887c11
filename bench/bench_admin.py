"""Admin lists as the archive grows (issue 16): each big changelist's p50 on a near-empty archive
and on a tenth of issue 16's archive (1,000 issues, 2,000 articles, 10,010 copies, 16,325
movements, 4,500 events; the full size with BENCH_ADMIN_FULL=1), and the ratio (target ≤ 2×);
queries per role on the index, an issue's page and the lists; the dispatch sheet of 10,000 rows
against plain csv / openpyxl writers producing the same rows in the same run (target ≤ 2×).

Pages are requested in-process through Django's test client, 20 times each after one warm-up."""

import csv
import io
import os
import statistics
import time

REQUESTS = 20
EXPORT_ROWS = 10_000
PAGES = [
    ("copies", "admin:circulation_copy_changelist", ""),
    ("copies not signed for", "admin:circulation_copy_changelist", "receipt=open"),
    ("movements", "admin:circulation_copymovement_changelist", ""),
    ("articles", "admin:briefs_article_changelist", ""),
    ("events", "admin:briefs_issueevent_changelist", ""),
    ("issues", "admin:briefs_issue_changelist", ""),
]


def _p50_ms(client, url: str) -> float:
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _urls():
    from django.urls import reverse

    return [(name, "%s?%s" % (reverse(url_name), query)) for name, url_name, query in PAGES]


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _query_counts(root) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from briefs.models import Issue
    from zhiku import roles

    roles.sync_roles()
    issue = Issue.objects.order_by("-id").first()
    pages = [("index", reverse("admin:index")), ("issue page", reverse("admin:briefs_issue_change", args=[issue.pk]))]
    pages += _urls()
    users = [("superuser", root)]
    from django.contrib.auth import get_user_model

    for key in (roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION):
        user = get_user_model().objects.create(username="bench-" + key, is_staff=True)
        user.groups.add(Group.objects.get(name=roles.role_group_name(key)))
        users.append((key, user))
    print("queries per page (- : refused):", flush=True)
    print("  %-14s %s" % ("role", " | ".join(name for name, _url in pages)))
    for key, user in users:
        client = Client()
        client.force_login(user)
        counts = []
        for _name, url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            counts.append(str(len(ctx.captured_queries)) if response.status_code == 200 else "-")
        print("  %-14s %s" % (key, " | ".join(counts)), flush=True)


def _export_ratios(root) -> None:
    """The dispatch sheet of 10,000 recipients: the export as served (selectors build the rows from
    the distribution, the renderer writes them) against a plain writer given the same rows."""
    import openpyxl

    from briefs.models import Issue, Series
    from circulation import selectors, sheets
    from circulation.models import IssueDistribution, IssueRecipient, Recipient

    Recipient.objects.bulk_create(
        (
            Recipient(name="导出%05d" % n, title="主任", printed_name="导出%05d主任" % n, protocol_order=n)
            for n in range(EXPORT_ROWS)
        ),
        batch_size=2_000,
    )
    series = Series.objects.create(name="导出刊物", slug="bench-export", publisher_lines="x")
    issue = Issue.objects.create(series=series)
    dist = IssueDistribution.objects.create(issue=issue)
    IssueRecipient.objects.bulk_create(
        (
            IssueRecipient(distribution=dist, recipient_id=pk)
            for pk in Recipient.objects.filter(name__startswith="导出").values_list("pk", flat=True)
        ),
        batch_size=2_000,
    )
    sheet = selectors.dispatch_sheet(issue)
    headers = [c.header for c in sheet.columns]
    rows = sheet.rows

    def plain_csv():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")

    def plain_xlsx():
        book = openpyxl.Workbook()
        ws = book.active
        ws.append(headers)
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    t_csv, data = _timed(lambda: b"".join(sheets.csv_chunks(selectors.dispatch_sheet(issue))))
    base_csv, plain = _timed(plain_csv)
    assert data == plain, "the export and the plain writer disagree"
    t_xlsx, _x = _timed(lambda: selectors.dispatch_sheet_export(issue, "xlsx"))
    base_xlsx, _p = _timed(plain_xlsx)
    print(
        "dispatch sheet %d rows, CSV (rows from the distribution + streamed writer): %.2f s; plain csv %.2f s; "
        "ratio %.1fx (same bytes)" % (EXPORT_ROWS, t_csv, base_csv, t_csv / base_csv)
    )
    t_rows, _s = _timed(lambda: selectors.dispatch_sheet(issue))
    t_write, _w = _timed(lambda: b"".join(sheets.csv_chunks(sheet)))
    print(
        "  of which building the rows %.2f s, writing them %.2f s (%.1fx plain)" % (t_rows, t_write, t_write / base_csv)
    )
    print(
        "dispatch sheet %d rows, print-ready XLSX: %.2f s; plain openpyxl %.2f s; ratio %.1fx"
        % (EXPORT_ROWS, t_xlsx, base_xlsx, t_xlsx / base_xlsx),
        flush=True,
    )


def main():
    from bench.db import bench_database

    full = os.environ.get("BENCH_ADMIN_FULL") == "1"
    with bench_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from bench.volume import FULL, TENTH, analyze, build_archive

        print("database: %s; archive: %s" % (connection.vendor, "full (issue 16)" if full else "a tenth"), flush=True)
        root = get_user_model().objects.create(username="bench-root", is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(root)
        build_archive(issues=10, articles=20, copies=100, movements=160, events=45, actor=root)
        analyze()
        small = {name: _p50_ms(client, url) for name, url in _urls()}
        sizes = FULL if full else TENTH
        t_build, _v = _timed(lambda: build_archive(**sizes, actor=root))
        analyze()
        print("built %s in %.1f s" % (", ".join("%s %s" % (k, v) for k, v in sizes.items()), t_build), flush=True)
        big = {name: _p50_ms(client, url) for name, url in _urls()}
        print("changelist p50 (ms): near-empty → archive, ratio (target ≤ 2x)")
        for name, _url in _urls():
            print("  %-22s %7.1f → %7.1f  %.1fx" % (name, small[name], big[name], big[name] / small[name]), flush=True)
        _query_counts(root)
        _export_ratios(root)
