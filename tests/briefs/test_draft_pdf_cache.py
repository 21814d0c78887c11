"""A draft's PDF (and Word file) is rendered once per distinct document and served from the cache;
anything the document prints changes the key; with a broker a cold render runs in a job."""

import io

import pdfplumber
import pytest
from django.core.cache import cache
from django.urls import reverse

from briefs.models import Editor, Issue
from briefs.rendering import draft_cache
from circulation import services as circulation_services
from jobs.models import Job
from tests.briefs.test_rendering import squash
from tests.briefs.test_rendering_views import viewer
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory, RecipientFactory, UserFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def renders(monkeypatch):
    """Every PDF/Word render the cache asks for, by format."""
    calls = []
    for file_format, real in list(draft_cache.RENDERERS.items()):
        def counting(document, _real=real, _format=file_format, **kwargs):
            calls.append(_format)
            return _real(document, **kwargs)

        monkeypatch.setitem(draft_cache.RENDERERS, file_format, counting)
    return calls


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as read:
        return squash("".join(page.extract_text() or "" for page in read.pages))


def _get_pdf(client, issue):
    return client.get(reverse("briefs:issue_pdf", args=[issue.pk]))


def test_a_draft_pdf_is_rendered_once_then_served_from_the_cache(client, renders):
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="缓存文章")
    client.force_login(viewer(is_staff=True))
    first = _get_pdf(client, issue)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "缓存文章" in _pdf_text(first.content)
    second = _get_pdf(client, issue)
    assert second.content == first.content
    assert renders == ["pdf"]
    assert second["Cache-Control"] == "private, no-cache"

    word = client.get(reverse("briefs:issue_docx", args=[issue.pk]))
    again = client.get(reverse("briefs:issue_docx", args=[issue.pk]))
    assert word.status_code == 200 and again.content == word.content
    assert renders == ["pdf", "docx"]


def test_each_edit_of_what_is_printed_gives_a_new_pdf(client, renders):
    """An article, the 报 line, the responsible editor's name: each edit is a new document, a new
    key, a new render; an edit that prints nothing new (the internal note) reuses the cached file."""
    issue = IssueFactory(print_run=None)
    article = ArticleFactory(issue=issue, title="原来的标题")
    client.force_login(viewer(is_staff=True))
    texts = [_pdf_text(_get_pdf(client, issue).content)]

    article.title = "改过的标题"
    article.save()
    texts.append(_pdf_text(_get_pdf(client, issue).content))
    assert "原来的标题" in texts[0] and "改过的标题" in texts[1]

    clerk = role_user(roles.CIRCULATION, username="clerk-cache")
    recipient = RecipientFactory(name="缓存甲", title="书记")
    circulation_services.issue_recipient_set(issue=issue, recipient=recipient, copies=1, user=clerk)
    texts.append(_pdf_text(_get_pdf(client, issue).content))
    assert "报：缓存甲书记。" in texts[2] and "缓存甲" not in texts[1]

    Editor.objects.filter(pk=issue.responsible_editor_id).update(name="新名字")
    texts.append(_pdf_text(_get_pdf(client, issue).content))
    assert "责任编辑：新名字" in texts[3] and "新名字" not in texts[2]
    assert renders == ["pdf"] * 4

    _get_pdf(client, issue)  # nothing changed: served from the cache
    assert renders == ["pdf"] * 4


def test_the_key_follows_the_document_and_the_fonts(settings):
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="键")
    from briefs.rendering.services import issue_printed_document

    document = issue_printed_document(issue)
    pdf_key = draft_cache.draft_document_digest(document, "pdf")
    assert pdf_key == draft_cache.draft_document_digest(issue_printed_document(issue), "pdf")
    assert pdf_key != draft_cache.draft_document_digest(document, "docx")
    settings.ZHIKU_FONTS = {**settings.ZHIKU_FONTS, "body": ["Some Other Font"]}
    assert pdf_key != draft_cache.draft_document_digest(document, "pdf")


def test_someone_who_may_not_view_issues_never_gets_the_cached_pdf(client, renders):
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="保密草稿")
    client.force_login(viewer(is_staff=True))
    assert _get_pdf(client, issue).status_code == 200
    for outsider in (UserFactory(is_staff=True), viewer(is_staff=False)):
        client.force_login(outsider)
        for name in ("issue_pdf", "issue_docx"):
            response = client.get(reverse("briefs:" + name, args=[issue.pk]))
            assert response.status_code == 403
            assert b"%PDF" not in response.content
    assert renders == ["pdf"]


def test_with_a_broker_a_cold_pdf_renders_in_a_job_whose_page_offers_it(
    client, settings, renders, django_capture_on_commit_callbacks
):
    """With a broker the request only starts the job (Celery runs it eagerly here) and goes to its
    page; the page links to the PDF, now served from the cache. A reload follows the same job."""
    settings.CELERY_BROKER_URL = "memory://"
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="后台渲染")
    user = viewer(is_staff=True)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _get_pdf(client, issue)
    job = Job.objects.get(kind="briefs.rendering.draft_cache.draft_pdf_render")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.created_by, job.params) == (Job.Status.SUCCEEDED, user, {"issue_id": issue.pk})
    pdf_url = reverse("briefs:issue_pdf", args=[issue.pk])
    assert job.result_url == pdf_url
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'href="%s"' % pdf_url in page
    download = client.get(pdf_url)
    assert download.status_code == 200 and "后台渲染" in _pdf_text(download.content)
    assert renders == ["pdf"]

    # The PDF left the cache: the next request starts the render again instead of the old job.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = _get_pdf(client, issue)
    assert again.status_code == 302 and renders == ["pdf", "pdf"]
    assert Job.objects.filter(kind=job.kind, status=Job.Status.SUCCEEDED).count() == 2


def test_with_a_broker_a_double_click_follows_the_same_job(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "memory://"
    monkeypatch.setattr("jobs.runner._dispatch", lambda job_id: None)  # the worker has not started it yet
    issue = IssueFactory()
    client.force_login(viewer(is_staff=True))
    first, second = _get_pdf(client, issue), _get_pdf(client, issue)
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1


def test_a_signed_issue_still_serves_its_archive_not_a_draft_render(client, renders, settings):
    settings.CELERY_BROKER_URL = "memory://"
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED)
    ArticleFactory(issue=issue, title="已签发")
    client.force_login(viewer(is_staff=True))
    response = _get_pdf(client, issue)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert renders == [] and not Job.objects.filter(kind="briefs.rendering.draft_cache.draft_pdf_render").exists()
