"""The admin upload: several files previewed (nothing written), then committed; names for 发行."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backcatalogue.models import ImportedFile
from briefs.models import Issue
from circulation.models import Recipient, SnapshotEntry
from tests.factories import RecipientFactory, role_user
from zhiku import roles

from .shapes import build_issue_docx

pytestmark = pytest.mark.django_db
UPLOAD = "admin:backcatalogue_importedfile_upload"
COMMIT = "admin:backcatalogue_importedfile_commit"


def _files():
    return [
        SimpleUploadedFile("116.docx", build_issue_docx(number=1, total=116)),
        SimpleUploadedFile("117.docx", build_issue_docx(number=2, total=117, masthead="table")),
        SimpleUploadedFile("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
    ]


def test_preview_writes_nothing_then_commit_imports_the_ready_files(client, series, importer, media):
    client.force_login(importer)
    page = client.post(reverse(UPLOAD), {"files": _files()})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="import-row status-ready"') == 2 and "另存为 .docx" in html
    assert Issue.objects.count() == 0
    tokens = page.context["ready"]
    done = client.post(reverse(COMMIT), {"token": [row["token"] for row in tokens]})
    assert done.status_code == 200 and done.content.decode().count("已导入") >= 2
    assert sorted(Issue.objects.values_list("total_number", flat=True)) == [116, 117]
    # A token is used once: posting it again imports nothing more.
    again = client.post(reverse(COMMIT), {"token": [tokens[0]["token"]], "one": "1"})
    assert again.json()["status"] == "refused" and ImportedFile.objects.count() == 2


def test_commit_one_file_answers_json_for_the_progress_bar(client, series, importer, media):
    client.force_login(importer)
    page = client.post(reverse(UPLOAD), {"files": _files()[:1]})
    token = page.context["ready"][0]["token"]
    answer = client.post(reverse(COMMIT), {"token": token, "one": "1"}).json()
    assert answer["status"] == "imported" and answer["status_label"] == "已导入"
    assert Issue.objects.get(pk=answer["issue_id"]).total_number == 116


def test_upload_is_refused_without_the_import_permission(client, series, media):
    """A circulation clerk may see the imported files but not import (server-side check)."""
    client.force_login(role_user(roles.CIRCULATION, username="clerk-u"))
    assert client.get(reverse(UPLOAD)).status_code == 403
    assert client.post(reverse(UPLOAD), {"files": _files()[:1]}).status_code == 403
    assert client.post(reverse(COMMIT), {"token": "x"}).status_code == 403
    assert Issue.objects.count() == 0


def test_circulation_links_or_creates_recipients_for_unknown_names(client, series, importer, media):
    client.force_login(importer)
    data = build_issue_docx(bao_line="报：刘小涛书记、王新市长；市统计局。")
    RecipientFactory(name="刘小涛", title="书记")
    page = client.post(reverse(UPLOAD), {"files": [SimpleUploadedFile("a.docx", data)]})
    client.post(reverse(COMMIT), {"token": page.context["ready"][0]["token"]})
    clerk = role_user(roles.CIRCULATION, username="clerk-l")
    client.force_login(clerk)
    url = reverse("admin:backcatalogue_importedfile_unmatched")
    listing = client.get(url).content.decode()
    assert "王新市长" in listing and "市统计局" in listing
    mayor = RecipientFactory(name="王新", title="市长")
    client.post(url, {"printed_name": "王新市长", "recipient": mayor.pk})
    client.post(url, {"printed_name": "市统计局", "recipient": ""})
    created = Recipient.objects.get(printed_name="市统计局")
    assert created.kind == Recipient.Kind.BODY
    linked = dict(SnapshotEntry.objects.values_list("printed_name", "recipient_id"))
    assert linked["王新市长"] == mayor.pk and linked["市统计局"] == created.pk
    assert "所有印发名称均已关联收文对象" in client.get(url).content.decode()


def test_only_circulation_links_names(client, series, importer, media):
    client.force_login(role_user(roles.EDITOR, username="editor-l"))
    url = reverse("admin:backcatalogue_importedfile_unmatched")
    assert client.post(url, {"printed_name": "x", "recipient": ""}).status_code == 403
    assert not Recipient.objects.exists()


def test_upload_preview_and_unmatched_pages_are_all_chinese(client, series, importer, media):
    from tests.test_admin_pages import ALLOWED_WORDS, english_in

    client.force_login(importer)
    allowed = ALLOWED_WORDS | {"docx", "doc", "WPS", "wps", "archivist"}  # WPS: the office suite
    assert english_in(client.get(reverse(UPLOAD)).content.decode(), allowed) == []
    preview = client.post(reverse(UPLOAD), {"files": _files()})
    assert english_in(preview.content.decode(), allowed) == []
    client.force_login(role_user(roles.CIRCULATION, username="clerk-c"))
    allowed |= {"clerk"}
    assert english_in(client.get(reverse("admin:backcatalogue_importedfile_unmatched")).content.decode(), allowed) == []
