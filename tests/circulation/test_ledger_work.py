"""Ledger work a clerk does: copies labelled 存档 / 备用; dispatch, receipt, return, destruction
for a range or all copies of a recipient in one act, with the refusals; the 签收情况 page; 增发
after 签发 without touching the signed footer; one owner for 共印."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from briefs.extensions import distribution_footer
from circulation import selectors, services
from circulation.exceptions import LedgerError, NotAllowed
from circulation.models import AppendOnlyError, Copy, CopyMovement, IssueDistribution, Recipient, Supplement

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 1, 20)


def _move(issue, clerk, kind, **kwargs):
    return services.copies_move(issue=issue, kind=kind, date=DAY, user=clerk, **kwargs)


def test_archive_and_reserve_copies_are_labelled(numbered):
    """After the 37 addressed copies, 038-040 are 存档 and 041-070 备用 (not "-")."""
    copies = {c.serial: c for c in Copy.objects.filter(issue=numbered)}
    assert copies[1].holder == "刘小涛书记"
    assert [copies[n].holder for n in (38, 40, 41, 70)] == ["存档", "存档", "备用", "备用"]


def test_range_dispatch_receipt_return_and_destruction(numbered, clerk):
    """006-017 (市委常委's 12 copies) are dispatched, signed for, one returned, one destroyed —
    each in one act; every copy gets one row."""
    assert len(_move(numbered, clerk, "dispatched", serials="006-017")) == 12
    assert len(_move(numbered, clerk, "received", serials="006-017", signer="常委办")) == 12
    _move(numbered, clerk, "returned", serials="007")
    _move(numbered, clerk, "destroyed", serials="007")
    states = selectors.copy_states(Copy.objects.filter(issue=numbered, serial__in=[6, 7]).values_list("pk", flat=True))
    assert sorted(states.values()) == ["destroyed", "received"]
    assert CopyMovement.objects.count() == 12 + 12 + 2


def test_all_copies_of_one_recipient(numbered, clerk):
    """Choosing a recipient records all its copies: 市委常委's 12."""
    recipient = Recipient.objects.get(printed_name="市委常委")
    moved = _move(numbered, clerk, "dispatched", recipient_id=recipient.pk)
    assert sorted(m.copy.serial for m in moved) == list(range(6, 18))


def test_refusals_leave_nothing_written(numbered, clerk, demo):
    """A receipt before dispatch, a range crossing a destroyed copy, numbers beyond this issue's
    copies, copies of two issues: each refused in Chinese, nothing of the lot recorded."""
    with pytest.raises(LedgerError) as exc:
        _move(numbered, clerk, "received", serials="001-003", signer="刘秘书")
    assert exc.value.messages[0] == "第 001 份尚未发出：请先登记发出，再登记签收。"
    _move(numbered, clerk, "destroyed", serials="010")
    with pytest.raises(LedgerError) as exc:
        _move(numbered, clerk, "dispatched", serials="006-017")
    assert exc.value.messages == ["第 010 份已销毁，不能再登记流转。"]
    with pytest.raises(LedgerError) as exc:
        _move(numbered, clerk, "dispatched", serials="068-072")
    assert exc.value.messages == ["份号 071-072 不是本期的份号（本期共 70 份）。"]
    twin = demo["twin"]
    services.copies_number(issue=twin, user=clerk)
    mixed = list(Copy.objects.filter(serial=1).values_list("pk", flat=True))
    with pytest.raises(LedgerError) as exc:
        _move(numbered, clerk, "dispatched", copy_ids=mixed)
    assert "不同期次" in exc.value.messages[0]
    assert CopyMovement.objects.count() == 1  # the destruction of 010 only


def test_only_circulation_records_movements(numbered, editor_user):
    with pytest.raises(NotAllowed):
        _move(numbered, editor_user, "dispatched", serials="001")


def test_receipt_status_page_and_export(client, numbered, clerk):
    """The 签收情况 page lists who has signed and who has not and the copies outstanding; it
    records a range from its form; it exports as XLSX with the same rows."""
    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=numbered)
    url = reverse("admin:circulation_receipt_status", args=[dist.pk])
    response = client.post(url, {"kind": "dispatched", "serials": "001-017", "date": "2024-01-20"})
    assert response.status_code == 302
    client.post(url, {"kind": "received", "serials": "001", "date": "2024-01-21", "signer": "刘秘书"})
    response = client.post(url, {"kind": "received", "serials": "018", "date": "2024-01-21", "signer": "某"})
    assert "第 018 份尚未发出" in response.content.decode()
    html = client.get(url).content.decode()
    assert "已全部签收 1 位" in html and "已发出尚未签收 16 份" in html and "006-017" in html
    lines = {ln.printed_name: ln for ln in selectors.receipt_status(numbered)}
    assert lines["刘小涛书记"].complete and lines["市委常委"].outstanding == "006-017"
    ws = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
    assert ws.title == "签收情况" and ws["A1"].value == "领军参阅 签收情况"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == "刘小涛书记" and rows[0][7] == "刘秘书" and rows[-1][0] == "合计"


def test_copy_changelist_filters_by_issue_recipient_and_status(client, numbered, clerk):
    """The ledger list shows 存档/备用 and a status column, and filters by status."""
    _move(numbered, clerk, "dispatched", serials="001-005")
    client.force_login(clerk)
    url = reverse("admin:circulation_copy_changelist")
    response = client.get(url, {"state": "dispatched", "issue__id__exact": numbered.pk})
    assert response.context["cl"].result_count == 5
    statuses = {row.serial: row.get_state_display() for row in response.context["cl"].result_list}
    assert statuses == dict.fromkeys(range(1, 6), "已发出")
    assert "已发出" in response.content.decode()
    html = client.get(url, {"purpose__exact": "archive"}).content.decode()
    assert "存档" in html and "未发出" in html


def test_print_run_is_computed_and_follows_the_reserve(demo, clerk):
    """117's 共印 70 is computed (37 + 3 + 30), not set; on the draft twin, changing the reserve
    changes the footer; an override needs a reason and shows in the reconciliation."""
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    assert dist.print_run_override is None and demo["issue_117"].print_run is None
    assert distribution_footer(demo["issue_117"]).print_run == 70
    twin = demo["twin"]
    lists = [il.distribution_list for il in IssueDistribution.objects.get(issue=twin).issue_lists.all()]
    services.issue_distribution_set(issue=twin, lists=lists, archive_copies=3, reserve_copies=0, user=clerk)
    assert distribution_footer(twin).print_run == 40
    with pytest.raises(ValidationError):
        services.issue_print_run_override_set(issue=twin, print_run=45, reason="", user=clerk)
    services.issue_print_run_override_set(issue=twin, print_run=45, reason="印厂起印数", user=clerk)
    assert distribution_footer(twin).print_run == 45


def test_override_shows_in_the_reconciliation(client, demo, clerk):
    client.force_login(clerk)
    services.issue_print_run_override_set(issue=demo["twin"], print_run=80, reason="多备会议用", user=clerk)
    dist = IssueDistribution.objects.get(issue=demo["twin"])
    html = client.get(reverse("admin:circulation_issuedistribution_change", args=[dist.pk])).content.decode()
    assert "共印（手工设定）" in html and "多备会议用" in html


def test_supplement_after_sign_off_keeps_the_footer(numbered, clerk):
    """增发 to 统计局 after 签发: the footer's 报 line and 共印 stay as signed; the ledger numbers
    071-072 marked 增发; the dispatch sheet lists the row marked 增发; before 签发 it is refused."""
    extra = Recipient.objects.create(kind="body", short_name="统计局", full_name="苏州市统计局", category="bao")
    before = distribution_footer(numbered)
    supplement = services.supplement_add(issue=numbered, recipient=extra, copies=2, date=DAY, note="会议需要", user=clerk)
    assert distribution_footer(numbered) == before and before.print_run == 70 and "统计局" not in before.bao_line
    copies = list(Copy.objects.filter(supplement=supplement).order_by("serial"))
    assert [c.serial for c in copies] == [71, 72] and copies[0].holder == "统计局（增发）"
    row = selectors.dispatch_rows(numbered)[-1]
    assert (row.printed_name, row.copies, row.copy_numbers, row.note) == ("统计局", 2, "071-072", "增发")
    ws = openpyxl.load_workbook(io.BytesIO(selectors.dispatch_sheet_export(numbered, "xlsx"))).active
    data = list(ws.iter_rows(min_row=4, values_only=True))
    assert data[-2][1] == "统计局" and data[-2][6] == "增发" and data[-1][3] == 39
    _move(numbered, clerk, "dispatched", recipient_id=extra.pk)
    with pytest.raises(AppendOnlyError):
        supplement.save()


def test_supplement_refused_before_sign_off(demo, clerk):
    """Before 签发 a further recipient belongs in the distribution, not in 增发."""
    extra = Recipient.objects.create(kind="body", short_name="统计局", category="bao")
    with pytest.raises(LedgerError):
        services.supplement_add(issue=demo["twin"], recipient=extra, copies=1, date=DAY, user=clerk)
    assert Supplement.objects.count() == 0


def test_supplement_form_refused_before_sign_off(client, demo, clerk):
    """The same refusal on the admin's 增发 form: its Chinese message on the form, nothing written."""
    extra = Recipient.objects.create(kind="body", short_name="统计局", category="bao")
    client.force_login(clerk)
    data = {"issue": demo["twin"].pk, "recipient": extra.pk, "copies": 1, "date": DAY.isoformat(), "note": ""}
    response = client.post(reverse("admin:circulation_supplement_add"), data)
    assert response.status_code == 200
    assert "增发在签发之后登记；签发之前，请把收文对象加入分发范围。" in response.content.decode()
    assert Supplement.objects.count() == 0
