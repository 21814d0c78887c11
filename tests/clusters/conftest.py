"""Fixtures for the clusters tests: the 20+8 tree (shipped by a data migration) and role users."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from tests.factories import UserFactory
from zhiku import roles
from zhiku.actors import SYSTEM


@pytest.fixture(autouse=True)
def chinese():
    """Messages are checked in Chinese, as the users see them."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Stored search results from another test's rows (flushed, not deleted one by one) are gone."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shenzhen(db):
    from clusters.models import Taxonomy
    from clusters.services import taxonomy_load_shenzhen

    # Present from the data migration; loading again is idempotent (and restores it after a flush).
    taxonomy_load_shenzhen(user=SYSTEM)
    return Taxonomy.objects.get(name="深圳20+8")


@pytest.fixture
def node(shenzhen):
    """node("智能机器人") → that cluster of the 20+8 tree."""
    from clusters.models import Cluster

    return lambda name, **kw: Cluster.objects.get(taxonomy=shenzhen, name=name, **kw)


@pytest.fixture
def role_user(db):
    """role_user("editor") → a staff user in that role's group (groups synced from zhiku.roles)."""

    def make(role_key: str, username: str | None = None):
        roles.sync_roles()
        user = UserFactory(username=username or f"u-{role_key}")
        user.groups.add(Group.objects.get(name=roles.ROLES_BY_KEY[role_key].group_name))
        return type(user).objects.get(pk=user.pk)  # fresh permission cache

    return make
