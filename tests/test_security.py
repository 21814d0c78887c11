"""Security review, pinned: every custom URL checks permission on the server, user data is escaped
wherever it is shown, rich text is sanitised on the admin path, uploads are limited, no redirect
leaves the site, and CSRF protects every write."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from briefs.models import Article, Issue, PaperSignOff
from briefs.workflow import Action, issue_transition, review_chain_ensure
from tests.factories import ArticleFactory, UserFactory, pdf_bytes, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = "甲" + SCRIPT + IMG
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"


def _png(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def _custom_urls(issue, article) -> list[tuple[str, str]]:
    """(method, URL) of every view that is not a plain ModelAdmin page."""
    return [
        ("get", reverse("clusters:search") + "?q=深圳"),
        ("get", reverse("clusters:coverage")),
        ("get", reverse("briefs:issue_preview", args=[issue.pk])),
        ("get", reverse("briefs:issue_pdf", args=[issue.pk])),
        ("get", reverse("briefs:issue_docx", args=[issue.pk])),
        ("get", reverse("admin:briefs_article_diff", args=[article.pk])),
        ("post", reverse("admin:briefs_issue_transition", args=[issue.pk])),
        ("post", reverse("admin:briefs_issue_paper_sign_off", args=[issue.pk])),
        ("get", reverse("admin:circulation_dispatch_sheet", args=[1, "xlsx"])),
        ("get", reverse("admin:circulation_distribution_export", args=[1, "csv"])),
        ("post", reverse("ck_editor_5_upload_file")),
    ]


def test_anonymous_and_non_staff_users_get_nothing_from_any_custom_url(client):
    """Anonymous visitors are sent to the admin login (the upload answers 403); a logged-in user
    without staff status is sent to the login too or refused with 403 — never a page or a file."""
    article = ArticleFactory()
    issue = article.issue
    outsider = UserFactory(username="outsider", is_staff=False)
    for who in (None, outsider):
        if who is not None:
            client.force_login(who)
        for method, url in _custom_urls(issue, article):
            response = getattr(client, method)(url, {"wf_action": "submit"} if method == "post" else None)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("admin:login")), (who, url)
            else:
                assert response.status_code == 403, (who, url, response.status_code)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_staff_without_the_permission_is_refused_on_custom_pages(client):
    """Staff status alone opens no custom page: the print view and downloads need briefs.view_issue,
    the archive search and coverage clusters.view_cluster, the diff the article's view permission,
    the exports the issue distribution's view permission."""
    article = ArticleFactory()
    client.force_login(UserFactory(username="bare-staff"))
    urls = [url for method, url in _custom_urls(article.issue, article) if method == "get"]
    from circulation.models import IssueDistribution

    IssueDistribution.objects.create(pk=1, issue=article.issue)
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)


def test_transitions_are_checked_on_the_server_not_by_hidden_buttons(client):
    """A reviewer who posts 签发 for an issue that is at 初审 (a button they are never shown) is
    refused, and the issue does not move; a GET on the transition URL is not allowed at all."""
    article = ArticleFactory()
    issue = article.issue
    review_chain_ensure(series=issue.series)
    editor = role_user(roles.EDITOR, username="sec-editor")
    issue_transition(issue=issue, action="submit", user=editor)
    reviewer = role_user(roles.REVIEWER, username="sec-reviewer")
    client.force_login(reviewer)
    url = reverse("admin:briefs_issue_transition", args=[issue.pk])
    assert client.get(url).status_code == 405
    for action in ("sign_off", "approve", "release", "revoke_sign_off"):
        response = client.post(url, {"wf_action": action, "wf_comment": "越权"})
        assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.current_stage.position, issue.total_number) == (Issue.Status.IN_REVIEW, 1, None)
    assert issue.events.count() == 1


def test_paper_sign_off_needs_the_permission_even_with_a_valid_form(client):
    """Recording a paper sign-off is refused with 403 to staff without briefs.record_paper_sign_off,
    even when the leader, date and scan are all valid; nothing is recorded, nothing is signed."""
    article = ArticleFactory()
    issue = article.issue
    leader = role_user(roles.SIGNER, username="sec-leader")
    reviewer = role_user(roles.REVIEWER, username="sec-reviewer2")
    # Walked to 终审 through the workflow: nothing else may set an issue's status or stage.
    steps = [
        (Action.SUBMIT, role_user(roles.EDITOR, username="sec-editor2")),
        (Action.APPROVE, role_user(roles.CHIEF_EDITOR, username="sec-chief2")),
        (Action.APPROVE, reviewer),
    ]
    for action, who in steps:
        issue_transition(issue=issue, action=action, user=who)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:briefs_issue_paper_sign_off", args=[issue.pk]),
        {
            "wf_paper-signer": leader.pk,
            "wf_paper-signed_on": "2024-01-19",
            "wf_paper-scan": SimpleUploadedFile("scan.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    assert not PaperSignOff.objects.exists()


def test_image_upload_is_staff_only_typed_by_content_and_size_limited(client, settings):
    """The editor's image upload: 403 for a non-staff user; an HTML file named .png, and an image
    over RICHTEXT_IMAGE_MAX_BYTES, are refused with 400 and not stored; a real PNG is stored under a
    random name with the extension of its real format."""
    url = reverse("ck_editor_5_upload_file")
    client.force_login(UserFactory(username="no-staff", is_staff=False))
    assert client.post(url, {"upload": SimpleUploadedFile("a.png", _png())}).status_code == 403
    client.force_login(UserFactory(username="staff-up"))
    html = SimpleUploadedFile("evil.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    assert client.post(url, {"upload": html}).status_code == 400
    settings.RICHTEXT_IMAGE_MAX_BYTES = 50
    assert client.post(url, {"upload": SimpleUploadedFile("big.png", _png((64, 64)))}).status_code == 400
    settings.RICHTEXT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
    response = client.post(url, {"upload": SimpleUploadedFile("name-i-chose.gif", _png())})
    assert response.status_code == 200
    stored = response.json()["url"]
    assert stored.endswith(".png") and "name-i-chose" not in stored


def test_image_upload_refuses_a_decompression_bomb(client, monkeypatch):
    """An image whose declared size is beyond Pillow's pixel limit is refused with 400, not a 500."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4)  # a 4×4 image is then over twice the limit
    client.force_login(UserFactory(username="staff-bomb"))
    response = client.post(reverse("ck_editor_5_upload_file"), {"upload": SimpleUploadedFile("b.png", _png())})
    assert response.status_code == 400


def test_writes_need_a_csrf_token():
    """With CSRF checks on, as in a browser, the upload and the workflow buttons refuse a post
    without the token (none of our views is csrf_exempt)."""
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_user(roles.EDITOR, username="csrf-editor"))
    upload = client.post(reverse("ck_editor_5_upload_file"), {"upload": SimpleUploadedFile("a.png", _png())})
    transition = client.post(reverse("admin:briefs_issue_transition", args=[article.issue.pk]), {"wf_action": "submit"})
    assert (upload.status_code, transition.status_code) == (403, 403)
    article.issue.refresh_from_db()
    assert article.issue.status == Issue.Status.DRAFT


def test_login_next_parameter_does_not_leave_the_site(client):
    """The only redirect target taken from the request is the admin login's `next`; an external
    URL there lands on the admin index instead."""
    UserFactory(username="nexter", password="pw-for-tests")
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "nexter", "password": "pw-for-tests", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_article_body_is_sanitised_on_the_admin_path(client):
    """An article saved through the admin form keeps no script, event handler or javascript: URL."""
    issue = ArticleFactory().issue
    client.force_login(UserFactory(username="root-sec", is_superuser=True))
    response = client.post(
        reverse("admin:briefs_article_add"),
        {
            "issue": issue.pk,
            "position": 9,
            "title": "新文章",
            "byline": "",
            "body": '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a></p>' + IMG,
            "seen_version": "",
            "cluster_tags-TOTAL_FORMS": "0",
            "cluster_tags-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    body = Article.objects.get(title="新文章").body
    assert "正文" in body
    for bad in ("<script", "onclick", "onerror", "javascript:"):
        assert bad not in body


def _assert_escaped(client, url):
    content = client.get(url).content.decode()
    assert SCRIPT not in content and IMG not in content, url
    assert ESCAPED_SCRIPT in content, url  # the data is on the page, escaped


def test_user_data_is_escaped_on_every_page_that_shows_it(demo, client):
    """An article title, a recipient's name and a cluster name holding <script> and an <img onerror>
    are shown escaped on the issue page, the changelists, the archive search, the coverage page and
    the print preview."""
    from circulation.models import Recipient
    from clusters.models import ArticleCluster, Cluster

    twin = demo["twin"]
    article = twin.articles.get()
    Article.objects.filter(pk=article.pk).update(title=PAYLOAD)  # as a hostile import would leave it
    recipient = Recipient.objects.filter(kind="person").order_by("category", "protocol_order").first()
    recipient.name = "甲" + SCRIPT  # the field holds 30 characters
    recipient.save()
    cluster = Cluster.objects.filter(taxonomy__is_active=True, parent=None).order_by("position").first()
    cluster.name = "乙" + SCRIPT
    cluster.save()
    ArticleCluster.objects.get_or_create(article=article, cluster=cluster)
    client.force_login(UserFactory(username="root-x", is_superuser=True))

    pages = [
        reverse("admin:briefs_issue_change", args=[twin.pk]),
        reverse("admin:briefs_issue_changelist"),
        reverse("admin:briefs_article_changelist"),
        reverse("admin:briefs_article_change", args=[article.pk]),
        reverse("admin:circulation_recipient_changelist"),
        reverse("admin:clusters_cluster_changelist"),
        reverse("admin:clusters_articlecluster_changelist"),
        reverse("clusters:search") + "?q=深圳",
        reverse("clusters:coverage"),
        reverse("briefs:issue_preview", args=[twin.pk]),
    ]
    for url in pages:
        _assert_escaped(client, url)
    preview = client.get(reverse("briefs:issue_preview", args=[twin.pk])).content.decode()
    assert "甲&lt;script&gt;" in preview.split('class="bao"', 1)[1]  # the recipient in the 报 line


def test_only_staff_with_view_permission_on_issues_may_print(client):
    """Giving a staff user briefs.view_issue is what opens the print preview (and nothing less)."""
    issue = ArticleFactory().issue
    user = UserFactory(username="viewer")
    client.force_login(user)
    url = reverse("briefs:issue_preview", args=[issue.pk])
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_issue", content_type__app_label="briefs"))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_instruction_scan_is_checked_by_content_and_stored_under_a_random_name(settings, tmp_path):
    """A 批示 scan must be a PDF/JPEG/PNG by its bytes (an .html file is refused in Chinese); an
    accepted one is stored under a random name, never the uploader's file name."""
    from django.core.exceptions import ValidationError

    from circulation.models import Instruction

    settings.MEDIA_ROOT = tmp_path
    issue = ArticleFactory().issue
    bad = Instruction(
        issue=issue, date="2024-01-20", text="请发改委研究。", leader_name="吴庆文",
        scan=SimpleUploadedFile("批示.html", b"<script>alert(1)</script>", content_type="text/html"),
    )
    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()
    assert "扫描件须为 PDF、JPEG 或 PNG 文件" in str(excinfo.value)
    good = Instruction(
        issue=issue, date="2024-01-20", text="请发改委研究。", leader_name="吴庆文",
        scan=SimpleUploadedFile("吴庆文批示.png", _png(), content_type="image/png"),
    )
    good.full_clean()
    good.save()
    assert good.scan.name.startswith("instructions/") and good.scan.name.endswith(".png")
    assert "批示" not in good.scan.name


@pytest.mark.django_db
def test_only_circulation_staff_export_the_recipients(client):
    """Recipients' addresses and contacts are exported only by 发行 (or a superuser), not by every
    staff member who may view the list."""
    url = reverse("admin:circulation_recipient_export")
    client.force_login(role_user(roles.EDITOR, username="editor-x"))
    assert client.get(reverse("admin:circulation_recipient_changelist")).status_code == 200
    assert client.get(url).status_code == 403
    client.force_login(role_user(roles.CIRCULATION, username="clerk-x"))
    assert client.get(url).status_code == 200
