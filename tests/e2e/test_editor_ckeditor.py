"""An editor types Chinese into the CKEditor 5 body of a draft and it is stored, sanitised."""

import pytest

from briefs.models import Article, Issue
from tests.e2e.ckeditor import type_new_paragraph

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_types_chinese_into_ckeditor_and_saves(e2e_demo, login, live_server):
    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力")
    page = login("editor")
    page.goto("%s/admin/briefs/issue/%s/change/" % (live_server.url, twin.pk))
    # The admin is Chinese: the save button and the inline heading are not English.
    assert page.locator("input[name=_save]").get_attribute("value") == "保存"
    type_new_paragraph(page, "新增段落：苏州加快培育新质生产力。")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    body = Article.objects.get(issue=twin).body
    assert "<p>新增段落：苏州加快培育新质生产力。</p>" in body
    # The rest of the article survived the round trip through the editor.
    assert body.count("<h2>") == 5
    assert "深圳把发展战略性新兴产业" in body
