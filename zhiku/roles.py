"""Roles as Django groups, kept in code. ``sync_roles`` makes the groups and their permissions
match this table; a data migration and ``load_demo`` call it.

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


VIEW_BRIEFS = ("briefs.view_series", "briefs.view_issue", "briefs.view_article", "briefs.view_editor")

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
        VIEW_BRIEFS
        + (
            "briefs.add_issue",
            "briefs.change_issue",
            "briefs.add_article",
            "briefs.change_article",
            "briefs.delete_article",
        ),
    ),
    Role(
        CHIEF_EDITOR,
        "责任编辑",
        _("Owns an issue; first review"),
        VIEW_BRIEFS
        + (
            "briefs.add_issue",
            "briefs.change_issue",
            "briefs.add_article",
            "briefs.change_article",
            "briefs.delete_article",
        ),
    ),
    Role(REVIEWER, "审核", _("Second review"), VIEW_BRIEFS),
    Role(SIGNER, "签发", _("Final review and sign-off"), VIEW_BRIEFS),
    Role(
        CIRCULATION, "发行", _("Recipients, distribution, print run, copy numbers, receipts, instructions"), VIEW_BRIEFS
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


def user_has_role(user, role_key: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=ROLES_BY_KEY[role_key].group_name).exists()
