"""Circulation: the recipient import as users run it (admin upload → preview → confirm of 10,000
rows) against plain openpyxl read + bulk_create of the same rows in the same run; the service
path; and a 10,000-recipient dispatch sheet to XLSX against plain openpyxl writing the rows."""

import io
import time

N = 10_000


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    import openpyxl

    from bench.db import bench_database
    from tests.circulation.files import make_xlsx, person_row

    with bench_database():
        from django.contrib.auth import get_user_model

        from briefs.models import Issue, Series
        from circulation import selectors, services
        from circulation.models import IssueDistribution, IssueRecipient, Recipient
        from circulation.resources import recipient_headers

        headers = list(recipient_headers().values())
        user = get_user_model().objects.create(username="bench", is_superuser=True, is_staff=True)

        # --- import --------------------------------------------------------------------------
        data = make_xlsx([person_row(n) for n in range(1, N + 1)], headers)

        def plain_read_and_create():
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
            Recipient.objects.bulk_create(
                (
                    Recipient(
                        kind="person",
                        name=r[1],
                        title=r[2],
                        printed_name=r[1] + r[2],
                        category="bao",
                        protocol_order=r[6],
                        mailing_address=r[7],
                        contact=r[8],
                        channel="post",
                    )
                    for r in rows
                ),
                batch_size=1000,
            )
            return len(rows)

        def clear():
            Recipient.objects.all().delete()

        base, _n = _timed(plain_read_and_create)
        clear()

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client
        from django.urls import reverse

        client = Client()
        client.force_login(user)
        url = reverse("admin:circulation_recipient_import")

        def admin_path():
            preview = client.post(url, {"import_file": SimpleUploadedFile("收文对象.xlsx", data), "preview": "1"})
            token = preview.context["preview"].token
            confirm = client.post(url, {"token": token, "confirm": "1"})
            assert confirm.status_code == 302, confirm.status_code
            return Recipient.objects.count()

        t_admin, created = _timed(admin_path)
        assert created == N, created
        print(
            f"admin import {N} recipients (upload → preview → confirm, XLSX): {t_admin:.2f} s; "
            f"openpyxl read + bulk_create {base:.2f} s; ratio {t_admin / base:.1f}x"
        )
        clear()
        t_import, summary = _timed(lambda: services.recipients_import(data=data, file_name="r.xlsx", user=user))
        assert summary.created == N, summary
        print(f"service/command import {N} recipients (XLSX): {t_import:.2f} s; ratio {t_import / base:.1f}x")

        # --- dispatch sheet ------------------------------------------------------------------
        series = Series.objects.create(name="基准刊物", slug="bench", publisher_lines="x")
        issue = Issue.objects.create(series=series)
        dist = IssueDistribution.objects.create(issue=issue)
        IssueRecipient.objects.bulk_create(
            IssueRecipient(distribution=dist, recipient_id=pk) for pk in Recipient.objects.values_list("pk", flat=True)
        )
        t_sheet, sheet = _timed(lambda: selectors.dispatch_sheet_export(issue, "xlsx"))
        rows = [
            [r.serial, r.printed_name, r.full_name, r.copies, r.copy_numbers, r.channel, r.note, "", ""]
            for r in selectors.dispatch_rows(issue)
        ]

        def plain_write():
            book = openpyxl.Workbook()
            sheet_ = book.active
            sheet_.append(["序号", "收文对象", "全称", "份数", "份号", "递送方式", "备注", "签收人签字", "签收日期"])
            for row in rows:
                sheet_.append(row)
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()

        base_write, _b = _timed(plain_write)
        # Title, subtitle, header, N rows, 合计.
        assert openpyxl.load_workbook(io.BytesIO(sheet), read_only=True).active.max_row == N + 4
        print(
            f"dispatch sheet {N} rows (XLSX): {t_sheet:.2f} s; openpyxl write {base_write:.2f} s; ratio {t_sheet / base_write:.1f}x"
        )
        t_csv, _c = _timed(lambda: selectors.dispatch_sheet_export(issue, "csv"))
        print(f"dispatch sheet {N} rows (CSV): {t_csv:.2f} s")
