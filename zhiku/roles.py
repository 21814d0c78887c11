"""Roles as Django groups, kept in code. ``sync_roles`` makes the groups and their permissions
match this table; a data migration, a ``post_migrate`` receiver (briefs.workflow_receivers, after the last
app migrated, so permissions other apps add from ``AppConfig.ready`` exist) and ``load_demo`` call it.

Who may act in the review workflow is decided by these groups: 编辑 and 责任编辑 submit, the stages
of a series' review chain are held by 责任编辑 (初审), 审核 (复审) and 签发 (终审/签发), 发行 releases,
管理员 may revoke anybody's sign-off and release.

Imports no app of ours: permissions are named by "app_label.codename" strings.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    group_name: str
    description: str
    permissions: tuple[str, ...]


VIEW_BRIEFS = (
    "briefs.view_series",
    "briefs.view_issue",
    "briefs.view_article",
    "briefs.view_editor",
    "briefs.view_reviewstage",
)

# Writing drafts and sending them to review: 编辑 and 责任编辑.
WRITE_DRAFTS = VIEW_BRIEFS + (
    "briefs.add_issue",
    "briefs.change_issue",
    "briefs.add_article",
    "briefs.change_article",
    "briefs.delete_article",
    "briefs.submit_issue",
)

EDITOR = "editor"
CHIEF_EDITOR = "chief_editor"
REVIEWER = "reviewer"
SIGNER = "signer"
CIRCULATION = "circulation"
ADMINISTRATOR = "administrator"

ROLES: tuple[Role, ...] = (
    Role(
        EDITOR,
        "编辑",
        _("Drafts issues and articles, submits them for review"),
        WRITE_DRAFTS,
    ),
    Role(
        CHIEF_EDITOR,
        "责任编辑",
        _("Owns an issue; first review"),
        WRITE_DRAFTS + ("briefs.record_paper_sign_off",),
    ),
    Role(REVIEWER, "审核", _("Second review"), VIEW_BRIEFS),
    Role(SIGNER, "签发", _("Final review and sign-off"), VIEW_BRIEFS),
    Role(
        CIRCULATION,
        "发行",
        _("Recipients, distribution, print run, copy numbers, receipts, instructions"),
        VIEW_BRIEFS + ("briefs.release_issue",),
    ),
    Role(
        ADMINISTRATOR,
        "管理员",
        _("Accounts, roles, series settings"),
        VIEW_BRIEFS
        + (
            "briefs.add_series",
            "briefs.change_series",
            "briefs.add_editor",
            "briefs.change_editor",
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
            "briefs.add_issue",
            "briefs.change_issue",
            "briefs.submit_issue",
            "briefs.release_issue",
            "briefs.revoke_any_sign_off",
            "briefs.record_paper_sign_off",
            "briefs.view_reviewstage",
            "briefs.add_reviewstage",
            "briefs.change_reviewstage",
            "briefs.delete_reviewstage",
            "briefs.view_issueevent",
            "briefs.view_notification",
            "briefs.view_papersignoff",
            # Login lockouts (django-axes, shown as zhiku.LoginLockout): see them, unlock by deleting.
            "zhiku.view_loginlockout",
            "zhiku.delete_loginlockout",
        ),
    ),
)
ROLES_BY_KEY = {role.key: role for role in ROLES}

# Apps above briefs add their permissions to a role here (from AppConfig.ready), keeping this
# module free of imports of theirs.
_extra_permissions: dict[str, set[str]] = {}


def add_role_permissions(role_key: str, permissions: tuple[str, ...] | list[str]) -> None:
    _extra_permissions.setdefault(role_key, set()).update(permissions)


def role_permissions(role_key: str) -> set[str]:
    return set(ROLES_BY_KEY[role_key].permissions) | _extra_permissions.get(role_key, set())


def sync_roles(group_model=None, permission_model=None) -> None:
    """Create or update every role's group with exactly the permissions listed (existing ones only)."""
    if group_model is None:
        from django.contrib.auth.models import Group as group_model  # noqa: N813
        from django.contrib.auth.models import Permission as permission_model  # noqa: N813
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role.group_name)
        wanted = role_permissions(role.key)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def role_group_name(role_key: str) -> str:
    return ROLES_BY_KEY[role_key].group_name


# The attribute on the user object that holds its groups once read. request.user is built anew
# for each request, so the cache lives exactly one request (as Django's own _perm_cache does).
_GROUPS_CACHE = "_zhiku_groups"


def user_groups(user) -> dict[int, str]:
    """The user's groups as {id: name}, read with one query the first time and cached on ``user``:
    building the admin's app list asks for roles a dozen times per page."""
    cached = getattr(user, _GROUPS_CACHE, None)
    if cached is None:
        cached = dict(user.groups.values_list("pk", "name")) if user.pk else {}
        setattr(user, _GROUPS_CACHE, cached)
    return cached


def user_group_ids(user):
    """The user's group ids for a filter: the ids already read with the permissions (no query of
    their own), else a subquery (a superuser's groups are not read with permissions)."""
    cached = getattr(user, _GROUPS_CACHE, None)
    return list(cached) if cached is not None else user.groups.values("pk")


def user_groups_remember(user, groups: dict[int, str]) -> None:
    """Cache groups read elsewhere (the auth backend reads them with their permissions)."""
    setattr(user, _GROUPS_CACHE, groups)


def user_groups_forget(user) -> None:
    """Drop the cached groups and the permissions that came with them (after the user's groups
    were changed in the same request or test)."""
    for attribute in (_GROUPS_CACHE, "_group_perm_cache", "_user_perm_cache", "_perm_cache", "_zhiku_permissions"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def user_in_group(user, group_id: int) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return group_id in user_groups(user)


def user_has_role(user, role_key: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return ROLES_BY_KEY[role_key].group_name in user_groups(user).values()
