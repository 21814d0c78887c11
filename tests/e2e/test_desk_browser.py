"""The issue desk in a real browser: the whole review of the draft twin done on the desk by each
role in turn, no lost edits, and the desk on a 390 px phone."""

import io

import pytest
from pypdf import PdfReader

from briefs import workflow
from briefs.models import Issue, IssueComment, IssueEvent
from circulation.models import IssueList

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Selects ``wanted`` inside the element Playwright found holding it (its locators reach into the
# desk's shadow root), as a reader's mouse would: just those characters.
SELECT_WITHIN = """(holder, wanted) => {
  const text = [...holder.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.data.includes(wanted));
  const range = document.createRange();
  range.setStart(text, text.data.indexOf(wanted));
  range.setEnd(text, text.data.indexOf(wanted) + wanted.length);
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
}"""


def _twin():
    return Issue.objects.get(articles__title="深圳五大举措厚植新质生产力", total_number__isnull=True)


def _desk(live_server, issue):
    return f"{live_server.url}/briefs/issues/{issue.pk}/desk/"


def _press(page, action):
    page.click(f"#desk-action-form button[data-action={action}]")


def test_review_on_the_desk_from_draft_to_signed_with_the_approval_form(e2e_demo, login, live_server):
    """editor drafts and submits → 发行 sets the distribution at 初审 → chief comments on a
    paragraph and sends back with a reason → editor resolves and resubmits → chief and reviewer
    approve with opinions → leader confirms 签发 after the checklist passes → the 审批单 PDF holds
    every opinion."""
    twin = _twin()
    IssueList.objects.filter(distribution__issue=twin).delete()  # 发行 has not chosen the lists yet
    desk = _desk(live_server, twin)

    # The editor drafts: names the issue on its page, then submits from the desk.
    page = login("editor")
    page.goto(f"{live_server.url}/admin/briefs/issue/{twin.pk}/change/")
    page.fill("#id_subject", "新质生产力专题")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.click("#issue-desk-link")
    assert page.locator("#desk-print-host").count() == 1
    _press(page, "submit")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#desk-stage").inner_text() == "初审"

    # 发行 sees it in 待我处理 at 初审 and chooses the list on the distribution page.
    page = login("clerk")
    waiting = page.locator("#waiting-for-me")
    assert "领军参阅（拟）《新质生产力专题》" in waiting.inner_text()
    page.goto(f"{live_server.url}/admin/circulation/issuedistribution/{twin.distribution.pk}/change/")
    page.click("#issue_lists-group .add-row a")
    page.select_option("select[name=issue_lists-0-distribution_list]", index=1)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert IssueList.objects.filter(distribution__issue=twin).count() == 1

    # The chief comments on a passage selected in the printed text, then sends back with a reason.
    page = login("chief")
    page.goto(desk)
    page.locator("#desk-print-host").get_by_text("深圳先后发布").first.evaluate(SELECT_WITHIN, "深圳先后发布")
    page.click("#desk-quote-selection")
    assert page.input_value("#id_quote") == "深圳先后发布"
    page.fill("#id_body", "请补充政策文件的发布时间")
    page.click("#desk-comment-form button[type=submit]")
    page.wait_for_selector(".messagelist .success")
    assert page.locator(".desk-comment[data-open='1'] blockquote").inner_text() == "深圳先后发布"
    page.fill("#id_opinion", "请按批注补充后再送审")
    _press(page, "request_changes")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#desk-status").inner_text() == "草稿"

    # The editor answers and resolves the comment, and submits again.
    page = login("editor")
    page.goto(desk)
    thread = page.locator(".desk-comment[data-open='1']")
    thread.locator("textarea[name=body]").fill("已补充：2022 年起陆续发布")
    thread.locator("button[name=resolve][value=on]").click()
    page.wait_for_selector(".messagelist .success")
    assert page.locator(".desk-comment[data-open='1']").count() == 0
    _press(page, "submit")
    page.wait_for_selector(".messagelist .success")

    # Chief and reviewer approve with their opinions.
    for username, opinion in (("chief", "同意，已按意见修改"), ("reviewer", "同意报签")):
        page = login(username)
        page.goto(desk)
        page.fill("#id_opinion", opinion)
        _press(page, "approve")
        page.wait_for_selector(".messagelist .success")

    # The leader sees the checklist pass, presses 签发, and confirms on the page naming the numbers.
    page = login("leader")
    page.goto(desk)
    checklist = page.locator("#desk-readiness")
    assert checklist.locator("li.blocking").count() == 0
    assert checklist.locator("li[data-key=distribution].ok").count() == 1
    page.fill("#id_opinion", "同意印发")
    _press(page, "sign_off")
    assert "总第118期" in page.locator("#confirm-numbers").inner_text()
    assert page.input_value("#id_opinion") == "同意印发"
    page.click("#confirm-button")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#desk-status").inner_text() == "已签发"
    twin.refresh_from_db()
    assert (twin.status, twin.total_number) == (Issue.Status.SIGNED, 118)
    assert IssueComment.objects.filter(issue=twin, parent=None, resolved_at__isnull=True).count() == 0

    # The 审批单, downloaded from the desk, read back.
    href = page.get_attribute("#desk-approval-link", "href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert len(reader.pages) == 1
    for expected in ("同意，已按意见修改", "同意报签", "同意印发", "请按批注补充后再送审", "总第118期", "郭书颖"):
        assert expected in text, expected
    assert IssueEvent.objects.filter(issue=twin, action="approve").count() == 2


def test_unsaved_edits_disable_the_workflow_buttons(e2e_demo, login, live_server):
    """On the issue page, typing in the form disables the workflow buttons with a note; on the
    desk, a typed but unsent comment does the same until it is sent or cleared."""
    twin = _twin()
    page = login("editor")
    page.goto(f"{live_server.url}/admin/briefs/issue/{twin.pk}/change/")
    submit = page.locator("#workflow-panel button[data-action=submit]")
    assert submit.is_enabled() and not page.locator("#unsaved-note").is_visible()
    page.fill("#id_subject", "未保存的标题")
    assert submit.is_disabled()
    assert "未保存的修改" in page.locator("#unsaved-note").inner_text()
    # Typing the workflow comment itself is not an unsaved edit of the issue.
    page.reload()
    page.fill("#id_wf_comment", "请审")
    assert page.locator("#workflow-panel button[data-action=submit]").is_enabled()

    workflow.issue_transition(issue=twin, action="submit", user=twin.created_by)
    page = login("chief")
    page.goto(_desk(live_server, twin))
    approve = page.locator("#desk-action-form button[data-action=approve]")
    assert approve.is_enabled()
    page.fill("#id_body", "尚未提交的批注")
    assert approve.is_disabled() and page.locator("#desk-unsaved-note").is_visible()
    page.fill("#id_body", "")
    assert approve.is_enabled()


def test_desk_on_a_phone(e2e_demo, browser, live_server):
    """At 390 px (Chromium's mobile emulation) the leader reads without sideways scrolling, the
    text is a readable size, and the opinion box and 签发 are reachable."""
    twin = _twin()
    for action, username in (("submit", "editor"), ("approve", "chief"), ("approve", "reviewer")):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        workflow.issue_transition(issue=twin, action=action, user=user, comment="同意")
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", "zhiku-demo")
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        page.goto(_desk(live_server, twin))
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == 390, width
        sizes = page.evaluate(
            """() => Array.from(document.getElementById('desk-print-host').shadowRoot.querySelectorAll('main p'))
                 .slice(0, 5).map(p => parseFloat(getComputedStyle(p).fontSize))"""
        )
        assert sizes and min(sizes) >= 16, sizes
        for selector in ("#id_opinion", "#desk-action-form button[data-action=sign_off]"):
            target = page.locator(selector)
            target.scroll_into_view_if_needed()
            box = target.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
        page.locator("#id_opinion").tap()
        page.locator("#id_opinion").fill("同意")
        page.locator("#desk-action-form button[data-action=sign_off]").tap()
        page.wait_for_selector("#desk-confirm")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
