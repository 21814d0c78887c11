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
