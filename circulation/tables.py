"""Reading a spreadsheet someone uploaded (XLSX or CSV), with limits checked before the work:
the file's size, the inflated size of an XLSX's zip parts, and the number of rows. Every refusal
is a Chinese message (ImportRejected); nothing of a library's English reaches the page."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import ImportRejected

FORMAT_TITLES = {"xlsx": "XLSX", "csv": "CSV"}


def max_bytes() -> int:
    return getattr(settings, "CIRCULATION_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "CIRCULATION_IMPORT_MAX_ROWS", 20_000)


def max_inflated_bytes() -> int:
    # A 5 MB workbook of 20,000 recipients inflates to about 30 MB; a zip bomb to hundreds.
    return getattr(settings, "CIRCULATION_IMPORT_MAX_INFLATED_BYTES", 64 * 1024 * 1024)


@dataclass
class Table:
    headers: list[str]
    header_row: int  # the spreadsheet's row number of the header (1 when there is no title)
    rows: list[tuple[int, tuple]]  # (spreadsheet row number, cell values), blank rows left out


def file_format(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMAT_TITLES:
        raise ImportRejected(_("Only XLSX and CSV files can be imported."))
    return extension


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise ImportRejected(
            _("The file is too large: at most %(limit)s MB.") % {"limit": round(limit / (1024 * 1024), 1)}
        )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise GBK as Chinese Excel saves it (GB18030 is its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportRejected(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")) from exc


def _too_many_rows(limit: int) -> ImportRejected:
    return ImportRejected(_("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": limit})


def _xlsx_rows(data: bytes):
    unreadable = ImportRejected(_("The file cannot be read as %(format)s.") % {"format": "XLSX"})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable from exc
    if inflated > max_inflated_bytes():
        raise ImportRejected(
            _(
                "The workbook unpacks to %(size)s MB, more than the %(limit)s MB allowed; save it again without unused sheets or formatting."
            )
            % {"size": inflated // (1024 * 1024), "limit": max_inflated_bytes() // (1024 * 1024)}
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The stored dimensions may be missing or wrong (InvalidDimensions): read what is there.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except ImportRejected:
        raise
    except Exception as exc:  # a broken workbook: tell the user, keep the library's words out
        raise unreadable from exc


def _csv_rows(data: bytes):
    # Refused before parsing: a CSV row is at least a line.
    if data.count(b"\n") > max_rows() + 50:
        raise _too_many_rows(max_rows())
    try:
        yield from (tuple(row) for row in csv.reader(io.StringIO(decode_text(data))))
    except csv.Error as exc:
        raise ImportRejected(_("The file cannot be read as %(format)s.") % {"format": "CSV"}) from exc


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_table(data: bytes, file_name: str, *, known_headers: set[str]) -> Table:
    """The header row and the data rows of the first sheet. The header is the first of the
    top rows holding two or more known column titles (an exported sheet has a title above it);
    without one, row 1. Rows are numbered as the spreadsheet shows them."""
    fmt = file_format(file_name)
    check_size(len(data))
    source = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    limit = max_rows()
    top: list[tuple[int, tuple]] = []
    headers: list[str] | None = None
    header_row = 1
    rows: list[tuple[int, tuple]] = []
    numbered = enumerate(source, start=1)
    for number, values in numbered:
        if headers is None:
            top.append((number, values))
            titles = {str(v).strip() for v in values if v is not None}
            if len(titles & known_headers) >= 2:
                headers, header_row = [("" if v is None else str(v).strip()) for v in values], number
                top = []
            elif number >= 10:
                break
            continue
        if _blank(values):
            continue
        rows.append((number, values))
        if len(rows) > limit:
            raise _too_many_rows(limit)
    if headers is None:
        if not top:
            raise ImportRejected(_("The file is empty."))
        header_row, first = top[0]
        headers = ["" if v is None else str(v).strip() for v in first]
        rows = [(n, v) for n, v in top[1:] if not _blank(v)]
        # Carry on reading below the rows looked at for a header.
        for number, values in numbered:
            if not _blank(values):
                rows.append((number, values))
            if len(rows) > limit:
                raise _too_many_rows(limit)
    return Table(headers=headers, header_row=header_row, rows=rows)
