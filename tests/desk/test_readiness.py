"""The readiness checklist: shown on the desk from 送审, checked again inside 签发 (a transition
guard), the series choosing which items block; circulation provides the distribution items."""

import pytest
from django.urls import reverse

from briefs.exceptions import TransitionNotAllowed
from briefs.models import Issue, Series
from briefs.readiness import issue_readiness
from circulation import services as circulation_services
from tests.factories import DistributionListFactory, RecipientFactory
from zhiku import roles

from .conftest import CI, SG, C, E, R, act


def at_final_stage(issue, people):
    for action, role in (("submit", E), ("approve", C), ("approve", R)):
        act(issue, people, action, role, "同意")
    issue.refresh_from_db()
    return issue


def give_distribution(issue, clerk, *, archive=2, reserve=3):
    from circulation.models import DistributionGroup, GroupMember

    dlist = DistributionListFactory()
    group = DistributionGroup.objects.create(distribution_list=dlist, section=1, position=1)
    for position in (1, 2):
        GroupMember.objects.create(group=group, recipient=RecipientFactory(), position=position)
    circulation_services.issue_distribution_set(
        issue=issue, lists=[dlist], archive_copies=archive, reserve_copies=reserve, user=clerk
    )


def block_sign_off_on(series, *checks):
    """The series refuses 签发 while any of ``checks`` fails; the other items only warn."""
    series.signoff_blocking_checks = list(checks)
    series.save()


@pytest.mark.django_db
def test_series_default_blocks_on_distribution_and_responsible_editor():
    assert list(Series._meta.get_field("signoff_blocking_checks").get_default()) == [
        "distribution",
        "responsible_editor",
    ]


@pytest.mark.django_db
def test_sign_off_refused_listing_what_is_missing_in_chinese(issue, people, series):
    """With the default blocking items, no distribution and no 责任编辑 refuse 签发, both named."""
    block_sign_off_on(series, "distribution", "responsible_editor")
    Issue.objects.filter(pk=issue.pk).update(responsible_editor=None)
    at_final_stage(issue, people)
    with pytest.raises(TransitionNotAllowed) as refused:
        act(issue, people, "sign_off", SG, "同意")
    assert refused.value.messages == [
        "尚不能签发：已确定分发范围且份数相符 —— 尚未确定分发范围。",
        "尚不能签发：已指定责任编辑 —— 尚未指定责任编辑。",
    ]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW and issue.total_number is None


@pytest.mark.django_db
def test_sign_off_passes_once_the_distribution_adds_up(issue, people, series):
    block_sign_off_on(series, "distribution", "bao_line", "responsible_editor")
    at_final_stage(issue, people)
    give_distribution(issue, people[CI])
    items = {item.key: item for item in issue_readiness(issue)}
    assert items["distribution"].ok and items["bao_line"].ok and items["responsible_editor"].ok
    assert not items["classification"].ok and not items["classification"].blocking
    act(issue, people, "sign_off", SG, "同意")
    assert issue.status == Issue.Status.SIGNED


@pytest.mark.django_db
def test_copies_that_do_not_add_up_block(issue, people, series):
    """allocated + archive + reserve must equal 共印: a print run set by hand that differs refuses."""
    from circulation.services import issue_print_run_override_set

    block_sign_off_on(series, "distribution")
    give_distribution(issue, people[CI], archive=2, reserve=3)  # 2 + 2 + 3 = 7
    issue_print_run_override_set(issue=issue, print_run=10, reason="印厂按 10 份起印", user=people[CI])
    at_final_stage(issue, people)
    with pytest.raises(TransitionNotAllowed) as refused:
        act(issue, people, "sign_off", SG, "同意")
    assert "分发 2 份 + 存档 2 份 + 备用 3 份 = 7 份，但共印 10 份" in refused.value.message


@pytest.mark.django_db
def test_items_the_series_does_not_block_on_only_warn(issue, people, series):
    block_sign_off_on(series)
    at_final_stage(issue, people)
    act(issue, people, "sign_off", SG, "同意")
    assert issue.status == Issue.Status.SIGNED


@pytest.mark.django_db
def test_articles_without_title_or_body_are_named(issue, people, series):
    block_sign_off_on(series, "articles")
    issue.articles.update(body="<p> </p>")
    at_final_stage(issue, people)
    with pytest.raises(TransitionNotAllowed) as refused:
        act(issue, people, "sign_off", SG, "同意")
    assert refused.value.messages == ["尚不能签发：每篇文章都有标题和正文 —— 第 1 篇文章没有正文"]


@pytest.mark.django_db
def test_desk_shows_the_checklist_from_submission(client, issue, people, series):
    client.force_login(people[E])
    assert 'id="desk-readiness"' not in client.get(reverse("briefs:issue_desk", args=[issue.pk])).content.decode()
    act(issue, people, "submit", E)
    client.force_login(people[C])
    page = client.get(reverse("briefs:issue_desk", args=[issue.pk])).content.decode()
    assert 'id="desk-readiness"' in page
    assert "尚未确定分发范围。" in page and 'data-key="bao_line"' in page
    # 发行 is led to the page that fixes it.
    assert reverse("admin:circulation_issuedistribution_add") + f"?issue={issue.pk}" in page


@pytest.mark.django_db
def test_circulation_sees_a_submitted_issue_without_distribution_in_waiting_for_me(client, issue, people):
    """发行 works while the reviewers read: the issue is in its 待我处理 from 送审 until it has lists."""
    from briefs.selectors import issues_waiting_for

    assert issue not in issues_waiting_for(people[CI])
    act(issue, people, "submit", E)
    assert issue in issues_waiting_for(people[CI])
    assert issue not in issues_waiting_for(people[R])
    client.force_login(people[CI])
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("briefs:issue_desk", args=[issue.pk]) in index
    give_distribution(issue, people[CI])
    assert issue not in issues_waiting_for(people[CI])


@pytest.mark.django_db
def test_series_admin_edits_the_blocking_items_as_checkboxes(client, people, series):
    client.force_login(people[roles.ADMINISTRATOR])
    url = reverse("admin:briefs_series_change", args=[series.pk])
    page = client.get(url).content.decode()
    assert 'name="signoff_blocking_checks" value="distribution"' in page
    data = {
        "name": series.name,
        "slug": series.slug,
        "publisher_lines": series.publisher_lines,
        "default_print_run": 70,
        "is_active": "on",
        "signoff_blocking_checks": ["bao_line", "classification"],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    series.refresh_from_db()
    assert list(series.signoff_blocking_checks) == ["bao_line", "classification"]
    assert str(series.signoff_blocking_checks) == "“报”行不为空、已标注密级"
