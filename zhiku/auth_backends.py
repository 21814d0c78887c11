"""Django's model backend, reading a user's groups and their permissions in one query.

Every admin page asks for permissions (two queries in Django's backend: the user's own, the
groups') and for roles (zhiku.roles: the group names). Here the group query brings the group
names along, and both are cached on the user object for the rest of the request.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.shortcuts import render

from zhiku import roles


class ModelBackendWithRoles(ModelBackend):
    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        if not hasattr(user_obj, "_group_perm_cache"):
            rows = Group.objects.filter(user=user_obj).values_list(
                "pk", "name", "permissions__content_type__app_label", "permissions__codename"
            )
            groups, permissions = {}, set()
            for group_id, name, app_label, codename in rows:
                groups[group_id] = name
                if codename is not None:
                    permissions.add("%s.%s" % (app_label, codename))
            roles.user_groups_remember(user_obj, groups)
            user_obj._group_perm_cache = permissions
        return user_obj._group_perm_cache


def client_ip(request) -> str | None:
    """The client's address for login throttling (django-axes): behind TRUSTED_PROXY_COUNT proxies
    that append to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for), the entry the first of
    them added; entries further left are whatever the client sent and are not trusted."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page, in Chinese, naming the limit and the wait (HTTP 429)."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "zhiku/lockout.html", context, status=429)
