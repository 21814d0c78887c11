"""The issue page's kept parts (briefs.issue_page, issue 14): the second visit is served from what
was kept, with the visitor's own CSRF token; every write the page shows is on the next page; a
part is never served to another user, nor kept from a write that was not committed.

These tests commit (transactional_db), as the site does: inside the test runner's wrapping
transaction every page bypasses the cache (a write of the connection is pending)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefs import services, workflow
from briefs.models import Editor, Issue, ReviewStage
from zhiku import roles
from zhiku.actors import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)

# Session, user, the issue (the permissions are kept too: zhiku.auth_backends).
KEPT_PAGE_QUERIES = 3
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def users(demo):
    return {u.username: u for u in get_user_model().objects.all()}


def _page(client, issue) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:briefs_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_second_visit_is_the_same_page_from_the_kept_parts(client, demo, users):
    """Same HTML but for the token, in KEPT_PAGE_QUERIES queries instead of the full page's."""
    client.force_login(users["editor"])
    first, full = _page(client, demo["twin"])
    second, kept = _page(client, demo["twin"])
    assert kept == KEPT_PAGE_QUERIES < full
    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    assert 'name="seen_version"' in second and 'id="workflow-panel"' in second


def test_the_kept_page_carries_each_visitors_own_csrf_token(demo, users):
    """The same user in a second browser (another CSRF cookie) gets the kept page with a token
    made for that browser: its workflow button posts through the CSRF check and moves the issue."""
    twin = demo["twin"]
    first_browser, second_browser = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first_browser, second_browser):
        browser.force_login(users["editor"])
    _page(first_browser, twin)
    page, kept = _page(second_browser, twin)
    assert kept == KEPT_PAGE_QUERIES
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1 and "zhiku-csrf" not in page
    response = second_browser.post(
        reverse("admin:briefs_issue_transition", args=[twin.pk]),
        {"csrfmiddlewaretoken": tokens.pop(), "wf_action": "submit", "wf_status": "draft", "wf_stage": ""},
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.status == Issue.Status.IN_REVIEW


def test_every_write_the_page_shows_is_on_the_next_page(client, demo, users):
    """Kept, then after each write the page shows it: an article's title, the series' name, the
    responsible editor's name, the chain's stage, the numbers if signed today (another issue of the
    series numbered), the issue row changed by QuerySet.update() (no signal), a transition, the
    name of the person in the timeline."""
    twin = demo["twin"]
    client.force_login(users["editor"])

    def page():
        return _page(client, twin)[0]

    page()
    assert _page(client, twin)[1] == KEPT_PAGE_QUERIES
    article = twin.articles.get()
    services.article_update(article=article, seen_version=article.version, user=SYSTEM, title="新题目一")
    assert "新题目一" in page()
    series = twin.series
    series.name = "领军参阅新版"
    series.save()
    assert "领军参阅新版" in page()
    editor = Editor.objects.get(pk=twin.responsible_editor_id)
    editor.name = "改名的编辑"
    editor.save()
    assert "改名的编辑" in page()
    stage = ReviewStage.objects.filter(series=twin.series).order_by("position").first()
    stage.name = "初审（新）"
    stage.save()
    assert "初审（新）" in page()
    numbers = re.search(r'id="workflow-numbers">(.*?)</p>', page(), re.S).group(1)
    from datetime import date

    year = date.today().year
    services.issue_load_historical(
        actor=SYSTEM, series=twin.series, status=Issue.Status.RELEASED, year=year, number=40, total_number=900
    )
    assert re.search(r'id="workflow-numbers">(.*?)</p>', page(), re.S).group(1) != numbers
    assert "901" in page()
    Issue.objects.filter(pk=twin.pk).update(subject="不经信号的标题")
    assert "不经信号的标题" in page()
    workflow.issue_transition(issue=Issue.objects.get(pk=twin.pk), action="submit", user=users["editor"])
    after = page()
    assert 'data-action="submit"' in after and 'value="withdraw"' in after and 'value="submit"' not in after
    submitter = users["editor"]
    submitter.first_name, submitter.last_name = "新名", ""
    submitter.save()
    assert "新名" in re.search(r'id="workflow-timeline"(.*?)</ol>', page(), re.S).group(1)


def test_a_kept_page_is_served_only_to_the_user_it_was_rendered_for(client, demo, users):
    """chief's page of an issue in review (with 审核通过) is kept; editor, who submitted it, gets
    their own (撤回 only); a staff user without briefs permissions is refused; chief taken out of
    the 责任编辑 group no longer sees the buttons on the next page."""
    twin = demo["twin"]
    workflow.issue_transition(issue=twin, action="submit", user=users["editor"])
    client.force_login(users["chief"])
    _page(client, twin)
    chief_page, kept = _page(client, twin)
    assert kept == KEPT_PAGE_QUERIES and 'value="approve"' in chief_page
    client.force_login(users["editor"])
    editor_page = _page(client, twin)[0]
    assert 'value="approve"' not in editor_page and 'value="withdraw"' in editor_page
    outsider = get_user_model().objects.create_user("outsider", password="x", is_staff=True)
    client.force_login(outsider)
    assert client.get(reverse("admin:briefs_issue_change", args=[twin.pk])).status_code == 403
    chief = users["chief"]
    chief.groups.remove(Group.objects.get(name=roles.role_group_name(roles.CHIEF_EDITOR)))
    client.force_login(chief)
    response = client.get(reverse("admin:briefs_issue_change", args=[twin.pk]))
    assert response.status_code == 403 or 'value="approve"' not in response.content.decode()


def test_a_page_read_inside_an_uncommitted_write_is_not_kept(client, demo, users):
    """A page rendered while this connection holds a write not committed yet (here rolled back)
    is not kept: the next page shows what was committed."""
    twin = demo["twin"]
    client.force_login(users["editor"])
    _page(client, twin)
    with pytest.raises(RuntimeError), transaction.atomic():
        series = twin.series
        series.name = "回滚的名称"
        series.save()
        assert "回滚的名称" in _page(client, twin)[0]
        raise RuntimeError("rolled back")
    assert "回滚的名称" not in _page(client, twin)[0]


def test_nothing_is_kept_without_a_cache_every_process_shares(client, demo, users, settings):
    """In one worker's own memory another worker's write could not reach the kept page: every
    visit renders the whole page."""
    settings.SHARED_CACHE = False
    client.force_login(users["editor"])
    _page(client, demo["twin"])
    assert _page(client, demo["twin"])[1] > KEPT_PAGE_QUERIES


def test_what_an_admin_extension_on_the_page_reads_renders_it_afresh(client, demo, users, monkeypatch):
    """An app's field on the issue page (here the first recipient's full name, from circulation) names
    its model in ``AdminExtension.reads``: a write to it is on the next page."""
    from django.contrib import admin

    from briefs import extensions
    from circulation.models import Recipient
    from tests.factories import RecipientFactory

    @admin.display(description="首位收件人")
    def first_recipient(obj):
        first = Recipient.objects.order_by("pk").first()
        return first.full_name if first else "—"

    monkeypatch.setattr(extensions, "_admin_extensions", {"issue": [], "article": []})
    extensions.register_admin_extension(
        "issue",
        extensions.AdminExtension(
            readonly_fields=(first_recipient,),
            fieldsets=lambda request, obj, model_admin: [("收件", {"fields": [first_recipient]})],
            reads=(Recipient,),
        ),
    )
    first = Recipient.objects.order_by("pk").first() or RecipientFactory()
    first.full_name = "甲单位全称"
    first.save()
    client.force_login(users["editor"])
    assert "甲单位全称" in _page(client, demo["twin"])[0]
    assert _page(client, demo["twin"])[1] == KEPT_PAGE_QUERIES  # kept: the field is not asked again
    first.full_name = "改名的单位"
    first.save()
    assert "改名的单位" in _page(client, demo["twin"])[0]


def test_a_message_shows_on_the_kept_page(client, demo, users):
    """The frame around the kept parts renders on every request: a refused workflow action (no
    write, so the page stays kept) comes back with its message."""
    twin = demo["twin"]
    client.force_login(users["editor"])
    _page(client, twin)
    response = client.post(
        reverse("admin:briefs_issue_transition", args=[twin.pk]),
        {"wf_action": "approve", "wf_status": "draft", "wf_stage": ""},
    )
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get(response["Location"]).content.decode()
    assert len(queries) == KEPT_PAGE_QUERIES
    assert 'class="messagelist"' in page and 'id="workflow-panel"' in page
