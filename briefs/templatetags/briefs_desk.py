"""Template tags of the issue desk: each role's start page starts with its work."""

from django import template

from zhiku import roles
from zhiku.admin_site import rendered_app_list

register = template.Library()

# The app each role uses most, shown first after 待我处理 (the others follow in the usual order).
MAIN_APP_BY_ROLE = (
    (roles.CIRCULATION, "circulation"),
    (roles.ADMINISTRATOR, "auth"),
    (roles.EDITOR, "briefs"),
    (roles.CHIEF_EDITOR, "briefs"),
    (roles.REVIEWER, "briefs"),
    (roles.SIGNER, "briefs"),
)


def main_app_label(user) -> str:
    if user.is_superuser:
        return "auth"
    # Through zhiku.roles: the groups were already read with the permissions (cached on the user).
    for role_key, app_label in MAIN_APP_BY_ROLE:
        if roles.user_has_role(user, role_key):
            return app_label
    return "briefs"


@register.simple_tag
def apps_for_role(user, app_list):
    """``app_list`` with the user's main app first."""
    main = main_app_label(user)
    return sorted(app_list, key=lambda app: app.get("app_label") != main)


@register.simple_tag(takes_context=True)
def role_app_list(context):
    """The index's app list, the user's main app first, as HTML (kept per kind of user: see
    zhiku.admin_site.rendered_app_list)."""
    request = context["request"]
    app_list = apps_for_role(request.user, context["app_list"])
    return rendered_app_list(request, app_list, show_changelinks=True)
