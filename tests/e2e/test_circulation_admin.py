"""The 发行 clerk imports a recipients file through the admin (preview, confirm) and downloads
the dispatch sheet of the draft twin."""

import io

import openpyxl
import pytest

from briefs.models import Issue
from circulation.models import IssueDistribution, Recipient
from tests.circulation.files import HEADERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def test_clerk_imports_recipients_and_downloads_dispatch_sheet(e2e_demo, login, live_server, tmp_path):
    """A GBK CSV goes through preview and confirm; the twin's dispatch sheet downloads as XLSX
    with 117's recipients in protocol order and the signature and date columns."""
    csv_path = tmp_path / "收文对象.csv"
    lines = [
        ",".join(HEADERS),
        "单位,,,统计局,苏州市统计局,报,170,,,邮寄,2,是",
        "个人,王五,秘书长,,,送,180,,,电子,1,是",
    ]
    # Saved as Chinese Excel saves CSV: GBK.
    csv_path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))

    page = login("clerk")
    page.goto(live_server.url + "/admin/circulation/recipient/")
    page.click("a.import_link")
    page.set_input_files("input[name=import_file]", str(csv_path))
    page.click("input[name=preview]")
    # The preview lists both rows before anything is written.
    page.wait_for_selector("text=统计局")
    assert Recipient.objects.filter(printed_name="统计局").count() == 0
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist")
    assert Recipient.objects.get(printed_name="统计局").full_name == "苏州市统计局"
    assert Recipient.objects.get(printed_name="王五秘书长").category == "song"

    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力")
    dist = IssueDistribution.objects.get(issue=twin)
    page.goto("%s/admin/circulation/issuedistribution/%s/change/" % (live_server.url, dist.pk))  # noqa: UP031
    assert "份数相符" in page.content()
    with page.expect_download() as info:
        page.click("a.export-link[href*='dispatch-sheet/xlsx']")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    from django.utils import timezone

    expected = "领军参阅-草稿%s-发文签收单-%s.xlsx" % (twin.pk, timezone.localdate().isoformat())  # noqa: UP031
    assert download.suggested_filename == expected
    rows = list(openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active.values)[2:]
    assert rows[0][:2] == ("序号", "收文对象") and rows[0][-2:] == ("签收人签字", "签收日期")
    assert [r[1] for r in rows[1:6]] == ["刘小涛书记", "吴庆文市长", "李亚平主任", "朱民主席", "黄爱军副书记"]
    assert len(rows) == 14 + 1 and rows[-1][0] == "合计"
