"""Sheets that print: one ``Sheet`` value (title, columns, rows, 合计) and three pure renderers —
XLSX laid out for A4 (fitted widths, borders, repeated header, page numbers), PDF through
WeasyPrint from the same rows, and plain CSV (UTF-8 with BOM, or GBK on request).

The selectors build the sheets (dispatch sheet, distribution list, 签收情况, recipients); the
renderers know nothing about circulation's models, as ``briefs.rendering`` renders an IssueDocument."""

import csv
import functools
import io
import unicodedata
from dataclasses import dataclass, field

# Spreadsheet programs run a cell starting with one of these as a formula. The full-width forms
# count too: Excel and WPS read ＝SUM(…) as =SUM(…).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FORMULA_FIRST_CHARACTERS = frozenset(FORMULA_PREFIXES)


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


@functools.cache
def _rows_of_cells_class():
    """Made on first use: openpyxl is imported only when a workbook is written."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    class RowsOfCells(WriteOnlyWorksheet):
        """A write-only sheet whose rows are lists of cells, written as given. openpyxl's own
        append tries each cell as a value first (an exception per cell) and makes a spare cell
        after every styled one; with a styled cell in every column that doubled the time."""

        def _values_to_row(self, values, row_idx):
            for col_idx, cell in enumerate(values, 1):
                if cell.value is None and not cell.has_style:
                    continue
                cell.column = col_idx
                cell.row = row_idx
                yield cell

    return RowsOfCells


def render_xlsx(sheet: Sheet) -> bytes:
    """A workbook that prints on A4 as it comes: title and subtitle rows, fitted column widths,
    wrapped text, thin borders, the 合计 row, header repeated on every page, page numbers.

    Written in openpyxl's write-only mode, rows streamed to the file as they come, each column's
    styled cell reused from row to row: a 10,000-row sheet costs about what plain openpyxl costs
    for the same values."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook(write_only=True)
    ws = _rows_of_cells_class()(book, sheet.name[:31])
    book._add_sheet(ws)
    ncols = len(sheet.columns)
    last = get_column_letter(ncols)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font_name = "宋体"
    body_font = Font(name=font_name, size=11)
    bold_font = Font(name=font_name, size=11, bold=True)

    def styled(value, **style):
        cell = WriteOnlyCell(ws, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    # Styles, columns, merges and page setup go in before the first row: write-only mode writes
    # the sheet's head when it gets its first row.
    for index, width in enumerate(sheet.column_widths(), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 20
    ws.row_dimensions[3].height = 22
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
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
    first_body_row = 4
    body = list(sheet.rows) + ([sheet.totals] if sheet.totals is not None else [])
    if sheet.row_height:
        for row_number in range(first_body_row, first_body_row + len(body)):
            ws.row_dimensions[row_number].height = sheet.row_height

    ws.append(
        [
            styled(
                sheet.title,
                font=Font(name=font_name, size=16, bold=True),
                alignment=Alignment(horizontal="center", vertical="center"),
            )
        ]
    )
    ws.append(
        [
            styled(
                sheet.subtitle,
                font=body_font,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            )
        ]
    )
    header_style = {
        "font": bold_font,
        "border": border,
        "fill": PatternFill("solid", fgColor="EEEEEE"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }
    ws.append([styled(column.header, **header_style) for column in sheet.columns])

    text_alignment = Alignment(wrap_text=True, vertical="center")
    number_alignment = Alignment(horizontal="center", vertical="center")
    # One styled cell per column, given each row's value in turn: the row is written before the
    # next is set (see _RowsOfCells), so 10,000 rows need nine cells, not 90,000.
    body_cells = [
        styled(
            None, font=body_font, border=border, alignment=number_alignment if c.kind == "number" else text_alignment
        )
        for c in sheet.columns
    ]
    for row in sheet.rows:
        for cell, value in zip(body_cells, row, strict=True):
            cell.value = escape_formula(value)
        ws.append(body_cells)
    if sheet.totals is not None:
        for cell, value in zip(body_cells, sheet.totals, strict=True):
            cell.font = bold_font
            cell.value = escape_formula(value)
        ws.append(body_cells)
    for note in sheet.notes:
        ws.append([WriteOnlyCell(ws, value=escape_formula(note))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------------

CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gb18030"}


CSV_CHUNK_ROWS = 1_000


def _escaped(rows, text_columns: list[int]) -> list:
    """``rows`` with each text cell a spreadsheet would run as a formula given a leading quote
    (``escape_formula``); a row is copied only when it has such a cell, the sheet's rows are
    left as they are. Only the text columns are looked at: number columns hold numbers and
    blank columns nothing (a negative number is a number, not a formula)."""
    escaped = []
    for row in rows:
        for index in text_columns:
            value = row[index]
            if value.__class__ is str and value[:1] in FORMULA_FIRST_CHARACTERS:
                row = list(row)
                row[index] = "'" + value
        escaped.append(row)
    return escaped


def csv_chunks(sheet: Sheet, encoding: str = "utf-8"):
    """The CSV as encoded chunks of a thousand rows, for a streamed download: a long export is
    never held whole in memory. Joined, the chunks are ``render_csv``'s bytes."""
    codec = CSV_ENCODINGS[encoding]
    text_columns = [index for index, column in enumerate(sheet.columns) if column.kind == "text"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in sheet.columns])
    rows = sheet.rows
    for start in range(0, len(rows), CSV_CHUNK_ROWS):
        # None is written empty by the csv module itself.
        writer.writerows(_escaped(rows[start : start + CSV_CHUNK_ROWS], text_columns))
        # The BOM (utf-8-sig) goes once, at the head of the first chunk only.
        yield out.getvalue().encode(codec if start == 0 else encoding_without_bom(codec))
        out.seek(0)
        out.truncate()
    if not rows:
        yield out.getvalue().encode(codec)


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
