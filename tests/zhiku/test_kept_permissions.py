"""A user's permissions are kept in the shared cache between requests, and a change to them holds
from the next request: a permission taken from the group, the user taken out of the group, the
user's own permission taken away. These tests commit (transactional_db), as the site does."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db(transaction=True)


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    return status, [q["sql"] for q in ctx.captured_queries]


def _permission_queries(queries):
    return [sql for sql in queries if '"auth_permission"' in sql]


@pytest.fixture
def clerk(client):
    user = role_user(roles.CIRCULATION, username="clerk")
    client.force_login(user)
    return user


URL = "/admin/circulation/recipient/"
ISSUES = reverse("admin:briefs_issue_changelist")


def test_kept_between_requests(client, clerk):
    first_status, first = _get(client, URL)
    again_status, again = _get(client, URL)
    assert first_status == again_status == 200
    assert _permission_queries(first) and not _permission_queries(again)


def test_a_permission_taken_from_the_group_holds_at_once(client, clerk):
    assert _get(client, URL)[0] == 200
    group = Group.objects.get(name=roles.role_group_name(roles.CIRCULATION))
    group.permissions.remove(Permission.objects.get(codename="view_recipient"), Permission.objects.get(codename="change_recipient"))
    assert _get(client, URL)[0] == 403


def test_leaving_the_group_holds_at_once(client, clerk):
    assert _get(client, URL)[0] == 200
    clerk.groups.clear()
    assert _get(client, URL)[0] == 403


def test_an_own_permission_taken_away_holds_at_once(client):
    user = UserFactory(username="own", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(user)
    assert _get(client, ISSUES)[0] == 200
    user.user_permissions.clear()
    assert _get(client, ISSUES)[0] == 403


def test_nothing_kept_without_a_cache_every_process_shares(client, clerk, settings):
    settings.SHARED_CACHE = False
    _get(client, URL)
    assert _permission_queries(_get(client, URL)[1])
