"""Recipient files as the 发行 clerk sends them (the import's columns, CSV and XLSX), shared by
the circulation tests, the e2e import and bench/bench_circulation.py; and the dispatch sheet as it
comes back signed."""

import csv
import io

import openpyxl

HEADERS = [
    "类型",
    "姓名",
    "职务",
    "简称",
    "全称",
    "类别",
    "排序",
    "通讯地址",
    "联系方式",
    "递送方式",
    "默认份数",
    "是否有效",
]


def person_row(n: int) -> list:
    return [
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


def make_csv(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def make_xlsx(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def signed_dispatch_sheet(issue, fills: dict) -> bytes:
    """The issue's dispatch sheet (XLSX) with a signer and a date written into the rows of
    ``fills`` ({sheet row: (signer, date)}), as the recipients' offices send it back."""
    from circulation import selectors

    book = openpyxl.load_workbook(io.BytesIO(selectors.dispatch_sheet_export(issue, "xlsx")))
    sheet = book.active
    for row, (signer, day) in fills.items():
        sheet.cell(row=row, column=8, value=signer)
        sheet.cell(row=row, column=9, value=day)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bad_category_csv() -> bytes:
    """One recipient whose 类别 is not a category (“抄”): refused as row 2, column 类别."""
    row = person_row(3)
    row[5] = "抄"
    return make_csv([row])
