"""The issue distribution page saves through the services: the main form and both inlines
(chosen lists; additions and removals) go through issue_distribution_set, issue_recipient_set and
issue_recipient_clear, with their role and frozen checks; a signed issue's distribution cannot be
changed by posting to the admin."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from briefs.models import Issue
from circulation import selectors, services
from circulation.models import DistributionGroup, DistributionSnapshot, GroupMember, IssueDistribution, IssueRecipient
from tests.factories import BodyRecipientFactory, DistributionListFactory, IssueFactory, RecipientFactory

pytestmark = pytest.mark.django_db

FROZEN = "本期已签发，分发范围已冻结，不能修改。"


def _list_of(*recipients):
    dlist = DistributionListFactory()
    group = DistributionGroup.objects.create(distribution_list=dlist, section=1, position=1)
    for position, recipient in enumerate(recipients, start=1):
        GroupMember.objects.create(group=group, recipient=recipient, position=position)
    return dlist


@pytest.fixture
def setup(clerk):
    """A draft issue with one chosen list (甲书记, 乙市长) and one addition (民政局, 2 copies)."""
    a, b = RecipientFactory(name="甲", title="书记"), RecipientFactory(name="乙", title="市长")
    body = BodyRecipientFactory(short_name="民政局")
    extra = BodyRecipientFactory(short_name="统计局")
    first = _list_of(a, b)
    second = _list_of(BodyRecipientFactory(short_name="科协"))
    issue = IssueFactory(print_run=None)
    dist = services.issue_distribution_set(issue=issue, lists=[first], archive_copies=1, user=clerk)
    services.issue_recipient_set(issue=issue, recipient=body, copies=2, user=clerk)
    return {
        "issue": issue,
        "dist": dist,
        "a": a,
        "b": b,
        "body": body,
        "extra": extra,
        "first": first,
        "second": second,
    }


def _post_data(dist, *, archive=1, reserve=0, lists=(), changes=()):
    """The change form as the browser posts it: ``lists`` is [(IssueList or None, list, position,
    delete)], ``changes`` is [(IssueRecipient or None, recipient, included, copies, delete)]."""
    data = {"archive_copies": archive, "reserve_copies": reserve, "_save": "保存"}
    for prefix, rows in (("issue_lists", lists), ("adjustments", changes)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": sum(1 for row in rows if row[0] is not None),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    for i, (row, dlist, position, delete) in enumerate(lists):
        data.update(
            {
                f"issue_lists-{i}-id": row.pk if row else "",
                f"issue_lists-{i}-distribution": dist.pk,
                f"issue_lists-{i}-distribution_list": dlist.pk,
                f"issue_lists-{i}-position": position,
            }
        )
        if delete:
            data[f"issue_lists-{i}-DELETE"] = "on"
    for i, (row, recipient, included, copies, delete) in enumerate(changes):
        data.update(
            {
                f"adjustments-{i}-id": row.pk if row else "",
                f"adjustments-{i}-distribution": dist.pk,
                f"adjustments-{i}-recipient": recipient.pk,
                f"adjustments-{i}-copies": "" if copies is None else copies,
            }
        )
        if included:
            data[f"adjustments-{i}-included"] = "on"
        if delete:
            data[f"adjustments-{i}-DELETE"] = "on"
    return data


def _url(dist):
    return reverse("admin:circulation_issuedistribution_change", args=[dist.pk])


def _state(issue):
    dist = selectors.issue_distribution(issue)
    return dist.bao_line, dist.archive_copies, dist.reserve_copies, dist.allocated


def _post_changing_every_part(dist, s):
    """The page with a change on each part: archive copies 9, the chosen list removed, 统计局
    added (7 copies)."""
    return _post_data(
        dist,
        archive=9,
        lists=[(dist.issue_lists.get(), s["first"], 1, True)],
        changes=[(None, s["extra"], True, 7, False)],
    )


def _assert_refused_and_unchanged(client, dist, s, data):
    """The POST is refused (403) and nothing of it is written: still 1 archive copy, the chosen
    list and no 统计局."""
    assert client.post(_url(dist), data).status_code == 403
    dist.refresh_from_db()
    assert dist.archive_copies == 1 and dist.issue_lists.count() == 1
    assert not IssueRecipient.objects.filter(recipient=s["extra"]).exists()


def test_inline_changes_go_through_the_services(client, clerk, setup):
    """The clerk removes 乙市长, replaces the 民政局 change by 统计局 (3 copies), adds the second list
    and sets archive and reserve copies: the live distribution shows all of it and the admin's
    history records the change."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    list_row = dist.issue_lists.get()
    change_row = IssueRecipient.objects.get(distribution=dist)
    data = _post_data(
        dist,
        archive=4,
        reserve=5,
        lists=[(list_row, s["first"], 1, False), (None, s["second"], 2, False)],
        changes=[(change_row, s["extra"], True, 3, False), (None, s["b"], False, None, False)],
    )
    response = client.post(_url(dist), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(s["issue"]) == ("报：甲书记；科协；统计局。", 4, 5, 1 + 1 + 3)
    assert not IssueRecipient.objects.filter(recipient=s["body"]).exists()
    assert LogEntry.objects.filter(object_id=str(dist.pk)).exists()


def test_deleting_an_inline_row_clears_the_change(client, clerk, setup):
    """Ticking 删除 on the 民政局 row and on the chosen list leaves a distribution with neither."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    data = _post_data(
        dist,
        lists=[(dist.issue_lists.get(), s["first"], 1, True)],
        changes=[(IssueRecipient.objects.get(distribution=dist), s["body"], True, 2, True)],
    )
    assert client.post(_url(dist), data).status_code == 302
    assert not dist.issue_lists.exists() and not IssueRecipient.objects.filter(distribution=dist).exists()


def test_signed_issue_distribution_cannot_be_changed_by_post(client, clerk, setup):
    """Once the issue is signed (status and snapshot), a POST with changed inlines is refused (403)
    and the distribution stays as it was."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    services.snapshot_freeze(issue=s["issue"], user=clerk)
    Issue.objects.filter(pk=s["issue"].pk).update(status=Issue.Status.SIGNED)
    before = _state(s["issue"])
    _assert_refused_and_unchanged(client, dist, s, _post_changing_every_part(dist, s))
    assert _state(s["issue"]) == before


def test_frozen_snapshot_refuses_the_form_in_chinese(client, clerk, setup):
    """An issue whose distribution is frozen while its status still allows editing (the sign-off
    has just happened): the form shows the service's Chinese message and nothing is written."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    DistributionSnapshot.objects.create(issue=s["issue"], bao_line="报：甲书记。", print_run=3, allocated_copies=3)
    data = _post_data(dist, archive=9, lists=[(dist.issue_lists.get(), s["first"], 1, False)])
    response = client.post(_url(dist), data)
    assert response.status_code == 200 and FROZEN in response.content.decode()
    dist.refresh_from_db()
    assert dist.archive_copies == 1


def test_service_refusal_after_the_form_rolls_everything_back(client, clerk, setup, monkeypatch):
    """Signed between the form's check and the save (simulated by skipping the form's check):
    the services refuse, the admin answers 403 and none of the inline changes is kept."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    DistributionSnapshot.objects.create(issue=s["issue"], bao_line="报：甲书记。", print_run=3, allocated_copies=3)
    monkeypatch.setattr(services, "check_distribution_editable", lambda **kwargs: None)
    _assert_refused_and_unchanged(client, dist, s, _post_changing_every_part(dist, s))


def test_editor_cannot_post_the_distribution(client, editor_user, setup):
    """An editor's POST is refused on the server; nothing changes."""
    client.force_login(editor_user)
    dist = setup["dist"]
    _assert_refused_and_unchanged(client, dist, setup, _post_data(dist, archive=9))


def test_new_distribution_is_created_through_the_service(client, clerk):
    """Adding a distribution for an issue creates it with the chosen list through the service."""
    client.force_login(clerk)
    issue = IssueFactory(print_run=None)
    dlist = _list_of(RecipientFactory(name="丙", title="主任"))
    data = _post_data(IssueDistribution(pk=None), archive=2, lists=[(None, dlist, 1, False)])
    data["issue"] = issue.pk
    for key in [k for k in data if k.endswith("-distribution")]:
        data[key] = ""
    response = client.post(reverse("admin:circulation_issuedistribution_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(issue) == ("报：丙主任。", 2, 0, 1)


def test_print_run_by_hand_needs_a_reason_on_the_form(client, clerk, setup):
    """A print run set by hand without a reason: the form names the missing reason in Chinese and
    nothing is written (the admin's check_form, before the services)."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    data = _post_data(dist, archive=9, lists=[(dist.issue_lists.get(), s["first"], 1, False)])
    data.update({"print_run_override": 80, "print_run_override_reason": "  "})
    response = client.post(_url(dist), data)
    assert response.status_code == 200
    assert "请写明手工设定共印份数的理由。" in response.content.decode()
    dist.refresh_from_db()
    assert (dist.archive_copies, dist.print_run_override) == (1, None)


def test_a_list_no_longer_in_use_is_not_offered_but_stays_where_chosen(client, clerk, setup):
    """The chosen-lists inline offers the lists in use and the ones this issue already chose; a
    POST that adds a retired list is refused by the form in Chinese and changes nothing."""
    client.force_login(clerk)
    dist, s = setup["dist"], setup
    retired = _list_of(BodyRecipientFactory(short_name="档案馆"))
    retired.is_active = False
    retired.save()
    s["first"].is_active = False
    s["first"].save()
    formset = next(
        f for f in client.get(_url(dist)).context["inline_admin_formsets"] if f.formset.prefix == "issue_lists"
    )
    offered = set(formset.formset.empty_form.fields["distribution_list"].queryset)
    assert offered == {s["first"], s["second"]}
    chosen = dist.issue_lists.get()
    data = _post_data(dist, lists=[(chosen, s["first"], 1, False), (None, retired, 2, False)])
    response = client.post(_url(dist), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert list(dist.issue_lists.values_list("distribution_list", flat=True)) == [s["first"].pk]
