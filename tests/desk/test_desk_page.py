"""The issue desk page: who may open it, what it shows (the print view inline with page breaks,
the stage change in the timeline, the actions of this user), opinions and the confirmation step."""

import pytest
from django.urls import reverse

from briefs.models import Issue, IssueEvent
from tests.factories import UserFactory

from .conftest import CI, SG, C, E, R, act


def desk(issue):
    return reverse("briefs:issue_desk", args=[issue.pk])


def post_action(client, issue, action, **data):
    return client.post(
        reverse("briefs:issue_desk_action", args=[issue.pk]),
        {"wf_action": action, "wf_status": issue.status, "wf_stage": issue.current_stage_id or "", **data},
    )


@pytest.mark.django_db
def test_desk_needs_login_and_view_permission(client, issue):
    """Anonymous people go to the admin login; staff without briefs.view_issue get 403."""
    response = client.get(desk(issue))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    client.force_login(UserFactory(username="outsider"))
    assert client.get(desk(issue)).status_code == 403
    assert client.get(reverse("briefs:issue_approval_pdf", args=[issue.pk])).status_code == 403


@pytest.mark.django_db
def test_desk_shows_the_issue_as_printed_with_page_breaks(client, issue, people):
    """The print view's markup is inline (real tags, not escaped source) in a shadow root, with
    the name, the stage, the holders and the buttons of this user."""
    act(issue, people, "submit", E)
    client.force_login(people[C])
    page = client.get(desk(issue)).content.decode()
    assert '<template shadowrootmode="open">' in page
    assert '<h2 class="h1">举措一：前瞻布局产业集群</h2>' in page
    assert "&lt;p&gt;" not in page and "&lt;strong&gt;" not in page
    assert f"{issue.series.name}（拟）《深圳五大举措厚植新质生产力》" in page
    assert 'id="desk-stage">初审<' in page
    assert "郭书颖" in page  # who holds 初审
    assert 'data-action="approve"' in page and 'data-action="request_changes"' in page
    assert 'data-action="sign_off"' not in page


@pytest.mark.django_db
def test_long_issue_marks_each_page_break_of_the_pdf(client, issue, people):
    """A body long enough for several pages: one mark per page after the first."""
    article = issue.articles.get()
    article.body = "".join(f"<p>第{i}段。" + "深圳把发展战略性新兴产业作为重要抓手。" * 6 + "</p>" for i in range(40))
    article.save()
    client.force_login(people[E])
    page = client.get(desk(issue)).content.decode()
    marks = page.count('class="desk-page-break')
    assert marks >= 3
    assert 'data-page="2"' in page and f'data-page="{marks + 1}"' in page


@pytest.mark.django_db
def test_timeline_names_the_stage_change(client, issue, people):
    """初审 → 复审, not 审核中 → 审核中."""
    act(issue, people, "submit", E)
    act(issue, people, "approve", C, "同意")
    client.force_login(people[R])
    page = client.get(desk(issue)).content.decode()
    assert "草稿 → 初审" in page
    assert "初审 → 复审" in page
    assert "审核中 → 审核中" not in page


@pytest.mark.django_db
def test_approval_with_empty_opinion_records_agree(client, issue, people):
    """审核通过 with an empty box records the opinion "同意"; a typed opinion is kept."""
    act(issue, people, "submit", E)
    client.force_login(people[C])
    response = post_action(client, issue, "approve", opinion="")
    assert response.status_code == 302
    assert IssueEvent.objects.get(issue=issue, action="approve").comment == "同意"
    issue.refresh_from_db()
    client.force_login(people[R])
    post_action(client, issue, "approve", opinion="数据请再核对")
    assert IssueEvent.objects.filter(issue=issue, action="approve").last().comment == "数据请再核对"


@pytest.mark.django_db
def test_send_back_needs_a_reason(client, issue, people):
    act(issue, people, "submit", E)
    client.force_login(people[C])
    response = post_action(client, issue, "request_changes", opinion="")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    messages = [m.message for m in response.wsgi_request._messages]
    assert messages == ["请填写理由。"]


@pytest.mark.django_db
def test_sign_off_asks_for_confirmation_naming_the_numbers(client, issue, people):
    """The first press shows a page with the issue's name and the numbers it will get, and changes
    nothing; the confirmed post signs."""
    act(issue, people, "submit", E)
    act(issue, people, "approve", C, "同意")
    act(issue, people, "approve", R, "同意")
    client.force_login(people[SG])
    response = post_action(client, issue, "sign_off", opinion="同意印发")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="desk-confirm"' in page and str(issue) in page
    assert "年第1期（总第1期）" in page
    assert "同意印发</textarea>" in page
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    post_action(client, issue, "sign_off", opinion="同意印发", confirmed="on")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SIGNED
    assert IssueEvent.objects.get(issue=issue, action="sign_off").comment == "同意印发"


@pytest.mark.django_db
def test_issue_page_buttons_for_sign_off_revoke_and_release_go_to_the_confirmation(client, issue, people):
    """The issue page's panel posts to the workflow view; 签发 is redirected to the confirmation."""
    for action, role in (("submit", E), ("approve", C), ("approve", R)):
        act(issue, people, action, role, "同意")
    client.force_login(people[SG])
    response = client.post(
        reverse("admin:briefs_issue_transition", args=[issue.pk]),
        {"wf_action": "sign_off", "wf_comment": "同意", "wf_status": "in_review", "wf_stage": issue.current_stage_id},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("briefs:issue_desk_confirm", args=[issue.pk, "sign_off"]))
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    page = client.get(response["Location"]).content.decode()
    assert 'id="confirm-button"' in page and "总第1期" in page


@pytest.mark.django_db
def test_revoke_and_release_confirmations_name_the_numbers(client, issue, people):
    for action, role in (("submit", E), ("approve", C), ("approve", R), ("sign_off", SG)):
        act(issue, people, action, role, "同意")
    issue.refresh_from_db()
    client.force_login(people[SG])
    page = post_action(client, issue, "revoke_sign_off", opinion="").content.decode()
    assert f"{issue.year}年第1期（总第1期）" in page and "（必填）" in page
    client.force_login(people[CI])
    page = post_action(client, issue, "release").content.decode()
    assert f"印发 {issue.year}年第1期（总第1期）" in page
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SIGNED


@pytest.mark.django_db
def test_confirmation_page_refuses_people_who_may_not(client, issue, people):
    act(issue, people, "submit", E)
    client.force_login(people[R])
    page = client.get(reverse("briefs:issue_desk_confirm", args=[issue.pk, "sign_off"])).content.decode()
    assert 'id="confirm-button"' not in page
    assert "您现在不能对本期执行此操作。" in page


@pytest.mark.django_db
def test_desk_still_shows_the_text_when_the_layout_fails(client, issue, people, monkeypatch):
    """A layout error costs the page-break marks, not the page."""

    def broken(document):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("briefs.desk.printed.page_breaks", broken)
    client.force_login(people[E])
    response = client.get(desk(issue))
    page = response.content.decode()
    assert response.status_code == 200
    assert "举措一：前瞻布局产业集群" in page
    assert "desk-page-break" not in page and "desk-print-note" not in page
