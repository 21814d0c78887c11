"""Django's model backend, reading a user's groups and their permissions in one query, and keeping
what it read between requests.

Every admin page asks for permissions (two queries in Django's backend: the user's own, the
groups') and for roles (zhiku.roles: the group names). Here the group query brings the group
names along, and both are cached on the user object for the rest of the request. With a cache
every process shares (``SHARED_CACHE``: Redis), the user's own permissions, the groups' and the
group names are also kept there per user, under a generation that every write of a person, a
group, a permission, someone's groups or a group's permissions moves on (when made and at commit):
a permission taken away holds from the next request, in every process. Whether the user is active
or a superuser is always read from the user's row, which each request loads afresh.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.shortcuts import render

from zhiku import roles
from zhiku.generations import Generation

# Moved on by every write that changes someone's permissions (receivers: ZhikuConfig.ready).
PERMISSIONS = Generation("zhiku:permissions:generation")
KEPT_SECONDS = 3600


def _plain(user_obj) -> bool:
    """An active, signed-in user who is no superuser, asked about no object: the case kept here."""
    return user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser


class ModelBackendWithRoles(ModelBackend):
    def _read(self, user_obj) -> tuple[set, set, dict]:
        """(own permissions, the groups' permissions, {group id: name}) from the database."""
        own = super().get_user_permissions(user_obj)
        rows = Group.objects.filter(user=user_obj).values_list(
            "pk", "name", "permissions__content_type__app_label", "permissions__codename"
        )
        groups, permissions = {}, set()
        for group_id, name, app_label, codename in rows:
            groups[group_id] = name
            if codename is not None:
                permissions.add("%s.%s" % (app_label, codename))
        return set(own), permissions, groups

    def _kept(self, user_obj) -> tuple[set, set, dict]:
        """What ``_read`` gives, once per request, and from the shared cache while nothing changed."""
        if not hasattr(user_obj, "_zhiku_permissions"):
            key = None
            kept = None
            if PERMISSIONS.usable():
                key = "zhiku:permissions:%s:%s" % (PERMISSIONS.current(), user_obj.pk)
                kept = cache.get(key)
            if kept is None:
                kept = self._read(user_obj)
                if key:
                    cache.set(key, kept, KEPT_SECONDS)
            own, group_permissions, groups = kept
            roles.user_groups_remember(user_obj, groups)
            user_obj._user_perm_cache = own
            user_obj._group_perm_cache = group_permissions
            user_obj._zhiku_permissions = kept
        return user_obj._zhiku_permissions

    def get_user_permissions(self, user_obj, obj=None):
        if not _plain(user_obj) or obj is not None:
            return super().get_user_permissions(user_obj, obj)
        return self._kept(user_obj)[0]

    def get_group_permissions(self, user_obj, obj=None):
        if not _plain(user_obj) or obj is not None:
            return super().get_group_permissions(user_obj, obj)
        return self._kept(user_obj)[1]


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
