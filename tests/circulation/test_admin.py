"""Circulation admin: list pages in a constant number of queries, Chinese everywhere, import with
preview and all-or-nothing, exports as downloads, writes refused to other roles."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circulation import selectors, services
from circulation.models import IssueDistribution, Recipient
from tests.factories import BodyRecipientFactory, IssueFactory, RecipientFactory

from .files import HEADERS, make_csv, make_xlsx, person_row

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    ("circulation_recipient", lambda n: [RecipientFactory() for _ in range(n)]),
    (
        "circulation_issuedistribution",
        lambda n: [IssueDistribution.objects.create(issue=IssueFactory()) for _ in range(n)],
    ),
    ("circulation_distributionsnapshot", None),
    ("circulation_copymovement", None),
    ("circulation_instruction", None),
    ("circulation_copy", None),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name,make", [p for p in LIST_PAGES if p[1]])
def test_list_pages_constant_queries(client, superuser, name, make):
    """The changelist runs as many queries with 20 rows as with 1."""
    client.force_login(superuser)
    url = reverse("admin:%s_changelist" % name)  # noqa: UP031
    make(1)
    one = _count(client, url)
    make(19)
    assert _count(client, url) == one


@pytest.mark.parametrize("name", [p[0] for p in LIST_PAGES])
def test_list_pages_open_with_demo_data(client, demo, superuser, django_assert_max_num_queries, name):
    """Every circulation changelist opens with the demo loaded, in a bounded number of queries."""
    client.force_login(superuser)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("admin:%s_changelist" % name)).status_code == 200  # noqa: UP031


def test_issue_distribution_page_shows_reconciliation_in_chinese(client, demo, superuser):
    """The change page of 117's distribution shows the line, the reconciliation, and no English labels."""
    client.force_login(superuser)
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    html = client.get(reverse("admin:circulation_issuedistribution_change", args=[dist.pk])).content.decode()
    assert "报：刘小涛书记、吴庆文市长" in html and "份数相符" in html and "印数" in html
    for english in ("Archive copies", "Reserve copies", "Reconciliation", "Dispatch sheet"):
        assert english not in html


def _import(client, data, name, fmt_index=None):
    url = reverse("admin:circulation_recipient_import")
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"import_file": SimpleUploadedFile(name, data), "preview": "1"})


def test_admin_import_preview_then_confirm(client, clerk):
    """The clerk uploads a GBK CSV, sees the preview, confirms, and the recipients exist."""
    client.force_login(clerk)
    rows = [["单位", "", "", "社科联", "苏州市社会科学界联合会", "报", 5, "", "", "邮寄", 1, "是"], person_row(1)]
    response = _import(client, make_csv(rows, encoding="gbk"), "r.csv")
    assert response.status_code == 200
    html = response.content.decode()
    assert "社科联" in html and "将新增 2 位" in html and Recipient.objects.count() == 0
    token = response.context["preview"].token
    response = client.post(reverse("admin:circulation_recipient_import"), {"token": token, "confirm": "1"})
    assert response.status_code == 302
    assert set(Recipient.objects.values_list("printed_name", flat=True)) == {"社科联", "测试00001主任"}
    # A token is good for one confirm.
    response = client.post(reverse("admin:circulation_recipient_import"), {"token": token, "confirm": "1"})
    assert "预览已过期，请重新上传文件。" in response.content.decode()


def test_admin_import_confirm_is_one_users_own(client, clerk):
    """Another clerk cannot confirm (or even guess) someone else's preview."""
    from tests.factories import role_user
    from zhiku import roles

    client.force_login(clerk)
    token = _import(client, make_csv([person_row(1)]), "r.csv").context["preview"].token
    client.force_login(role_user(roles.CIRCULATION, username="clerk-two"))
    response = client.post(reverse("admin:circulation_recipient_import"), {"token": token, "confirm": "1"})
    assert "预览已过期" in response.content.decode() and Recipient.objects.count() == 0


def test_admin_import_preview_shows_row_errors_and_cannot_confirm(client, clerk):
    """A bad row is shown with its Chinese column name; there is no confirm button; nothing is written."""
    client.force_login(clerk)
    rows = [person_row(1), person_row(2)]
    rows[1][5] = "抄"
    response = _import(client, make_xlsx(rows), "r.xlsx")
    html = response.content.decode()
    assert "无法识别“抄”" in html and "类别" in html
    assert response.context["preview"] is None and 'name="confirm"' not in html
    assert Recipient.objects.count() == 0


def test_editor_cannot_import_or_change(client, editor_user):
    """An editor sees recipients but may not import or add them."""
    client.force_login(editor_user)
    assert client.get(reverse("admin:circulation_recipient_import")).status_code == 403
    assert client.get(reverse("admin:circulation_recipient_add")).status_code == 403


def test_dispatch_sheet_download(client, demo, clerk):
    """The dispatch sheet downloads as XLSX, PDF, CSV with BOM and CSV in GBK, under a Chinese
    name sent as RFC 5987 filename*."""
    from urllib.parse import quote

    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "xlsx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("领军参阅-2024年第2期-发文签收单.xlsx")
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "csv"]))
    assert response.streaming  # CSV is streamed, never held whole
    assert b"".join(response.streaming_content).startswith("\ufeff序号".encode())
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "csv-gbk"]))
    gbk = b"".join(response.streaming_content)
    assert gbk.startswith("序号".encode("gbk")) and "charset=gbk" in response["Content-Type"]
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "pdf"]))
    assert response.content.startswith(b"%PDF") and quote("发文签收单.pdf") in response["Content-Disposition"]


def test_draft_file_name_has_the_local_date(client, demo, clerk, settings):
    """A draft's sheet is named with today's date in Asia/Shanghai, not UTC: at 23:30 UTC on
    29 November it is already 30 November in Suzhou."""
    import datetime
    from unittest import mock
    from urllib.parse import quote

    from django.utils import timezone

    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=demo["twin"])
    late = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=late):
        response = client.get(reverse("admin:circulation_distribution_export", args=[dist.pk, "xlsx"]))
    expected = "领军参阅-草稿%s-分发清单-2026-11-30.xlsx" % demo["twin"].pk  # noqa: UP031
    assert response["Content-Disposition"].endswith(quote(expected))


def test_recipient_export_respects_filters(client, clerk):
    """The export page is Chinese (no field picker, no "Select all"); exporting from a filtered
    changelist exports only the filtered recipients, under a Chinese name with the local date."""
    from django.utils import timezone

    client.force_login(clerk)
    RecipientFactory(name="甲", title="书记")
    BodyRecipientFactory(short_name="民政局", category="song")
    url = reverse("admin:circulation_recipient_export") + "?category__exact=song"
    page = client.get(url).content.decode()
    assert "Select all" not in page and "Kind (" not in page and "CSV（国标编码" in page
    assert "format=csv" in page and "category__exact=song" in page
    response = client.get(url + "&format=csv")
    assert response.streaming  # a long list is sent chunk by chunk, never held whole
    data = b"".join(response.streaming_content)
    assert data == selectors.recipients_export(Recipient.objects.filter(category="song"), "csv")
    body = data.decode("utf-8-sig")
    assert "民政局" in body and "甲书记" not in body
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert timezone.localdate().isoformat() in response["Content-Disposition"]


def test_frozen_issue_distribution_is_read_only_for_the_clerk(client, demo, clerk):
    """117 is released: its distribution page is view-only, and the service refuses too."""
    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    response = client.post(reverse("admin:circulation_issuedistribution_change", args=[dist.pk]), {"archive_copies": 9})
    assert response.status_code == 403
    with pytest.raises(services.DistributionFrozen):
        services.check_distribution_editable(issue=demo["issue_117"], user=clerk)


def test_admin_import_names_the_spreadsheet_row_like_the_service(client, clerk):
    """A bad category on the fourth spreadsheet row (header = row 1): the admin's preview says
    第 4 行“类别”列 in the same words as the service, and nothing is imported."""
    client.force_login(clerk)
    rows = [person_row(1), person_row(2), person_row(3)]
    rows[2][5] = "抄"
    data = make_xlsx(rows)
    html = _import(client, data, "r.xlsx").content.decode()
    expected = "第 4 行“类别”列：无法识别“抄”，应为：报、送、发。"
    assert expected in html
    assert Recipient.objects.count() == 0
    with pytest.raises(services.ImportRejected) as exc:
        services.recipients_import(data=data, file_name="r.xlsx", user=clerk)
    assert exc.value.messages == [expected]


def test_admin_import_wrong_headers_message_in_chinese_without_traceback(client, clerk):
    """A file with an English header is refused in the preview with the Chinese header message
    and no traceback; nothing is imported."""
    client.force_login(clerk)
    headers = ["kind", *HEADERS[1:]]
    html = _import(client, make_csv([person_row(1)], headers=headers), "r.csv").content.decode()
    assert "表头不正确" in html and "kind" in html
    assert "Traceback" not in html
    assert Recipient.objects.count() == 0
