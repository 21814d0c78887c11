"""Receipts re-import in the admin: the 发行 clerk uploads the signed dispatch sheet (XLSX, or CSV
as Chinese Excel saves it in GBK) on the issue's distribution page, sees what will be recorded,
confirms; a bad cell is named by spreadsheet row and column in Chinese and nothing is recorded;
other roles are refused on the server; the form needs its CSRF token."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from circulation import selectors, services
from circulation.models import Copy, CopyMovement, IssueDistribution
from tests.circulation.files import signed_dispatch_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered(demo, clerk):
    """Issue 117 with its 70 copies numbered and the 37 addressed ones dispatched."""
    issue = demo["issue_117"]
    services.copies_number(issue=issue, user=clerk)
    services.copies_dispatch(issue=issue, date=datetime.date(2024, 1, 20), user=clerk)
    return issue


def _url(issue):
    return reverse("admin:circulation_receipts_import", args=[IssueDistribution.objects.get(issue=issue).pk])


def _gbk_csv(issue, fills) -> bytes:
    rows = list(csv.reader(io.StringIO(selectors.dispatch_sheet_export(issue, "csv").decode("utf-8-sig"))))
    for row, (signer, day) in fills.items():
        rows[row - 1][7], rows[row - 1][8] = signer, day
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("gbk")


def _preview(client, issue, data, name):
    return client.post(_url(issue), {"sheet": SimpleUploadedFile(name, data), "preview": "1"})


def _receipts():
    return CopyMovement.objects.filter(kind=CopyMovement.Kind.RECEIVED)


def test_distribution_page_links_to_the_receipts_import(client, numbered, clerk):
    """The (frozen, view-only) distribution page of 117 links to the receipts import."""
    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=numbered)
    html = client.get(reverse("admin:circulation_issuedistribution_change", args=[dist.pk])).content.decode()
    assert _url(numbered) in html and "导入已签收的发文签收单" in html


def test_xlsx_preview_then_confirm_records_receipts(client, numbered, clerk):
    """Signed rows 4 and 9 (刘小涛书记 and the 12 copies of 市委常委; the sheet's title takes rows
    1-2, its header row 3): the preview lists 13 receipts with their spreadsheet rows and writes
    nothing; confirming records exactly those 13."""
    client.force_login(clerk)
    data = signed_dispatch_sheet(numbered, {4: ("刘秘书", datetime.date(2024, 1, 21)), 9: ("常委办", "2024年1月22日")})
    response = _preview(client, numbered, data, "签收.xlsx")
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(r.row, r.copy_label, r.signer) for r in plan.receipts][:2] == [(4, "001", "刘秘书"), (9, "006", "常委办")]
    assert len(plan.receipts) == 13
    html = response.content.decode()
    assert "将记录 13 份签收" in html and "常委办" in html and "2024-01-22" in html
    assert not _receipts().exists()

    payload = response.context["confirm_form"].initial["payload"]
    response = client.post(_url(numbered), {"payload": payload, "confirm": "1"})
    assert response.status_code == 302
    assert _receipts().count() == 13
    assert set(_receipts().values_list("created_by", flat=True)) == {clerk.pk}
    assert selectors.copies_not_signed_for(numbered).count() == 37 - 13
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已记录 13 份签收" in m for m in messages)


def test_gbk_csv_preview_and_confirm(client, numbered, clerk):
    """A CSV saved in GBK by Chinese Excel is read as well as XLSX."""
    client.force_login(clerk)
    data = _gbk_csv(numbered, {3: ("吴秘书", "2024/1/21")})
    response = _preview(client, numbered, data, "签收.csv")
    assert [(r.row, r.printed_name, r.signer) for r in response.context["plan"].receipts] == [
        (3, "吴庆文市长", "吴秘书")
    ]
    client.post(_url(numbered), {"payload": response.context["confirm_form"].initial["payload"], "confirm": "1"})
    assert list(_receipts().values_list("signer", "date")) == [("吴秘书", datetime.date(2024, 1, 21))]


def test_bad_cell_is_named_in_chinese_and_nothing_is_recorded(client, numbered, clerk):
    """One good row and one with a date that is not a date: the page names 第 5 行“签收日期”列,
    offers no confirm button, and no receipt is recorded."""
    client.force_login(clerk)
    data = signed_dispatch_sheet(numbered, {4: ("刘秘书", "2024-01-21"), 5: ("吴秘书", "下周")})
    response = _preview(client, numbered, data, "签收.xlsx")
    html = response.content.decode()
    assert "第 5 行“签收日期”列：请填写日期，例如 2024-01-20。" in html
    assert response.context["confirm_form"] is None and 'name="confirm"' not in html
    assert not _receipts().exists()


def test_confirm_revalidates_and_is_all_or_nothing(client, numbered, clerk):
    """A copy destroyed between preview and confirm: the confirm step refuses the whole sheet
    with the row and column named, and records none of its receipts."""
    client.force_login(clerk)
    data = signed_dispatch_sheet(numbered, {4: ("刘秘书", "2024-01-21"), 9: ("常委办", "2024-01-22")})
    payload = _preview(client, numbered, data, "签收.xlsx").context["confirm_form"].initial["payload"]
    copy = Copy.objects.get(issue=numbered, serial=6)
    services.copy_movement_add(copy=copy, kind="destroyed", date=datetime.date(2024, 1, 21), user=clerk)
    response = client.post(_url(numbered), {"payload": payload, "confirm": "1"})
    assert response.status_code == 200
    assert "第 9 行“份号”列：第 006 份已销毁，不能再登记流转。" in response.content.decode()
    assert not _receipts().exists()


def test_tampered_payload_is_refused(client, numbered, clerk):
    """A confirm step whose file was swapped is refused in Chinese; nothing is recorded."""
    client.force_login(clerk)
    response = client.post(_url(numbered), {"payload": "eyJ4IjoxfQ:forged:sig", "confirm": "1"})
    assert "预览已过期，请重新上传文件。" in response.content.decode()
    assert not _receipts().exists()


def test_other_roles_are_refused_on_the_server(client, numbered, editor_user):
    """An editor may view the distribution but neither open the receipts page nor post to it."""
    client.force_login(editor_user)
    data = signed_dispatch_sheet(numbered, {4: ("刘秘书", "2024-01-21")})
    assert client.get(_url(numbered)).status_code == 403
    assert _preview(client, numbered, data, "签收.xlsx").status_code == 403
    assert not _receipts().exists()
    with pytest.raises(services.NotAllowed):
        services.dispatch_receipts_preview(issue=numbered, data=data, file_name="签收.xlsx", user=editor_user)


def test_upload_needs_the_csrf_token(numbered, clerk):
    """Without the CSRF token the upload is refused (403) before anything is read."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    data = signed_dispatch_sheet(numbered, {4: ("刘秘书", "2024-01-21")})
    assert _preview(client, numbered, data, "签收.xlsx").status_code == 403
    page = client.get(_url(numbered))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()


def test_oversized_upload_is_refused_in_chinese(client, numbered, clerk):
    """A file over the limit is refused with a Chinese message naming the limit."""
    client.force_login(clerk)
    response = _preview(client, numbered, b"x" * (services.MAX_RECEIPTS_UPLOAD + 1), "签收.csv")
    assert "文件过大：最多 2 MB。" in response.content.decode()
    assert not _receipts().exists()
