"""An editor types Chinese into the CKEditor 5 body of a draft and it is stored, sanitised."""

import pytest

from briefs.models import Article, Issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_types_chinese_into_ckeditor_and_saves(e2e_demo, login, live_server):
    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力")
    page = login("editor")
    page.goto("%s/admin/briefs/issue/%s/change/" % (live_server.url, twin.pk))
    # The admin is Chinese: the save button and the inline heading are not English.
    assert page.locator("input[name=_save]").get_attribute("value") == "保存"
    editable = page.locator(".ck-editor__editable").first
    editable.wait_for()
    editable.click()
    # Put the caret after the last paragraph through CKEditor's own model (Ctrl+End depends on
    # where the click landed and on scrolling); the typing below is real keyboard input.
    editable.evaluate(
        "el => el.ckeditorInstance.model.change(w => w.setSelection("
        "w.createPositionAt(el.ckeditorInstance.model.document.getRoot(), 'end')))"
    )
    page.keyboard.press("Enter")
    # insert_text is how an IME delivers composed Chinese to the page.
    page.keyboard.insert_text("新增段落：苏州加快培育新质生产力。")
    page.wait_for_function(
        "document.querySelector('textarea[name=\"articles-0-body\"]').value.includes('苏州加快培育')"
    )
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    body = Article.objects.get(issue=twin).body
    assert "<p>新增段落：苏州加快培育新质生产力。</p>" in body
    # The rest of the article survived the round trip through the editor.
    assert body.count("<h2>") == 5
    assert "深圳把发展战略性新兴产业" in body
