"""Sheets that print: the dispatch sheet and the distribution list as XLSX laid out for A4 (read
back with openpyxl), converted by LibreOffice as an office would print them (read back from the
PDF), the same rows as PDF through WeasyPrint, CSV plain in UTF-8 with BOM or GBK."""

import csv
import io

import openpyxl
import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circulation import selectors
from circulation.sheets import display_width
from tests.libreoffice import libreoffice_pdf

pytestmark = pytest.mark.django_db

A4_LANDSCAPE = (842, 595)  # points, give or take one


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_dispatch_sheet_xlsx_is_laid_out_for_a4_landscape(demo):
    """Title rows name the series, numbers, date and classification; columns are wide enough for
    their Chinese text (a CJK character counting two); signature and date are wide; borders,
    wrapping, a 合计 row of 37 copies; A4 landscape, one page wide, header repeated, page numbers;
    the sheet is named in Chinese."""
    issue = demo["issue_117"]
    ws = _book(selectors.dispatch_sheet_export(issue, "xlsx")).active
    assert ws.title == "发文签收单"
    assert ws["A1"].value == "领军参阅 发文签收单"
    assert ws["A2"].value.startswith("2024年第2期（总第117期）　2024年1月19日")
    header = [c.value for c in ws[3]]
    assert header == ["序号", "收文对象", "全称", "份数", "份号", "递送方式", "备注", "签收人签字", "签收日期"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert data[-1][0] == "合计" and data[-1][3] == 37
    assert len(data) == 13 + 1
    for index, letter in enumerate("ABCDEFGHI"):
        width = ws.column_dimensions[letter].width
        longest = max(display_width(row[index] or "") for row in data[:-1] + [header])
        assert width >= min(longest, 30), (header[index], width, longest)
    assert ws.column_dimensions["H"].width >= 20 and ws.column_dimensions["I"].width >= 14
    assert ws["B4"].border.left.style == "thin" and ws["B4"].alignment.wrap_text
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_distribution_list_xlsx_totals_are_the_print_run(demo):
    """The distribution list ends with 存档 3, 备用 30 and 合计 共印 70, and prints the 报 line under it."""
    ws = _book(selectors.distribution_export(demo["issue_117"], "xlsx")).active
    assert ws.title == "分发清单"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, values_only=False)]
    values = [[c for c in row] for row in rows]
    labels = [row[2] for row in values]
    assert labels[13:16] == ["存档份数", "备用份数", "共印"]
    assert [row[4] for row in values[13:16]] == [3, 30, 70]
    assert values[15][0] == "合计"
    assert ws.page_setup.orientation == "portrait"
    assert any(str(row[0] or "").startswith("报：刘小涛书记") for row in values[16:])


def test_libreoffice_prints_the_dispatch_sheet_whole_on_a4_landscape(demo, tmp_path):
    """Converted by LibreOffice, the dispatch sheet is A4 landscape, shows no ###, and every
    recipient's name and full name appears whole."""
    issue = demo["issue_117"]
    pdf = libreoffice_pdf(tmp_path, selectors.dispatch_sheet_export(issue, "xlsx"), "dispatch.xlsx")
    with pdfplumber.open(pdf) as doc:
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert all(abs(w - A4_LANDSCAPE[0]) <= 1 and abs(h - A4_LANDSCAPE[1]) <= 1 for w, h in sizes), sizes
    assert "###" not in text
    squashed = text.replace(" ", "").replace("\n", "")
    for row in selectors.dispatch_rows(issue):
        assert row.printed_name in squashed and row.full_name in squashed, row
    assert "签收人签字" in squashed and "合计" in squashed and "第1页，共1页" in squashed


def test_libreoffice_prints_a_long_distribution_list_one_page_wide(demo, tmp_path):
    """The distribution list converts to A4 portrait pages without ### and with long names whole."""
    pdf = libreoffice_pdf(tmp_path, selectors.distribution_export(demo["issue_117"], "xlsx"), "list.xlsx")
    with pdfplumber.open(pdf) as doc:
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        text = "".join((p.extract_text() or "") for p in doc.pages).replace(" ", "").replace("\n", "")
    assert sizes == {(595, 842)}
    assert "###" not in text and "苏州市文化广电新闻出版局" in text and "共印" in text


def test_weasyprint_pdf_from_the_same_rows(demo):
    """The PDF of the dispatch sheet (for printing from the browser) is A4 landscape with the same
    names, the 合计, the header on every page and page numbers."""
    issue = demo["issue_117"]
    data = selectors.dispatch_sheet_export(issue, "pdf")
    with pdfplumber.open(io.BytesIO(data)) as doc:
        assert {(round(p.width), round(p.height)) for p in doc.pages} == {A4_LANDSCAPE}
        pages = len(doc.pages)
        text = "".join(p.extract_text() for p in doc.pages).replace(" ", "").replace("\n", "")
    for row in selectors.dispatch_rows(issue):
        assert row.printed_name in text and row.full_name in text
    assert "合计37" in text and "第1页，共%s页" % pages in text  # noqa: UP031
    assert text.count("签收人签字") == pages


def test_csv_stays_plain_utf8_with_bom_or_gbk(demo):
    """CSV has no title and no 合计: the header, then one row per recipient; UTF-8 with BOM by
    default, GBK on request."""
    issue = demo["issue_117"]
    utf8 = selectors.dispatch_sheet_export(issue, "csv")
    assert utf8.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.decode("utf-8-sig"))))
    assert rows[0][:2] == ["序号", "收文对象"] and len(rows) == 14
    gbk = selectors.dispatch_sheet_export(issue, "csv-gbk")
    assert list(csv.reader(io.StringIO(gbk.decode("gbk")))) == rows


@pytest.mark.parametrize("starter", ["=", "+", "-", "@", "＝", "＋", "－", "＠"])
def test_formula_starters_escaped_in_csv_and_xlsx(demo, starter):
    """A cell starting with a formula character, half- or full-width, is exported with a leading
    quote so no spreadsheet runs it."""
    from circulation.models import Recipient

    Recipient.objects.filter(printed_name="市发改委").update(full_name=starter + "HYPERLINK(\"http://x\")")
    issue = demo["twin"]
    rows = list(csv.reader(io.StringIO(selectors.dispatch_sheet_export(issue, "csv").decode("utf-8-sig"))))
    cell = next(r[2] for r in rows if r[1] == "市发改委")
    assert cell == "'" + starter + 'HYPERLINK("http://x")'
    ws = _book(selectors.dispatch_sheet_export(issue, "xlsx")).active
    cell = next(r[2] for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "市发改委")
    assert cell == "'" + starter + 'HYPERLINK("http://x")'


STARTERS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]


def _reference_csv(headers, rows, codec: str) -> bytes:
    """An independent reference: the plain csv writer over the rows, every text cell starting with
    a formula starter quoted (numbers, negative ones too, as they are)."""
    plain = io.StringIO()
    writer = csv.writer(plain)
    writer.writerow(headers)
    writer.writerows(
        [("'" + v) if isinstance(v, str) and any(v.startswith(s) for s in STARTERS) else v for v in row]
        for row in rows
    )
    return plain.getvalue().encode(codec)


def test_streamed_csv_is_the_plain_writers_bytes_in_chunks():
    """2,500 rows stream as three chunks of at most a thousand rows; joined they are byte for byte
    what a plain csv writer makes (text cells starting with a formula starter, half- or full-width,
    escaped; numbers as they are; the BOM once, at the start), in UTF-8 and in GBK."""
    from circulation.sheets import Column, Sheet, csv_chunks

    rows = [
        [
            -n if n % 250 == 0 else n,
            "收文对象%d" % n,
            STARTERS[n // 100 % len(STARTERS)] + "1+%d" % n if n % 100 == 0 else "",
            None,
            "",
        ]
        for n in range(2_500)
    ]
    columns = [Column("甲", "number"), Column("乙"), Column("丙"), Column("丁"), Column("戊", "blank")]
    sheet = Sheet(name="表", title="t", subtitle="s", columns=columns, rows=rows)
    for encoding, codec in (("utf-8", "utf-8-sig"), ("gbk", "gb18030")):
        chunks = list(csv_chunks(sheet, encoding))
        assert len(chunks) == 3
        assert b"".join(chunks) == _reference_csv(list("甲乙丙丁戊"), rows, codec)
    assert sum(chunk.count("\ufeff".encode()) for chunk in csv_chunks(sheet)) == 1
    assert rows[100][2] == "+1+100"  # the sheet's rows are left unescaped (the PDF prints them)


@pytest.mark.parametrize("file_format,codec", [("csv", "utf-8-sig"), ("csv-gbk", "gb18030")])
def test_dispatch_sheet_csv_is_the_reference_writers_bytes(demo, file_format, codec):
    """The dispatch sheet's CSV, for a distribution of lists, a left-out member, a changed copies
    number and an addition, with names and full names starting with formula starters, is the
    reference writer's bytes over the rows the XLSX shows (its own escaping undone)."""
    from circulation.models import Recipient

    names = list(Recipient.objects.order_by("id").values_list("id", flat=True))
    for index, pk in enumerate(names):
        Recipient.objects.filter(pk=pk).update(full_name=STARTERS[index % len(STARTERS)] + "全称%d" % index)
    issue = demo["twin"]
    ws = _book(selectors.dispatch_sheet_export(issue, "xlsx")).active
    shown = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)][:-1]  # without 合计
    rows = [[v[1:] if isinstance(v, str) and v[:1] == "'" else ("" if v is None else v) for v in r] for r in shown]
    assert len(rows) > 5 and any(r[2].startswith("＋") for r in rows) and any(r[2].startswith("=") for r in rows)
    headers = [c.value for c in ws[3]]
    assert selectors.dispatch_sheet_export(issue, file_format) == _reference_csv(headers, rows, codec)


def test_dispatch_sheet_reads_a_constant_number_of_queries(demo, django_assert_num_queries):
    """The dispatch sheet of an issue with lists reads the same queries for 20 or 220 additions."""
    from circulation.models import IssueDistribution, IssueRecipient, Recipient

    issue = demo["twin"]
    dist = IssueDistribution.objects.get(issue=issue)

    def add(count, start):
        recipients = Recipient.objects.bulk_create(
            Recipient(name="加%04d" % n, title="员", printed_name="加%04d员" % n) for n in range(start, start + count)
        )
        IssueRecipient.objects.bulk_create(IssueRecipient(distribution=dist, recipient=r) for r in recipients)

    add(20, 0)
    selectors.dispatch_sheet_export(issue, "csv")  # once, for what is read once per process
    with CaptureQueriesContext(connection) as few:
        rows = selectors.dispatch_sheet_export(issue, "csv")
    add(200, 20)
    with django_assert_num_queries(len(few.captured_queries)):
        more = selectors.dispatch_sheet_export(issue, "csv")
    assert more.count(b"\r\n") == rows.count(b"\r\n") + 200
