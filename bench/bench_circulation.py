"""Circulation: a 10,000-recipient dispatch sheet to XLSX, and a 10,000-row recipient import,
each against plain openpyxl writing/reading the same rows in the same run."""

import io
import time

N = 10_000


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _rows():
    return [
        [
            "个人",
            f"测试{n:05d}",
            "主任",
            "",
            "",
            "报",
            n,
            f"苏州市人民路{n}号",
            f"0512-6000{n % 10000:04d}",
            "邮寄",
            1,
            "是",
        ]
        for n in range(1, N + 1)
    ]


def main():
    import openpyxl

    from bench.db import bench_database

    with bench_database():
        from django.contrib.auth import get_user_model

        from briefs.models import Issue, Series
        from circulation import selectors, services
        from circulation.models import IssueDistribution, IssueRecipient, Recipient
        from circulation.resources import RecipientResource

        headers = RecipientResource().get_export_headers()
        user = get_user_model().objects.create(username="bench", is_superuser=True, is_staff=True)

        # --- import --------------------------------------------------------------------------
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(headers)
        for row in _rows():
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()

        def plain_read():
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            return sum(1 for _row in book.active.iter_rows(values_only=True))

        base_read, _n = _timed(plain_read)
        t_import, summary = _timed(lambda: services.recipients_import(data=data, file_name="r.xlsx", user=user))
        assert summary.created == N, summary
        print(
            f"import {N} recipients (XLSX): {t_import:.2f} s; openpyxl read {base_read:.2f} s; ratio {t_import / base_read:.1f}x"
        )

        # --- dispatch sheet ------------------------------------------------------------------
        series = Series.objects.create(name="基准刊物", slug="bench", publisher_lines="x")
        issue = Issue.objects.create(series=series)
        dist = IssueDistribution.objects.create(issue=issue)
        IssueRecipient.objects.bulk_create(
            IssueRecipient(distribution=dist, recipient_id=pk) for pk in Recipient.objects.values_list("pk", flat=True)
        )
        t_sheet, sheet = _timed(lambda: selectors.dispatch_sheet_export(issue, "xlsx"))
        rows = [
            [r.serial, r.printed_name, r.full_name, r.copies, r.copy_numbers, r.channel, "", ""]
            for r in selectors.dispatch_rows(issue)
        ]

        def plain_write():
            book = openpyxl.Workbook()
            sheet_ = book.active
            sheet_.append(["序号", "收文对象", "全称", "份数", "份号", "递送方式", "签收人签字", "签收日期"])
            for row in rows:
                sheet_.append(row)
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()

        base_write, _b = _timed(plain_write)
        assert openpyxl.load_workbook(io.BytesIO(sheet), read_only=True).active.max_row == N + 1
        print(
            f"dispatch sheet {N} rows (XLSX): {t_sheet:.2f} s; openpyxl write {base_write:.2f} s; ratio {t_sheet / base_write:.1f}x"
        )
        t_csv, _c = _timed(lambda: selectors.dispatch_sheet_export(issue, "csv"))
        print(f"dispatch sheet {N} rows (CSV): {t_csv:.2f} s")
