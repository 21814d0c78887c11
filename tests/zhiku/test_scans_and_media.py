"""Issue 10, finding 2: scans are what they claim to be, and uploaded files are never public.

A "scan" that starts with %PDF- but is really HTML or SVG is refused on every path and nothing
reaches MEDIA_ROOT; an accepted scan is stored under an extension derived from its content.
Everything under /media/ goes through a view that checks who asks and answers with nosniff, a
CSP that forbids script, and an attachment for anything that is not an image or a PDF.
"""

import importlib
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from PIL import Image

from briefs import workflow
from briefs.models import Issue, PaperSignOff
from circulation.models import Instruction
from tests.factories import ArticleFactory, IssueFactory, UserFactory, pdf_bytes, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db

DISGUISED = b"%PDF-1.4\n<html><body><script>fetch('/admin/auth/user/')</script></body></html>"
DISGUISED_SVG = b'%PDF-1.4\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _media_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def final_stage_issue(demo):
    """The demo twin waiting at 终审, ready for a paper sign-off."""
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    twin = demo["twin"]
    for action, name in (("submit", "editor"), ("approve", "chief"), ("approve", "reviewer")):
        workflow.issue_transition(issue=twin, action=action, user=users[name])
    return twin, users


@pytest.mark.parametrize(("name", "content"), [("scan.html", DISGUISED), ("scan.svg", DISGUISED_SVG)])
def test_disguised_paper_sign_off_scan_is_refused_and_nothing_is_written(
    client, media, final_stage_issue, name, content
):
    """The attack from the report: a file starting with %PDF- that is HTML/SVG, uploaded as the
    paper sign-off scan. Refused with the Chinese message; not signed; MEDIA_ROOT stays empty."""
    twin, users = final_stage_issue
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:briefs_issue_paper_sign_off", args=[twin.pk]),
        {
            "wf_paper-signer": users["leader"].pk,
            "wf_paper-signed_on": "2026-01-05",
            "wf_paper-scan": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "扫描件须为 PDF、JPEG 或 PNG 文件" in response.content.decode()
    twin.refresh_from_db()
    assert twin.status == Issue.Status.IN_REVIEW
    assert not PaperSignOff.objects.exists()
    assert _media_files(media) == []


@pytest.mark.parametrize(("name", "content"), [("批示.html", DISGUISED), ("批示.svg", DISGUISED_SVG)])
def test_disguised_instruction_scan_is_refused_in_the_admin(client, media, name, content):
    """The 批示 form of the admin refuses the same files; nothing is recorded or written."""
    issue = ArticleFactory().issue
    client.force_login(role_user(roles.CIRCULATION, "clerk-scan"))
    response = client.post(
        reverse("admin:circulation_instruction_add"),
        {
            "leader_name": "吴庆文",
            "issue": issue.pk,
            "date": "2024-01-20",
            "text": "阅。",
            "scan": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "扫描件须为 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert not Instruction.objects.exists()
    assert _media_files(media) == []


def test_a_write_path_that_skips_validation_still_cannot_store_a_disguised_scan(media):
    """Saving the field directly (shell, a future service) is checked too: refused, nothing written."""
    from django.core.exceptions import ValidationError

    instruction = Instruction(issue=ArticleFactory().issue, date="2024-01-20", text="阅。", leader_name="吴庆文")
    with pytest.raises(ValidationError):
        instruction.scan.save("批示.html", ContentFile(DISGUISED), save=False)
    assert _media_files(media) == []


@pytest.mark.parametrize(
    ("upload_name", "content", "extension"),
    [
        ("批示.html", _png(), ".png"),
        ("批示.svg", pdf_bytes(), ".pdf"),
        ("批示", pdf_bytes(), ".pdf"),
    ],
)
def test_the_stored_extension_comes_from_the_content(media, upload_name, content, extension):
    """A real PNG or PDF is accepted whatever it is called, and stored as .png / .pdf."""
    instruction = Instruction(
        issue=ArticleFactory().issue,
        date="2024-01-20",
        text="阅。",
        leader_name="吴庆文",
        scan=SimpleUploadedFile(upload_name, content),
    )
    instruction.full_clean()
    instruction.save()
    assert instruction.scan.name.startswith("instructions/") and instruction.scan.name.endswith(extension)
    assert "批示" not in instruction.scan.name


def _archived_issue() -> tuple[Issue, str]:
    """An issue whose archive points at a stored PDF with the old guessable name."""
    issue = IssueFactory()
    name = default_storage.save("archive/2024/lingjun-2024-117.pdf", ContentFile(pdf_bytes()))
    Issue.objects.filter(pk=issue.pk).update(archived_pdf=name)
    return issue, name


def _scan(media) -> str:
    record = PaperSignOff.objects.create(
        issue=IssueFactory(),
        signer=UserFactory(),
        signed_on="2024-01-19",
        recorded_by=UserFactory(),
        scan=SimpleUploadedFile("scan.pdf", pdf_bytes()),
    )
    return record.scan.name


def test_anonymous_gets_no_archived_pdf_and_no_scan(client, media):
    """The report's anonymous GET of an archived PDF answered 200; now: the login, for both."""
    _issue, archived = _archived_issue()
    scan = _scan(media)
    for name in (archived, scan):
        response = client.get("/media/" + name)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_media_is_not_public_with_debug_on_either(client, media, settings):
    """With DEBUG on, the URLconf used to add Django's static file server for /media/."""
    import zhiku.urls

    _issue, archived = _archived_issue()
    try:
        with override_settings(DEBUG=True):
            importlib.reload(zhiku.urls)
            clear_url_caches()
            assert client.get("/media/" + archived).status_code == 302
    finally:
        importlib.reload(zhiku.urls)
        clear_url_caches()


def test_staff_who_may_view_issues_get_files_that_cannot_run_script(client, media):
    """A role that views issues gets the archived PDF and the scan, typed by extension, nosniff,
    a CSP without script; a non-staff user gets 403."""
    _issue, archived = _archived_issue()
    scan = _scan(media)
    client.force_login(UserFactory(username="outsider", is_staff=False))
    assert client.get("/media/" + archived).status_code == 403
    client.force_login(role_user(roles.REVIEWER, "reviewer-files"))
    for name in (archived, scan):
        response = client.get("/media/" + name)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "script-src" not in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_files_nobody_vouches_for_are_not_served(client, media):
    """A file no record points to, a folder nobody registered, and a path out of MEDIA_ROOT: 404."""
    default_storage.save("archive/2024/orphan.pdf", ContentFile(pdf_bytes()))
    default_storage.save("elsewhere/page.html", ContentFile(b"<script>alert(1)</script>"))
    client.force_login(role_user(roles.ADMINISTRATOR, "admin-files"))
    for path in (
        "archive/2024/orphan.pdf",
        "elsewhere/page.html",
        "richtext/../elsewhere/page.html",
        "../../etc/passwd",
        "signoff/none.pdf",
    ):
        assert client.get("/media/" + path).status_code == 404, path


def test_an_unexpected_file_type_is_downloaded_never_shown(client, media):
    """Were an old upload with another extension still referenced, it is an octet-stream attachment."""
    name = default_storage.save("richtext/2024/01/old.html", ContentFile(b"<script>alert(1)</script>"))
    client.force_login(role_user(roles.EDITOR, "editor-files"))
    response = client.get("/media/" + name)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_article_images_show_to_staff_only(client, media):
    """Rich-text images are shown inline to logged-in staff, and to nobody else."""
    name = default_storage.save("richtext/2024/01/pic.png", ContentFile(_png()))
    assert client.get("/media/" + name).status_code == 302
    client.force_login(role_user(roles.SIGNER, "signer-files"))
    response = client.get("/media/" + name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_the_archived_approval_form_has_one_way_out_the_desk_view(client, media):
    """The 审批单 archived beside the PDF is fetched through the desk's view only: a reader who may
    view the issue gets the archived bytes there and a 404 under /media/; a staff user who may not
    view issues gets 403 from the desk view."""
    issue = IssueFactory()
    name = default_storage.save("archive/2024/lingjun-2024-117-approval.pdf", ContentFile(pdf_bytes()))
    Issue.objects.filter(pk=issue.pk).update(archived_approval=name)
    desk_url = reverse("briefs:issue_approval_pdf", args=[issue.pk])
    client.force_login(UserFactory(username="staff-no-issues", is_staff=True))
    assert client.get(desk_url).status_code == 403
    client.force_login(role_user(roles.REVIEWER, "reviewer-approval"))
    response = client.get(desk_url)
    assert response.status_code == 200
    assert response.content == default_storage.open(name).read()
    assert client.get("/media/" + name).status_code == 404
