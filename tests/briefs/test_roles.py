"""Roles are groups kept in code: after migrate (no load_demo) every group exists with its
permissions, including those other apps add from AppConfig.ready; every series gets 三审."""

import pytest
from django.contrib.auth.models import Group

from briefs import workflow
from tests.factories import SeriesFactory
from zhiku import roles


def _perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_groups_exist_after_migrate_with_every_permission_of_the_table():
    """The post_migrate receiver synced the groups: each has exactly role_permissions(role) (those
    that exist: an app whose migrations have not run has no permissions yet), and every briefs one."""
    from django.contrib.auth.models import Permission

    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    for role in roles.ROLES:
        wanted = roles.role_permissions(role.key)
        assert {p for p in wanted if p.startswith("briefs.")} <= existing, role.key
        assert _perms(role.group_name) == wanted & existing, role.key
    assert "briefs.release_issue" in _perms("发行")
    assert "briefs.submit_issue" in _perms("编辑")
    assert not {"briefs.change_article", "briefs.change_issue"} & _perms("审核")


@pytest.mark.django_db
def test_permissions_added_by_other_apps_reach_the_group():
    """add_role_permissions from an AppConfig.ready is applied by sync_roles."""
    roles.add_role_permissions(roles.REVIEWER, ["briefs.view_issueevent"])
    try:
        roles.sync_roles()
        assert "briefs.view_issueevent" in _perms("审核")
    finally:
        roles._extra_permissions[roles.REVIEWER].discard("briefs.view_issueevent")
        roles.sync_roles()


@pytest.mark.django_db
def test_a_series_without_a_chain_gets_the_default_one():
    """初审 (责任编辑) → 复审 (审核) → 终审/签发 (签发), created when first needed."""
    series = SeriesFactory()
    assert not series.review_stages.exists()
    stages = workflow.review_chain_ensure(series=series)
    assert [(s.name, s.group.name) for s in stages] == [("初审", "责任编辑"), ("复审", "审核"), ("终审/签发", "签发")]
    assert workflow.review_chain_ensure(series=series) == stages
