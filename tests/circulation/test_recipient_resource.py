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


STARTERS = ["=", "+", "-", "@", "＝", "＋", "－", "＠", "\t"]


def _every_field_filled(count: int) -> None:
    """``count`` recipients with every exported field set: both kinds, every category and channel,
    active and not, several copies, and text cells starting with each formula starter (half- and
    full-width), a comma, a quote or a line break."""
    kinds = [k for k, _label in Recipient.Kind.choices]
    categories = ["bao", "song", "fa"]
    channels = ["courier", "post", "electronic"]
    Recipient.objects.bulk_create(
        Recipient(
            kind=kinds[n % 2],
            name="名%04d" % n,
            title=STARTERS[n % len(STARTERS)] + "职务" if n % 7 == 0 else "主任",
            short_name="简称%04d" % n,
            full_name='全称, "引号"\n第二行%d' % n if n % 5 == 0 else STARTERS[n % len(STARTERS)] + "SUM(A1)",
            printed_name="导出%04d" % n,
            category=categories[n % 3],
            protocol_order=n % 17 + 1,
            mailing_address=STARTERS[(n + 3) % len(STARTERS)] + "人民路%d号" % n,
            contact="+86 512 %04d" % n,
            channel=channels[n % 3],
            default_copies=n % 4 + 1,
            is_active=n % 3 != 0,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("file_format,codec", [("csv", "utf-8-sig"), ("csv-gbk", "gb18030")])
@pytest.mark.parametrize("with_contacts", [True, False])
def test_direct_csv_is_the_library_export_byte_for_byte(clerk, file_format, codec, with_contacts):
    """The recipients CSV, written straight from one query (RecipientResource.csv_chunks), is byte
    for byte what django-import-export's dataset writes for the same resource: headers, column
    order, choices by label, 是/否, numbers, quoting, formula starters escaped, the BOM once (over
    more than one chunk of a thousand rows), GBK."""
    _every_field_filled(1_205)
    queryset = Recipient.objects.order_by("category", "protocol_order", "id")
    fields = selectors._recipient_export_fields(with_contacts)
    library = RecipientResource().export(queryset, export_fields=fields).export("csv").encode(codec)
    data = selectors.recipients_export(Recipient.objects.all(), file_format, with_contacts=with_contacts)
    assert data == library
    assert data.count("\ufeff".encode()) == (1 if codec == "utf-8-sig" else 0)
    rows = list(csv.reader(io.StringIO(data.decode(codec))))
    assert len(rows) == 1 + 1_205
    columns = {header: [row[rows[0].index(header)] for row in rows[1:]] for header in rows[0]}
    assert set(columns["类型"]) == {"个人", "单位"} and set(columns["类别"]) >= {"报", "送", "发"}
    assert set(columns["是否有效"]) == {"是", "否"}
    assert {cell[:2] for cell in columns["全称"] if cell[:1] == "'"} == {"'" + s for s in STARTERS}


def test_direct_csv_reads_the_recipients_in_one_query(clerk, django_assert_num_queries):
    _every_field_filled(30)
    with django_assert_num_queries(1):
        selectors.recipients_export(Recipient.objects.all(), "csv")
