"""Sheets that print: one ``Sheet`` value (title, columns, rows, 合计) and three pure renderers —
XLSX laid out for A4 (fitted widths, borders, repeated header, page numbers), PDF through
WeasyPrint from the same rows, and plain CSV (UTF-8 with BOM, or GBK on request).

The selectors build the sheets (dispatch sheet, distribution list, 签收情况, recipients); the
renderers know nothing about circulation's models, as ``briefs.rendering`` renders an IssueDocument."""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

# Spreadsheet programs run a cell starting with one of these as a formula. The full-width forms
# count too: Excel and WPS read ＝SUM(…) as =SUM(…).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def escape_formula(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def display_width(text) -> int:
    """Width in spreadsheet column units: a CJK (wide or full-width) character is about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # "text", "number", or "blank" (to be filled in by hand: signature, date)
    min_width: int = 6
    max_width: int = 40  # longer text wraps
    width: int | None = None  # fixed width (blank columns: room to sign)


@dataclass
class Sheet:
    name: str  # the sheet tab, in Chinese (at most 31 characters)
    title: str  # first row, e.g. "领军参阅 发文签收单"
    subtitle: str  # second row: issue numbers, date, classification
    columns: list[Column]
    rows: list[list]
    totals: list | None = None  # the 合计 row, same length as columns
    landscape: bool = False
    row_height: float | None = None  # points; tall rows to sign in
    notes: list[str] = field(default_factory=list)  # lines printed under the table

    def column_widths(self) -> list[int]:
        widths = []
        for index, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            cells = [column.header] + [row[index] for row in self.rows if row[index] not in (None, "")]
            if self.totals is not None and self.totals[index] not in (None, ""):
                cells.append(self.totals[index])
            longest = max(display_width(cell) for cell in cells)
            widths.append(max(column.min_width, min(column.max_width, longest + 2)))
        return widths


# --- XLSX -----------------------------------------------------------------------------------------


def render_xlsx(sheet: Sheet) -> bytes:
    """A workbook that prints on A4 as it comes: title and subtitle rows, fitted column widths,
    wrapped text, thin borders, the 合计 row, header repeated on every page, page numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    ws = book.active
    ws.title = sheet.name[:31]
    ncols = len(sheet.columns)
    last = get_column_letter(ncols)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font_name = "宋体"
    # Named styles are stored once in the workbook; each cell then refers to one by name, which
    # keeps a 10,000-row sheet fast to write.
    text = NamedStyle(
        name="表格文字",
        font=Font(name=font_name, size=11),
        border=border,
        alignment=Alignment(wrap_text=True, vertical="center"),
    )
    number = NamedStyle(
        name="表格数字",
        font=Font(name=font_name, size=11),
        border=border,
        alignment=Alignment(horizontal="center", vertical="center"),
    )
    header = NamedStyle(
        name="表头",
        font=Font(name=font_name, size=11, bold=True),
        border=border,
        fill=PatternFill("solid", fgColor="EEEEEE"),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )
    for style in (text, number, header):
        book.add_named_style(style)

    ws.append([sheet.title])
    ws.append([sheet.subtitle])
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].font = Font(name=font_name, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws["A2"].font = Font(name=font_name, size=11)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 20

    ws.append([c.header for c in sheet.columns])
    for cell in ws[3]:
        cell.style = "表头"
    ws.row_dimensions[3].height = 22
    styles = ["表格数字" if c.kind == "number" else "表格文字" for c in sheet.columns]
    body = list(sheet.rows) + ([sheet.totals] if sheet.totals is not None else [])
    # Rows are counted here: ws.max_row scans every cell, which made a long sheet quadratic.
    row_number = 3
    for row in body:
        row_number += 1
        for column, (value, style) in enumerate(zip(row, styles, strict=True), start=1):
            cell = ws.cell(row=row_number, column=column, value=escape_formula(value))
            cell.style = style
        if sheet.row_height:
            ws.row_dimensions[row_number].height = sheet.row_height
    if sheet.totals is not None:
        for column in range(1, ncols + 1):
            ws.cell(row=row_number, column=column).font = Font(name=font_name, size=11, bold=True)
    for offset, note in enumerate(sheet.notes, start=1):
        ws.cell(row=row_number + offset, column=1, value=escape_formula(note))

    for index, width in enumerate(sheet.column_widths(), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_title_rows = "3:3"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.evenFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------------

CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gb18030"}


CSV_CHUNK_ROWS = 1_000


class _Lines:
    """A file-like target for csv.writer that keeps the lines written since the last take."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_chunks(sheet: Sheet, encoding: str = "utf-8"):
    """The CSV as encoded chunks of a thousand rows, for a streamed download: a long export is
    never held whole in memory. Joined, the chunks are ``render_csv``'s bytes."""
    codec = CSV_ENCODINGS[encoding]
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow([c.header for c in sheet.columns])
    first = True
    pending = 0
    for row in sheet.rows:
        writer.writerow(["" if v is None else escape_formula(v) for v in row])
        pending += 1
        if pending == CSV_CHUNK_ROWS:
            # The BOM (utf-8-sig) goes once, at the head of the first chunk only.
            yield lines.take().encode(codec if first else encoding_without_bom(codec))
            first, pending = False, 0
    tail = lines.take()
    if tail or first:
        yield tail.encode(codec if first else encoding_without_bom(codec))


def encoding_without_bom(codec: str) -> str:
    return "utf-8" if codec == "utf-8-sig" else codec


def render_csv(sheet: Sheet, encoding: str = "utf-8") -> bytes:
    """Plain rows for other programs: the header and the data, no title and no 合计; UTF-8 with a
    BOM (so Excel opens it as UTF-8), or GBK for older Chinese Excel."""
    return b"".join(csv_chunks(sheet, encoding))


# --- PDF ------------------------------------------------------------------------------------------


def render_html(sheet: Sheet) -> str:
    from django.template.loader import render_to_string

    from briefs.rendering.html import font_stacks

    widths = sheet.column_widths()
    total = sum(widths)
    kinds = [column.kind for column in sheet.columns]
    body = list(sheet.rows) + ([sheet.totals] if sheet.totals is not None else [])
    return render_to_string(
        "circulation/print/sheet.html",
        {
            "sheet": sheet,
            "fonts": font_stacks(),
            "rows": [list(zip(row, kinds, strict=True)) for row in body],
            "columns": [
                (column, round(100 * width / total, 2)) for column, width in zip(sheet.columns, widths, strict=True)
            ],
        },
    )


def render_pdf(sheet: Sheet) -> bytes:
    """The same sheet as an A4 PDF (landscape when the sheet is), header repeated on each page."""
    from weasyprint import HTML

    from briefs.rendering.pdf import url_fetcher

    return HTML(string=render_html(sheet), url_fetcher=url_fetcher()).write_pdf()


def render(sheet: Sheet, file_format: str) -> bytes:
    if file_format == "xlsx":
        return render_xlsx(sheet)
    if file_format == "pdf":
        return render_pdf(sheet)
    if file_format == "csv":
        return render_csv(sheet)
    if file_format == "csv-gbk":
        return render_csv(sheet, "gbk")
    raise ValueError(file_format)


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "csv-gbk": "text/csv; charset=gbk",
}
EXTENSIONS = {"xlsx": "xlsx", "pdf": "pdf", "csv": "csv", "csv-gbk": "csv"}
CSV_FORMATS = {"csv": "utf-8", "csv-gbk": "gbk"}
