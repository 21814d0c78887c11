"""Admin lists as the archive grows (issue 16): each big changelist's p50 on a near-empty archive
(one full page of each list: 101 issues, 101 articles, 816 copies, 816 movements, 101 events) and on a tenth of issue 16's archive (1,000 issues, 2,000 articles, 10,010 copies, 16,325
movements, 4,500 events; the full size with BENCH_ADMIN_FULL=1), and the ratio (target ≤ 2×);
queries per role on the index, an issue's page and the lists; exports of 10,000 rows (dispatch
sheet, recipients) against one query plus a plain csv / openpyxl writer producing the same bytes
or cells in the same run (target ≤ 2×). BENCH_ADMIN_ONLY=exports runs only the exports (no archive
is built), BENCH_EXPORT_RUNS=N times each export N times (default 3), BENCH_EXPORT_CASES=CSV runs only
the exports whose name holds that text.

Pages are requested in-process through Django's test client, 20 times each after one warm-up,
alternating between the two archives: the near-empty one is kept as a copy of the database
(PostgreSQL: a database made from it as a template; SQLite: a copy of the file) and each round
requests the page once from each, so a burst of other work on the machine weighs on both sides of
the ratio alike."""

import csv
import io
import os
import statistics
import time

REQUESTS = 20
EXPORT_ROWS = 10_000
EXPORT_RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "3"))


def _database_use(name: str) -> None:
    """Point the default connection at database ``name`` and connect (outside any timing)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()


def _database_copy() -> str:
    """A copy of the database as it is now, under a new name; the connection stays on the original."""
    import shutil

    from django.db import connection

    name = connection.settings_dict["NAME"]
    connection.close()
    if connection.vendor == "postgresql":
        copy = name + "_near_empty"
        with connection._nodb_cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS "%s"' % copy)
            cursor.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (copy, name))
    else:
        copy = name + "-near-empty"
        shutil.copyfile(name, copy)
    _database_use(name)
    return copy


def _database_drop(name: str) -> None:
    import os

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS "%s"' % name)
    elif os.path.exists(name):
        os.remove(name)


def _p50s_ms(client, url: str, near_empty: str) -> tuple[float, float]:
    """The page's p50 on the near-empty copy and on the archive, requested alternately."""
    from django.db import connection

    archive = connection.settings_dict["NAME"]
    times = {near_empty: [], archive: []}
    for name in times:  # one warm-up each
        _database_use(name)
        assert client.get(url).status_code == 200, url
    for _ in range(REQUESTS):
        for name, series in times.items():
            _database_use(name)
            start = time.perf_counter()
            client.get(url)
            series.append((time.perf_counter() - start) * 1000)
    _database_use(archive)
    return statistics.median(times[near_empty]), statistics.median(times[archive])


def _urls():
    from django.urls import reverse

    from bench.volume import BIG_LISTS

    return [(page.name, "%s?%s" % (reverse(page.url_name), page.query)) for page in BIG_LISTS]


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


def _runs(fn, runs: int = EXPORT_RUNS):
    """min and median seconds of ``runs`` calls, and the last result."""
    times = []
    for _ in range(runs):
        elapsed, result = _timed(fn)
        times.append(elapsed)
    return min(times), statistics.median(times), result


def _plain_csv(headers, rows) -> bytes:
    """The plain writer: csv.writer over the rows, UTF-8 with a BOM (as the product writes)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _export_ratios(root) -> None:
    """Exports of 10,000 rows against a plain writer doing the same work in the same run: one query
    for the same data, then the plain ``csv`` writer / plain openpyxl writing the same cells. CSV
    bytes are checked equal; XLSX cells are the same values (the product adds the print layout)."""
    import openpyxl

    from briefs.models import Issue, Series
    from circulation import selectors, sheets
    from circulation.models import Category, Channel, IssueDistribution, IssueRecipient, Recipient

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
    shape = selectors.dispatch_sheet(issue)
    headers = [c.header for c in shape.columns]

    def plain_dispatch_rows():
        channels = {code: str(label) for code, label in Channel.choices}
        query = (
            IssueRecipient.objects.filter(distribution=dist, included=True)
            .order_by("recipient__protocol_order", "recipient_id")
            .values_list(
                "recipient__printed_name",
                "recipient__full_name",
                "copies",
                "recipient__default_copies",
                "recipient__channel",
            )
        )
        return [
            [n, printed, full, copies or default, "", channels.get(channel, channel), "", "", ""]
            for n, (printed, full, copies, default, channel) in enumerate(query, start=1)
        ]

    def plain_csv():
        return _plain_csv(headers, plain_dispatch_rows())

    def plain_xlsx():
        rows = plain_dispatch_rows()
        book = openpyxl.Workbook()
        ws = book.active
        ws.append([shape.title])
        ws.append([shape.subtitle])
        ws.append(headers)
        for row in rows:
            ws.append(row)
        ws.append(shape.totals[:3] + [sum(row[3] for row in rows)] + shape.totals[4:])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def product_xlsx_cells(data):
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        return [list(row) for row in ws.iter_rows(values_only=True)]

    print(
        "exports of %d rows: min / median of %d runs, product vs plain writer (target <= 2x); load %s"
        % (EXPORT_ROWS, EXPORT_RUNS, open("/proc/loadavg").read().split()[0]),
        flush=True,
    )
    cases = [
        (
            "dispatch sheet CSV",
            lambda: b"".join(sheets.csv_chunks(selectors.dispatch_sheet(issue))),
            plain_csv,
            "bytes",
        ),
        (
            "dispatch sheet XLSX (print-ready)",
            lambda: selectors.dispatch_sheet_export(issue, "xlsx"),
            plain_xlsx,
            "cells",
        ),
    ]
    recipients = Recipient.objects.filter(name__startswith="导出")
    recipient_fields = selectors._recipient_export_fields(True)
    from circulation.resources import RecipientResource

    recipient_headers = [RecipientResource().fields[f].column_name for f in recipient_fields]

    def plain_recipient_rows():
        labels = {
            "kind": {code: str(label) for code, label in Recipient.Kind.choices},
            "category": {code: str(label) for code, label in Category.choices},
            "channel": {code: str(label) for code, label in Channel.choices},
        }
        yes_no = {True: "是", False: "否"}

        def converter(name):  # chosen once per column, as the product does
            if name in labels:
                table = labels[name]
                return lambda value: table.get(value, value or "")
            if name == "is_active":
                return yes_no.__getitem__
            return None

        converters = [converter(name) for name in recipient_fields]
        return [
            [convert(value) if convert else value for convert, value in zip(converters, values, strict=True)]
            for values in recipients.order_by("category", "protocol_order", "id").values_list(*recipient_fields)
        ]

    def plain_recipients_csv():
        return _plain_csv(recipient_headers, plain_recipient_rows())

    def plain_recipients_xlsx():
        book = openpyxl.Workbook()
        ws = book.active
        ws.append(recipient_headers)
        for row in plain_recipient_rows():
            ws.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    cases += [
        (
            "recipients CSV (resource, direct)",
            lambda: selectors.recipients_export(recipients, "csv"),
            plain_recipients_csv,
            "bytes",
        ),
        (
            "recipients XLSX (import-export)",
            lambda: selectors.recipients_export(recipients, "xlsx"),
            plain_recipients_xlsx,
            "cells",
        ),
    ]
    wanted = os.environ.get("BENCH_EXPORT_CASES", "")
    for name, product, plain, same in cases:
        if wanted not in name:
            continue
        p_min, p_med, data = _runs(product)
        b_min, b_med, reference = _runs(plain)
        if same == "bytes":
            agree = "same bytes" if data == reference else "BYTES DIFFER"
        else:
            # The product's cells without the blank signature columns' empty cells, as read back.
            body = [r for r in product_xlsx_cells(data) if any(v is not None for v in r)]
            plain_body = product_xlsx_cells(reference)
            agree = "same cells" if body == plain_body else "CELLS DIFFER"
        print(
            "  %-34s %.3f / %.3f s; plain %.3f / %.3f s; ratio %.1fx (min) %.1fx (median); %s"
            % (name, p_min, p_med, b_min, b_med, p_min / b_min, p_med / b_med, agree),
            flush=True,
        )


def main():
    from bench.db import bench_database

    full = os.environ.get("BENCH_ADMIN_FULL") == "1"
    only = os.environ.get("BENCH_ADMIN_ONLY", "")
    if only not in ("", "exports"):
        raise SystemExit("BENCH_ADMIN_ONLY: 'exports' or unset")
    with bench_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from bench.volume import FULL, ONE_PAGE, TENTH, analyze, build_archive

        archive = "none (exports only)" if only == "exports" else "full (issue 16)" if full else "a tenth"
        print("database: %s; archive: %s" % (connection.vendor, archive), flush=True)
        root = get_user_model().objects.create(username="bench-root", is_superuser=True, is_staff=True)
        if only == "exports":
            _export_ratios(root)
            return
        client = Client()
        client.force_login(root)
        # One full page of each list (100 rows a page): the near-empty page renders as many rows
        # as the archive's, so the ratio measures the archive's growth, not a longer page.
        build_archive(**ONE_PAGE, actor=root)
        analyze()
        client.get(_urls()[0][1])  # the session row exists before the copy, so it is valid in both
        near_empty = _database_copy()
        try:
            sizes = FULL if full else TENTH
            t_build, _v = _timed(lambda: build_archive(**sizes, actor=root))
            analyze()
            print("built %s in %.1f s" % (", ".join("%s %s" % (k, v) for k, v in sizes.items()), t_build), flush=True)
            print("changelist p50 (ms), %d requests each, alternating: near-empty → archive, ratio (target ≤ 2x)" % REQUESTS)
            for name, url in _urls():
                small, big = _p50s_ms(client, url, near_empty)
                print("  %-22s %7.1f → %7.1f  %.1fx" % (name, small, big, big / small), flush=True)
        finally:
            _database_drop(near_empty)
        _query_counts(root)
        _export_ratios(root)
