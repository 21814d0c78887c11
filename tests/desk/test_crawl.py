"""A crawl as every demo role: no admin page (nor the desk) shows rich text as escaped HTML
source, and the desk pages speak Chinese only."""

import pytest
from django.urls import reverse

from briefs import workflow
from briefs.desk import services
from tests.test_admin_pages import ALLOWED_WORDS, DEMO_USERS, _pages, data_words, english_in

ESCAPED_SOURCE = ("&lt;p&gt;", "&lt;p ", "&lt;h2", "&lt;strong&gt;", "&lt;/p&gt;")


@pytest.fixture
def reviewing(site):
    """The twin in review at 复审 with a comment and an answer, so read-only pages and the desk
    have something of everything."""
    users, twin = site["users"], site["twin"]
    workflow.issue_transition(issue=twin, action="submit", user=users["editor"])
    comment = services.comment_add(issue=twin, user=users["chief"], quote="深圳", body="请核对")
    services.comment_answer(comment=comment, user=users["editor"], body="已核对")
    workflow.issue_transition(issue=twin, action="approve", user=users["chief"], comment="同意")
    return site


def _desk_pages(data) -> list[str]:
    pages = []
    for issue in (data["issue_117"], data["twin"]):
        pages += [
            reverse("briefs:issue_desk", args=[issue.pk]),
            reverse("briefs:issue_desk_confirm", args=[issue.pk, "sign_off"]),
            reverse("briefs:issue_desk_confirm", args=[issue.pk, "release"]),
        ]
    return pages


@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_page_shows_escaped_html_source(reviewing, client, username):
    client.force_login(reviewing["users"][username])
    allowed = ALLOWED_WORDS | data_words()
    escaped, english, opened = [], [], 0
    for url in [url for _label, _kind, url in _pages(reviewing)] + _desk_pages(reviewing):
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        html = response.content.decode()
        escaped += [f"{marker} in {url}" for marker in ESCAPED_SOURCE if marker in html]
        if "/desk/" in url:
            english += [f"{word} in {url}" for word in english_in(html, allowed)]
    assert opened > 10
    assert not escaped, "\n".join(escaped)
    assert not english, "\n".join(english)
