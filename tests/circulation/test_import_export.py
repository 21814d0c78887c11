"""Recipients import (XLSX, CSV in UTF-8 with/without BOM and GBK) all-or-nothing with Chinese
messages naming row and column; exports with BOM and escaped formulas; the dispatch sheet."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from circulation import selectors, services
from circulation.exceptions import ImportRejected, NotAllowed
from circulation.models import Recipient
from circulation.resources import recipient_headers

from .files import HEADERS, make_csv, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def body_row(short, full, category="报"):
    return ["单位", "", "", short, full, category, 200, "", "", "机要交通", 2, "是"]


def test_xlsx_import_creates_recipients_with_printed_names(clerk):
    """An XLSX file with Chinese headers creates persons and bodies; printed names are composed."""
    data = make_xlsx(
        [
            ["个人", "刘小涛", "书记", "", "", "报", 10, "", "", "机要交通", 1, "是"],
            body_row("市发改委", "苏州市发展和改革委员会"),
        ]
    )
    summary = services.recipients_import(data=data, file_name="r.xlsx", user=clerk)
    assert summary.created == 2
    assert Recipient.objects.get(printed_name="刘小涛书记").channel == "courier"
    assert Recipient.objects.get(printed_name="市发改委").full_name == "苏州市发展和改革委员会"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_import_detects_encoding(clerk, encoding):
    """CSV saved as UTF-8, UTF-8 with BOM, or GBK (Chinese Excel) all import the same."""
    data = make_csv([body_row("社科联", "苏州市社会科学界联合会"), person_row(1)], encoding=encoding)
    services.recipients_import(data=data, file_name="r.csv", user=clerk)
    assert set(Recipient.objects.values_list("printed_name", flat=True)) == {"社科联", "测试00001主任"}


def test_reimport_updates_by_printed_name(clerk):
    """Importing a known printed name again updates that recipient instead of adding a second."""
    services.recipients_import(data=make_csv([body_row("民政局", "旧名")]), file_name="a.csv", user=clerk)
    summary = services.recipients_import(
        data=make_csv([body_row("民政局", "苏州市民政局")]), file_name="a.csv", user=clerk
    )
    assert summary.updated == 1
    assert Recipient.objects.get().full_name == "苏州市民政局"


def _rejected(clerk, data, file_name="r.csv") -> list[str]:
    with pytest.raises(ImportRejected) as exc:
        services.recipients_import(data=data, file_name=file_name, user=clerk)
    assert Recipient.objects.count() == 0
    return exc.value.messages


def test_wrong_headers_are_refused(clerk):
    """English or misspelt headers: the message names the missing and unknown columns; nothing imported."""
    headers = ["kind", "姓名", "职务", "简称", "全称", "类别"]
    messages = _rejected(clerk, make_csv([["个人", "张三", "主任", "", "", "报"]], headers=headers))
    assert "表头不正确" in messages[0] and "类型" in messages[0] and "kind" in messages[0]


def test_empty_required_cell_names_row_and_column(clerk):
    """A person without a title on the third spreadsheet row: 第 3 行“职务”列."""
    rows = [person_row(1), ["个人", "张三", "", "", "", "报", 5, "", "", "邮寄", 1, "是"]]
    messages = _rejected(clerk, make_csv(rows))
    assert messages == ["第 3 行“职务”列：此项必填。"]


def test_unknown_category_names_row_and_column(clerk):
    """A category other than 报/送/发 is refused with the allowed values listed."""
    rows = [person_row(1), person_row(2)]
    rows[1][5] = "抄"
    messages = _rejected(clerk, make_xlsx(rows), "r.xlsx")
    assert messages == ["第 3 行“类别”列：无法识别“抄”，应为：报、送、发。"]


def test_duplicate_recipients_in_file(clerk):
    """The same printed name twice: the second row is refused, naming the first."""
    messages = _rejected(clerk, make_csv([person_row(7), person_row(8), person_row(7)]))
    assert messages == ["第 4 行“职务”列：收文对象“测试00007主任”重复：第 2 行已有。"]


def test_gbk_file_with_bad_row_is_refused_in_chinese(clerk):
    """A GBK file is read correctly, and its bad row is named in Chinese."""
    rows = [body_row("文广新局", "苏州市文化广电新闻出版局"), body_row("", "无简称")]
    messages = _rejected(clerk, make_csv(rows, encoding="gbk"))
    assert messages == ["第 3 行“简称”列：此项必填。"]


def test_ten_thousand_rows_one_bad_near_the_end(clerk):
    """10,000 rows with one bad copies cell at row 9,998: one message, nothing imported."""
    rows = [person_row(n) for n in range(1, 10_001)]
    rows[9_996][10] = "两份"
    messages = _rejected(clerk, make_xlsx(rows), "big.xlsx")
    assert messages == ["第 9998 行“默认份数”列：请填写整数。"]


def test_unreadable_file_and_wrong_extension(clerk):
    """A file that is not a spreadsheet, or a .txt, is refused with a Chinese message."""
    assert _rejected(clerk, b"\x00\x01garbage", "r.xlsx") == ["无法按 XLSX 读取该文件。"]
    assert _rejected(clerk, b"a,b", "r.txt") == ["只能导入 XLSX 或 CSV 文件。"]


def test_import_needs_circulation_role(editor_user):
    """An editor may not import recipients, whatever the admin shows."""
    with pytest.raises(NotAllowed):
        services.recipients_import(data=make_csv([person_row(1)]), file_name="r.csv", user=editor_user)


def test_recipient_export_csv_has_bom_chinese_headers_and_escaped_formulas(clerk):
    """CSV export starts with a UTF-8 BOM, has Chinese headers, and escapes formula cells."""
    Recipient.objects.create(
        kind="body", short_name="市科协", full_name='=HYPERLINK("x")', contact="+86 512", category="bao"
    )
    data = selectors.recipients_export(Recipient.objects.all(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1][4] == '\'=HYPERLINK("x")' and rows[1][8] == "'+86 512"


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "csv-gbk"])
def test_recipient_export_reimports_unchanged(clerk, file_format):
    """An exported recipients file imports back as updates, nothing new,
    and nothing changes."""
    call_command("load_demo", stdout=io.StringIO())
    before = list(Recipient.objects.order_by("pk").values())
    data = selectors.recipients_export(Recipient.objects.all(), file_format)
    name = "r.xlsx" if file_format == "xlsx" else "r.csv"
    summary = services.recipients_import(data=data, file_name=name, user=clerk)
    assert summary.updated == 13 and summary.created == 0
    assert list(Recipient.objects.order_by("pk").values()) == before


def test_dispatch_sheet_command_xlsx_and_csv(demo, tmp_path):
    """export_distribution 117 writes the dispatch sheet: recipient, copies, numbers, channel, signature, date."""
    out = tmp_path / "117.xlsx"
    call_command("export_distribution", "117", "--format", "xlsx", "--output", str(out), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.values)[2:]
    assert rows[0] == ("序号", "收文对象", "全称", "份数", "份号", "递送方式", "备注", "签收人签字", "签收日期")
    assert rows[1][1:4] == ("刘小涛书记", "中共苏州市委书记", 1)
    assert rows[6][1] == "市委常委" and rows[6][3] == 12
    assert len(rows) == 14 + 1 and rows[-1][0] == "合计"
    out_csv = tmp_path / "117.csv"
    call_command("export_distribution", "117", "--format", "csv", "--output", str(out_csv), stdout=io.StringIO())
    assert out_csv.read_bytes().startswith("\ufeff序号,收文对象".encode())


def test_dispatch_sheet_reads_back_past_its_title(demo):
    """The dispatch sheet reads back with the import's reader: the header is found under the
    title rows, the rows are the recipients and the 合计."""
    from circulation import tables
    from circulation.resources import dispatch_sheet_labels

    data = selectors.dispatch_sheet_export(demo["issue_117"], "xlsx")
    table = tables.read_table(data, "签收单.xlsx", known_headers=set(dispatch_sheet_labels().values()))
    assert table.header_row == 3 and table.rows[0][0] == 4
    names = [values[1] for _number, values in table.rows]
    assert names[:-1] == [row.printed_name for row in selectors.dispatch_rows(demo["issue_117"])]
    assert table.rows[-1][1][0] == "合计" and table.rows[-1][1][3] == 37


def test_resource_headers_are_chinese():
    """Every import/export column header is Chinese."""
    assert list(recipient_headers().values()) == HEADERS
