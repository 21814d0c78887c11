"""The admin site, with the app list built once per kind of user instead of on every page.

Django builds the app list (every registered model admin asked for its module and model
permissions, a URL reversed for each) twice on the index and once on every other admin page, for
the navigation sidebar: about a quarter of the index page's time. What it shows depends only on
what the user may do — active/staff/superuser, the permissions and the role groups (some admins
ask for a role, e.g. circulation's) — so it is kept per process, keyed by exactly those, which are
read fresh on every request: a change of permissions or groups shows on the next page.

Imports no app of ours.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language

from zhiku import roles

# Distinct kinds of user seen by one process (roles × a few hand-given permissions); the cache is
# emptied when it grows past this rather than kept in order.
APP_LIST_CACHE_SIZE = 256


def permission_key(user) -> tuple:
    """What the admin's app list can depend on for ``user``."""
    flags = (user.is_active, user.is_staff, user.is_superuser)
    if user.is_active and user.is_superuser:
        return flags  # every permission and every role: nothing else to tell apart
    return (*flags, frozenset(user.get_all_permissions()), frozenset(roles.user_groups(user).values()))


class ZhikuAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists: dict[tuple, list] = {}

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # an app's own index page: built as Django does
            return super().get_app_list(request, app_label)
        key = (permission_key(request.user), get_language(), get_script_prefix())
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= APP_LIST_CACHE_SIZE:
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request)
        # A copy of the lists and dicts a caller might reorder or change (the model classes and
        # lazy names are shared).
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]


def rendered_app_list(request, app_list, show_changelinks: bool) -> str:
    """admin/app_list.html for ``app_list`` (the index's list, or the sidebar's on every other page),
    kept per kind of user as the list is. Besides the list, the HTML depends only on which of its
    links the page's path contains (the current app and model are marked), so that is the key."""
    path = urlencode(request.path)  # as the template compares
    links = [url for app in app_list for url in (app["app_url"], *(m["admin_url"] for m in app["models"]))]
    key = (
        permission_key(request.user),
        get_language(),
        get_script_prefix(),
        show_changelinks,
        tuple(app["app_label"] for app in app_list),  # the order the role's start page chose
        tuple(url for url in links if url and url in path),
    )
    html = _app_list_html.get(key)
    if html is None:
        if len(_app_list_html) >= APP_LIST_CACHE_SIZE:
            _app_list_html.clear()
        context = {"app_list": app_list, "show_changelinks": show_changelinks}
        html = _app_list_html[key] = render_to_string("admin/app_list.html", context, request=request)
    return html


_app_list_html: dict[tuple, str] = {}


class ZhikuAdminConfig(AdminConfig):
    default_site = "zhiku.admin_site.ZhikuAdminSite"
