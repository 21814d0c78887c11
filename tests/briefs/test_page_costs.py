"""The pages people wait on (issue 14): the admin index and an issue's page cost a fixed number
of queries per role, whatever the issue holds; what the index keeps between requests (the app
list per kind of user, 待我处理 per user) follows every change."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from briefs import workflow
from tests.factories import ArticleFactory, IssueFactory, role_user
from tests.zhiku.test_role_queries import _queries  # the second request's queries, warm
from zhiku import roles

# Measured on 2026-11-30, second request (per-process and cached lists warm). Index: session, user,
# the user's own permissions, the groups with their permissions, recent actions (待我处理 and the
# app list kept). Issue page: those four, the issue, its series, the article check for
# submitting, the review chain, the two next numbers, the timeline, the articles; where the role may
# change the draft, also the series to choose from and the responsible editor.
INDEX_QUERIES = 5
ISSUE_PAGE_QUERIES = {
    roles.EDITOR: 14,
    roles.CHIEF_EDITOR: 14,
    roles.REVIEWER: 12,
    roles.SIGNER: 12,
    roles.CIRCULATION: 12,
    roles.ADMINISTRATOR: 14,
}
ROLE_KEYS = list(ISSUE_PAGE_QUERIES)


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", ROLE_KEYS)
def test_admin_index_queries_per_role(client, role_key):
    """Each role's admin index, second visit: exactly INDEX_QUERIES queries."""
    IssueFactory.create_batch(3)
    client.force_login(role_user(role_key))
    status, count, sql = _queries(client, reverse("admin:index"))
    assert status == 200
    assert count == INDEX_QUERIES, sql


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", ROLE_KEYS)
def test_issue_page_queries_per_role_with_five_articles(client, role_key):
    """An issue's page with 5 articles: the role's fixed count, the same as with one article."""
    issue = IssueFactory()
    ArticleFactory(issue=issue, position=1)
    single = IssueFactory(series=issue.series)
    ArticleFactory(issue=single, position=1)
    for position in range(2, 6):
        ArticleFactory(issue=issue, position=position)
    client.force_login(role_user(role_key))
    status, count, sql = _queries(client, reverse("admin:briefs_issue_change", args=[issue.pk]))
    assert status == 200
    assert count == ISSUE_PAGE_QUERIES[role_key], sql
    assert _queries(client, reverse("admin:briefs_issue_change", args=[single.pk]))[1] == count


def _waiting(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    start = page.index('id="waiting-for-me"')
    return page[start : page.index("</table>", start)]


@pytest.mark.django_db
def test_waiting_list_follows_transitions_and_groups(client, demo):
    """待我处理 is kept between pages, yet shows each change on the next page: submitted, the issue
    appears for 初审 (chief), whose list was empty and kept; sent back, it leaves chief's list and
    comes to the editor who submitted it; a reviewer put into 责任编辑 sees what chief sees."""
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    twin = demo["twin"]
    link = reverse("admin:briefs_issue_change", args=[twin.pk])
    assert link not in _waiting(client, users["chief"])
    assert link not in _waiting(client, users["chief"])  # read from what was kept
    workflow.issue_transition(issue=twin, action="submit", user=users["editor"])
    assert link in _waiting(client, users["chief"])
    assert link not in _waiting(client, users["reviewer"])
    users["reviewer"].groups.add(Group.objects.get(name=roles.role_group_name(roles.CHIEF_EDITOR)))
    assert link in _waiting(client, users["reviewer"])
    workflow.issue_transition(issue=twin, action="request_changes", user=users["chief"], comment="补充数据")
    assert link not in _waiting(client, users["chief"])
    assert link in _waiting(client, users["editor"])


@pytest.mark.django_db
def test_app_list_follows_a_change_of_permissions(client):
    """The app list kept per kind of user: a user given a role sees its app on the next page."""
    user = role_user(roles.EDITOR)
    client.force_login(user)
    recipients = reverse("admin:circulation_recipient_add")  # 发行 adds recipients; 编辑 only reads them
    assert recipients not in client.get(reverse("admin:index")).content.decode()
    user.groups.add(Group.objects.get(name=roles.role_group_name(roles.CIRCULATION)))
    assert recipients in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_waiting_list_is_not_kept_without_a_shared_cache(client, demo, settings):
    """Without a cache every process shares (no Redis: each gunicorn worker has its own memory), a
    submit handled by one worker could not reach the list another worker kept: the list is read
    afresh on every page, so the index costs the queries of working it out each time."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="chief"))
    index = reverse("admin:index")
    status, kept, _ = _queries(client, index)
    assert (status, kept) == (200, INDEX_QUERIES)
    settings.SHARED_CACHE = False
    _, fresh, _ = _queries(client, index)
    assert fresh > kept
    assert _queries(client, index)[1] == fresh
