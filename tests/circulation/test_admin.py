"""Circulation admin: list pages in a constant number of queries, Chinese everywhere, import with
preview and all-or-nothing, exports as downloads, writes refused to other roles."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circulation import services
from circulation.models import IssueDistribution, Recipient
from tests.factories import BodyRecipientFactory, IssueFactory, RecipientFactory

from .conftest import HEADERS, make_csv, make_xlsx, person_row

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


def _import(client, data, name, fmt_index):
    url = reverse("admin:circulation_recipient_import")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data)
    return client.post(url, {"import_file": upload, "format": fmt_index, "resource": 0})


def test_admin_import_preview_then_confirm(client, clerk):
    """The clerk uploads a GBK CSV, sees the preview, confirms, and the recipients exist."""
    client.force_login(clerk)
    rows = [["单位", "", "", "社科联", "苏州市社会科学界联合会", "报", 5, "", "", "邮寄", 1, "是"], person_row(1)]
    response = _import(client, make_csv(rows, encoding="gbk"), "r.csv", 1)
    assert response.status_code == 200
    html = response.content.decode()
    assert "社科联" in html and Recipient.objects.count() == 0
    form = response.context["confirm_form"]
    data = {k: v for k, v in form.initial.items()}
    response = client.post(reverse("admin:circulation_recipient_process_import"), data)
    assert response.status_code == 302
    assert set(Recipient.objects.values_list("printed_name", flat=True)) == {"社科联", "测试00001主任"}


def test_admin_import_preview_shows_row_errors_and_cannot_confirm(client, clerk):
    """A bad row is shown with its Chinese column name; there is no confirm form; nothing is written."""
    client.force_login(clerk)
    rows = [person_row(1), person_row(2)]
    rows[1][5] = "抄"
    response = _import(client, make_xlsx(rows), "r.xlsx", 0)
    html = response.content.decode()
    assert "无法识别“抄”" in html and "类别" in html
    assert not response.context.get("confirm_form")
    assert Recipient.objects.count() == 0


def test_editor_cannot_import_or_change(client, editor_user):
    """An editor sees recipients but may not import or add them."""
    client.force_login(editor_user)
    assert client.get(reverse("admin:circulation_recipient_import")).status_code == 403
    assert client.get(reverse("admin:circulation_recipient_add")).status_code == 403


def test_dispatch_sheet_download(client, demo, clerk):
    """The dispatch sheet downloads as XLSX and as CSV with BOM."""
    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "xlsx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "dispatch-117.xlsx" in response["Content-Disposition"]
    response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "csv"]))
    assert response.content.startswith("\ufeff序号".encode())


def test_recipient_export_respects_filters(client, clerk):
    """Exporting from a filtered changelist exports only the filtered recipients."""
    client.force_login(clerk)
    RecipientFactory(name="甲", title="书记")
    BodyRecipientFactory(short_name="民政局", category="song")
    url = reverse("admin:circulation_recipient_export") + "?category__exact=song"
    response = client.post(
        url,
        {"format": 1, "resource": 0, **{f"recipientresource_{f}": "on" for f in ("kind", "short_name", "category")}},
    )
    if response.status_code == 200 and "text/csv" not in response.get("Content-Type", ""):
        fields = re.findall(r'name="(recipientresource_[a-z_]+)"', response.content.decode())
        response = client.post(url, {"format": 1, "resource": 0, **{f: "on" for f in fields}})
    body = response.content.decode("utf-8-sig")
    assert "民政局" in body and "甲书记" not in body and "甲" not in body.split("\n", 1)[1]


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
    第 4 行“类别”列 in the same words as the service, its table numbers the row 4, and nothing is imported."""
    client.force_login(clerk)
    rows = [person_row(1), person_row(2), person_row(3)]
    rows[2][5] = "抄"
    data = make_xlsx(rows)
    html = _import(client, data, "r.xlsx", 0).content.decode()
    expected = "第 4 行“类别”列：无法识别“抄”，应为：报、送、发。"
    assert expected in html
    assert '<td class="row-number">4</td>' in html
    assert Recipient.objects.count() == 0
    with pytest.raises(services.ImportRejected) as exc:
        services.recipients_import(data=data, file_name="r.xlsx", user=clerk)
    assert exc.value.messages == [expected]


def test_admin_import_wrong_headers_message_in_chinese_without_traceback(client, clerk):
    """A file with an English header is refused in the preview with the Chinese header message
    and no traceback; nothing is imported."""
    client.force_login(clerk)
    headers = ["kind", *HEADERS[1:]]
    html = _import(client, make_csv([person_row(1)], headers=headers), "r.csv", 1).content.decode()
    assert "表头不正确" in html and "kind" in html
    assert "Traceback" not in html
    assert Recipient.objects.count() == 0
