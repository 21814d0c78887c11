"""The workflow in the admin: the buttons a user sees are the actions the service allows them,
the POST goes through the service, the timeline and 待我处理 show, list pages keep their query count."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from briefs import workflow
from briefs.models import Issue, PaperSignOff
from briefs.selectors import issues_waiting_for
from tests.factories import ArticleFactory, IssueFactory


@pytest.fixture
def users(demo):
    return {u.username: u for u in get_user_model().objects.all()}


def _buttons(client, issue):
    page = client.get(reverse("admin:briefs_issue_change", args=[issue.pk])).content.decode()
    return {action for action in workflow.ACTIONS if f'value="{action}"' in page}, page


@pytest.mark.django_db
def test_each_user_sees_exactly_their_buttons_and_the_posts_move_the_issue(client, demo, users):
    """editor sees 送审 on the draft; after it, chief sees 审核通过/退回修改 and editor only 撤回;
    a POST by the wrong person is refused with a Chinese message and changes nothing."""
    twin = demo["twin"]
    url = reverse("admin:briefs_issue_transition", args=[twin.pk])
    client.force_login(users["editor"])
    buttons, page = _buttons(client, twin)
    assert buttons == {"submit"}
    assert "如今日签发，期号将为" in page
    client.post(url, {"wf_action": "submit", "wf_status": "draft", "wf_stage": ""})
    twin.refresh_from_db()
    assert twin.status == Issue.Status.IN_REVIEW
    assert _buttons(client, twin)[0] == {"withdraw"}
    response = client.post(url, {"wf_action": "approve", "wf_status": "in_review"}, follow=True)
    assert "不由您处理" in response.content.decode()
    client.force_login(users["chief"])
    buttons, page = _buttons(client, twin)
    assert buttons == {"approve", "request_changes"}
    assert "送审" in page and 'id="workflow-timeline"' in page
    # Moving forward is the primary button; sending back is not.
    styled = re.findall(r'<button type="submit" class="([^"]*)"\s+formaction="[^"]*" formnovalidate name="wf_action" value="(\w+)"', page)
    assert sorted(styled) == [("button", "request_changes"), ("button default", "approve")]
    response = client.post(
        url, {"wf_action": "approve", "wf_status": "in_review", "wf_stage": twin.current_stage_id}, follow=True
    )
    assert "已完成" in response.content.decode()
    # The same form sent again (double click) is refused: the stage moved on.
    response = client.post(
        url, {"wf_action": "approve", "wf_status": "in_review", "wf_stage": twin.current_stage_id}, follow=True
    )
    assert "其他人已处理" in response.content.decode()
    twin.refresh_from_db()
    assert twin.current_stage.name == "复审"


@pytest.mark.django_db
def test_waiting_for_me_on_the_admin_index(client, demo, users):
    """After submission the issue is in chief's 待我处理 list, not in reviewer's; sent back, in the editor's."""
    twin = demo["twin"]
    workflow.issue_transition(issue=twin, action="submit", user=users["editor"])
    client.force_login(users["chief"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "待我处理" in page and reverse("admin:briefs_issue_change", args=[twin.pk]) in page
    client.force_login(users["reviewer"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "暂无待您处理的事项" in page
    # Sent back, it waits for the editor who submitted it.
    workflow.issue_transition(issue=twin, action="request_changes", user=users["chief"], comment="补充数据")
    assert list(issues_waiting_for(users["editor"])) == [twin]
    assert list(issues_waiting_for(users["chief"])) == []


@pytest.mark.django_db
def test_waiting_selector_and_changelist_query_counts_do_not_grow(client, demo, users, django_assert_max_num_queries):
    """The selector is one query (plus the permission lookup); the issue changelist costs the same
    with 3 or 13 issues."""
    for _ in range(3):
        issue = IssueFactory(series=demo["twin"].series, created_by=users["editor"])
        ArticleFactory(issue=issue)
        workflow.issue_transition(issue=issue, action="submit", user=users["editor"])
    with django_assert_max_num_queries(3):
        assert len(list(issues_waiting_for(users["chief"]))) == 3
    client.force_login(users["admin"])
    url = reverse("admin:briefs_issue_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(10):
        ArticleFactory(issue=IssueFactory(series=demo["twin"].series))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_paper_sign_off_with_a_scan(client, demo, users, settings, tmp_path):
    """Staff with the permission record "签发 by leader on date" with a PNG scan; the issue is
    signed in the leader's name and numbered; a text file pretending to be a PDF is refused."""
    settings.MEDIA_ROOT = tmp_path
    twin = demo["twin"]
    for action, name in (("submit", "editor"), ("approve", "chief"), ("approve", "reviewer")):
        workflow.issue_transition(issue=twin, action=action, user=users[name])
    url = reverse("admin:briefs_issue_paper_sign_off", args=[twin.pk])
    client.force_login(users["admin"])
    page = client.get(reverse("admin:briefs_issue_change", args=[twin.pk])).content.decode()
    assert "登记纸质签发" in page
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        url,
        {"wf_paper-signer": users["leader"].pk, "wf_paper-signed_on": "2026-01-05", "wf_paper-scan": fake},
        follow=True,
    )
    assert "扫描件须为 PDF、JPEG 或 PNG 文件" in response.content.decode()
    scan = SimpleUploadedFile("scan.png", _png(), content_type="image/png")
    client.post(url, {"wf_paper-signer": users["leader"].pk, "wf_paper-signed_on": "2026-01-05", "wf_paper-scan": scan})
    twin.refresh_from_db()
    assert twin.status == Issue.Status.SIGNED and twin.signed_by == users["leader"]
    assert (twin.year, twin.total_number, str(twin.issue_date)) == (2026, 118, "2026-01-05")
    record = PaperSignOff.objects.get(issue=twin)
    assert record.recorded_by == users["admin"]
    assert "纸质签发" in twin.events.last().comment
