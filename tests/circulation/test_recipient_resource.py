"""The recipient import and plain export run on django-import-export's ``RecipientResource``:
the preview reads the file once and dry-runs the resource without writing; the confirm imports
the kept dataset without reading a file, all or nothing; the export is the resource's tablib
dataset with Chinese headers and every formula starter (half- and full-width) escaped."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from circulation import selectors, services, tables
from circulation.exceptions import ImportRejected
from circulation.models import Recipient
from circulation.resources import RecipientResource
from tests.factories import RecipientFactory

from .files import HEADERS, make_csv, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def _count_reads(monkeypatch) -> list:
    reads = []
    real = tables.read_table

    def counting(*args, **kwargs):
        reads.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "read_table", counting)
    return reads


def test_preview_reads_the_file_once_and_confirm_reads_none(clerk, monkeypatch):
    """Upload → preview → confirm parses the spreadsheet once: the confirm imports the dataset
    the preview kept, with openpyxl never opened again."""
    reads = _count_reads(monkeypatch)
    preview = services.recipients_import_preview(
        data=make_xlsx([person_row(1), person_row(2)]), file_name="r.xlsx", user=clerk
    )
    assert reads == ["r.xlsx"] and (preview.created, preview.updated) == (2, 0)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed the file again"))
    summary = services.recipients_import_confirm(token=preview.token, user=clerk)
    assert reads == ["r.xlsx"] and summary.created == 2
    assert set(Recipient.objects.values_list("printed_name", flat=True)) == {"测试00001主任", "测试00002主任"}


def test_preview_writes_no_recipient_row(clerk):
    """The dry run checks and counts: no INSERT or UPDATE of recipients is sent to the database
    (the library's own dry run would write and roll back)."""
    RecipientFactory(name="测试00001", title="主任")
    with CaptureQueriesContext(connection) as queries:
        preview = services.recipients_import_preview(
            data=make_csv([person_row(1), person_row(2)]), file_name="r.csv", user=clerk
        )
    assert (preview.created, preview.updated) == (1, 1)
    writes = [q["sql"] for q in queries if "circulation_recipient" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert writes == []


def test_preview_shows_the_cells_as_written_with_their_row(clerk):
    preview = services.recipients_import_preview(data=make_csv([person_row(1)]), file_name="r.csv", user=clerk)
    assert preview.first_rows == [(2, [str(v) for v in person_row(1)])]


def test_confirm_updates_a_recipient_added_since_the_preview(clerk):
    """Someone adds 测试00001主任 between preview and confirm: the confirm updates it instead of
    failing on the unique printed name."""
    preview = services.recipients_import_preview(
        data=make_csv([person_row(1), person_row(2)]), file_name="r.csv", user=clerk
    )
    RecipientFactory(name="测试00001", title="主任", mailing_address="旧地址")
    summary = services.recipients_import_confirm(token=preview.token, user=clerk)
    assert (summary.created, summary.updated) == (1, 1)
    assert Recipient.objects.get(printed_name="测试00001主任").mailing_address == "苏州市人民路1号"


def test_confirm_is_all_or_nothing_when_the_database_refuses(clerk, monkeypatch):
    """The new rows are written, then the update fails: everything is rolled back, the user gets
    a Chinese message, and the preview can be confirmed again."""
    RecipientFactory(name="测试00001", title="主任", mailing_address="旧地址")
    preview = services.recipients_import_preview(
        data=make_csv([person_row(1), person_row(2)]), file_name="r.csv", user=clerk
    )

    def refuse(*args, **kwargs):
        raise RuntimeError("database refused")

    monkeypatch.setattr(QuerySet, "bulk_update", refuse)
    with pytest.raises(ImportRejected) as exc:
        services.recipients_import_confirm(token=preview.token, user=clerk)
    assert exc.value.messages == ["导入失败，未保存任何内容。"]
    assert list(Recipient.objects.values_list("printed_name", "mailing_address")) == [("测试00001主任", "旧地址")]
    monkeypatch.undo()
    assert services.recipients_import_confirm(token=preview.token, user=clerk).created == 1


def test_every_bad_cell_of_a_row_is_named_in_column_order(clerk):
    """Several bad cells on one row: one message each, in the order of the columns."""
    row = person_row(1)
    row[0], row[6], row[11] = "集体", "第一", "也许"
    with pytest.raises(ImportRejected) as exc:
        services.recipients_import(data=make_csv([row]), file_name="r.csv", user=clerk)
    assert exc.value.messages == [
        "第 2 行“类型”列：无法识别“集体”，应为：个人、单位。",
        "第 2 行“排序”列：请填写整数。",
        "第 2 行“是否有效”列：请填写“是”或“否”。",
    ]


def test_export_is_the_resource_dataset(clerk):
    """XLSX export: one header row of Chinese titles (no title rows), a Chinese sheet name,
    numbers as numbers, choices by label, 是/否; the same rows as ``RecipientResource().export()``."""
    RecipientFactory(name="甲", title="书记", protocol_order=3, default_copies=2, is_active=False)
    book = openpyxl.load_workbook(io.BytesIO(selectors.recipients_export(Recipient.objects.all(), "xlsx")))
    sheet = book.active
    assert sheet.title == "收文对象"
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    assert rows[1][0] == "个人" and rows[1][6] == 3 and rows[1][10] == 2 and rows[1][11] == "否"
    dataset = RecipientResource().export(Recipient.objects.all())
    # An empty text cell is written as an empty cell, read back as None.
    assert dataset.headers == HEADERS and [[v if v != "" else None for v in r] for r in dataset] == [list(rows[1])]


@pytest.mark.parametrize("starter", ["=", "+", "-", "@", "＝", "＋", "－", "＠"])
def test_export_escapes_formula_starters(clerk, starter):
    """Half- and full-width formula starters get a leading quote in the CSV and the XLSX."""
    RecipientFactory(name="甲", title="书记", mailing_address=starter + 'HYPERLINK("http://x")')
    expected = "'" + starter + 'HYPERLINK("http://x")'
    text = selectors.recipients_export(Recipient.objects.all(), "csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][7] == expected
    sheet = openpyxl.load_workbook(io.BytesIO(selectors.recipients_export(Recipient.objects.all(), "xlsx"))).active
    assert sheet.cell(row=2, column=8).value == expected


def test_export_without_contacts_leaves_the_columns_out(clerk):
    RecipientFactory(name="甲", title="书记", mailing_address="人民路 1 号", contact="0512-1")
    data = selectors.recipients_export(Recipient.objects.all(), "csv", with_contacts=False).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(data)))
    assert "通讯地址" not in header and "联系方式" not in header and "人民路" not in data
