"""Role checks read the user's groups once per request (issue 16): the admin index, which asks
for roles a dozen times while building the app list, stays within a handful of queries."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IssueFactory, role_user
from zhiku import roles

ROLE_KEYS = [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION, roles.ADMINISTRATOR]


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", ROLE_KEYS)
def test_admin_index_queries_per_role(client, role_key):
    """Each role's admin index: at most 6 queries (session, user, the user's own permissions, the
    groups with their permissions and names, 待我处理, recent actions), however many apps and
    models the index lists and whatever the search box, 待我处理's contributed filters and the
    role-ordered app list ask about roles."""
    IssueFactory.create_batch(3)
    client.force_login(role_user(role_key))
    client.get("/admin/")  # warm caches that are per process, not per request (content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 6, "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.django_db
def test_groups_are_read_once_per_user_object(django_assert_num_queries):
    """user_has_role asked many times on one user object reads the groups once."""
    user = role_user(roles.EDITOR)
    with django_assert_num_queries(1):
        for _round in range(5):
            for key in ROLE_KEYS:
                roles.user_has_role(user, key)
    assert roles.user_has_role(user, roles.EDITOR)
    assert not roles.user_has_role(user, roles.CIRCULATION)


@pytest.mark.django_db
def test_forgetting_the_cache_sees_new_groups():
    """After the user's groups change, user_groups_forget makes the next check read them again."""
    user = role_user(roles.EDITOR)
    assert not roles.user_has_role(user, roles.CIRCULATION)
    user.groups.add(Group.objects.get(name=roles.role_group_name(roles.CIRCULATION)))
    roles.user_groups_forget(user)
    assert roles.user_has_role(user, roles.CIRCULATION)


# Measured on 2026-11-30: 7–12 queries for a changelist and 14–16 for an issue's page, by role
# (the superuser: 4–10 and 14). Each role's own checks are a fixed 2–3 of them (groups once,
# permissions once), however many times the page asks.
MAX_CHANGELIST_QUERIES = 12
MAX_ISSUE_PAGE_QUERIES = 16


def _changelist_urls():
    from django.contrib import admin
    from django.urls import reverse

    return {
        model._meta.label: reverse("admin:%s_%s_changelist" % (model._meta.app_label, model._meta.model_name))
        for model in admin.site._registry
    }


def _queries(client, url) -> tuple[int, int, str]:
    client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", ROLE_KEYS)
def test_issue_page_and_changelists_queries_per_role(client, role_key):
    """For each role: an issue's change page in at most 16 queries and every changelist the role
    may open in at most 12, with rows on the page (an issue with an article, its event)."""
    from tests.factories import ArticleFactory

    issue = ArticleFactory().issue
    client.force_login(role_user(role_key))
    status, count, sql = _queries(client, "/admin/briefs/issue/%d/change/" % issue.pk)
    assert status == 200
    assert count <= MAX_ISSUE_PAGE_QUERIES, sql
    opened = []
    for label, url in _changelist_urls().items():
        status, count, sql = _queries(client, url)
        if status == 403:
            continue
        assert status == 200, label
        assert count <= MAX_CHANGELIST_QUERIES, "%s: %d queries\n%s" % (label, count, sql)
        opened.append(label)
    assert "briefs.Issue" in opened and "briefs.Article" in opened
