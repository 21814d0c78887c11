"""The administrator uploads several past issues at once, reads the preview, commits, and watches
the progress bar import them one by one."""

import pytest

from backcatalogue.models import ImportedFile
from briefs.models import Issue
from tests.backcatalogue.shapes import build_issue_docx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_several_past_issues_previews_and_commits(e2e_demo, login, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    files = []
    for number, total, masthead in ((1, 116, "table"), (3, 118, "textbox"), (4, 119, "paragraphs")):
        path = tmp_path / ("领军参阅第%d期.docx" % number)
        path.write_bytes(build_issue_docx(number=number, total=total, masthead=masthead, picture=number == 3))
        files.append(path)
    clash = tmp_path / "重复的117.docx"  # 117 is the demo's released issue
    clash.write_bytes(build_issue_docx(number=2, total=117))
    old = tmp_path / "旧稿.wps"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)

    page = login("admin")
    page.goto(live_server.url + "/admin/backcatalogue/importedfile/")
    page.click("text=导入往期")
    page.set_input_files("input[type=file]", [*map(str, files), str(clash), str(old)])
    page.click("input[name=preview]")
    page.wait_for_selector("#import-report")
    assert page.locator("tr.status-ready").count() == 3
    assert page.locator("tr.status-refused").count() == 2
    assert "另存为 .docx" in page.inner_text("#import-report")
    assert "领军参阅 2024年第2期（总第117期）" in page.inner_text("#import-report")
    assert "3 个文件可导入" in page.inner_text("#commit-form")
    assert Issue.objects.filter(total_number__in=(116, 118, 119)).count() == 0  # preview writes nothing

    page.click("#commit-button")
    page.wait_for_selector("#commit-form[data-finished='1']")
    assert page.eval_on_selector("#import-progress", "el => el.value") == 3
    assert page.inner_text("#import-progress-text") == "3 / 3"
    assert page.locator("tr.status-imported").count() == 3
    assert sorted(Issue.objects.filter(total_number__in=(116, 118, 119)).values_list("status", flat=True)) == [
        "released"
    ] * 3
    assert ImportedFile.objects.count() == 3
