"""The draft twin of issue 117 goes 草稿 → 初审 → 复审 → 签发 in a real browser, each step by the
person who holds it (editor, chief, reviewer, leader); the page then shows the numbers and the
timeline."""

import pytest
from django.utils import timezone

from briefs.models import Issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_twin_goes_through_every_stage_to_signed(e2e_demo, login, live_server):
    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力")
    url = f"{live_server.url}/admin/briefs/issue/{twin.pk}/change/"
    year = timezone.localdate().year
    steps = [
        ("editor", "submit", "送审", "初审"),
        ("chief", "approve", "审核通过", "复审"),
        ("reviewer", "approve", "审核通过", "终审/签发"),
        ("leader", "sign_off", "签发", None),
    ]
    for username, action, label, next_stage in steps:
        page = login(username)
        page.goto(url)
        buttons = page.locator("#workflow-panel button[name=wf_action]")
        button = page.locator(f"#workflow-panel button[data-action={action}]")
        assert button.inner_text().strip() == label
        if action == "submit":
            assert "总第118期" in page.locator("#workflow-numbers").inner_text()
        else:
            assert buttons.count() == 2  # approve or sign off, and 退回修改
        page.fill("#id_wf_comment", f"{username} 同意")
        button.click()
        if action == "sign_off":
            # 签发 asks for confirmation on a page naming the issue and the numbers it will get.
            assert "总第118期" in page.locator("#confirm-numbers").inner_text()
            assert page.locator("#id_opinion").input_value() == "leader 同意"
            page.click("#confirm-button")
            page.wait_for_selector(".messagelist .success")
            page.goto(url)
        else:
            page.wait_for_selector(".messagelist .success")
        if next_stage:
            assert page.locator("#workflow-stage").inner_text() == next_stage
            # The holder of this step has nothing more to do on it.
            assert page.locator(f"#workflow-panel button[data-action={action}]").count() == 0
    assert page.locator("#workflow-status").inner_text() == "已签发"
    numbers = page.locator("#workflow-numbers").inner_text()
    assert f"{year}年 第1期（总第118期）" in numbers
    assert "张院长" in numbers
    timeline = page.locator("#workflow-timeline li")
    assert timeline.count() == 4
    assert [timeline.nth(i).get_attribute("data-action") for i in range(4)] == [
        "submit",
        "approve",
        "approve",
        "sign_off",
    ]
    assert "leader 同意" in timeline.nth(3).inner_text()
    # Signed means frozen: no save button any more.
    assert page.locator("input[name=_save]").count() == 0
    twin.refresh_from_db()
    assert (twin.status, twin.number, twin.total_number) == (Issue.Status.SIGNED, 1, 118)
