"""The accounts admin (auth's User and Group) with permissions named in Chinese.

Django stores permission names in English at migrate time ("Can add issue"); the group and user
pages list them as they are stored. Here the label is rebuilt when shown: the four default
permissions from the model's translated verbose name, custom ones through the catalogue of the
app that declares them (their names are gettext_lazy strings in the model's Meta).

Imports no app of ours: permissions are read through their content types.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhiku.models import LoginLockout

DEFAULT_PERMISSION_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission) -> str:
    """ "简报编辑 | 期 | 可查看期" for briefs.view_issue; custom permissions by their translated name."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSION_LABELS and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSION_LABELS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return "%s | %s" % (permission.content_type, name)


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            # One query for all labels: permission_label reads each permission's content type.
            queryset = kwargs.get("queryset", db_field.remote_field.model.objects)
            kwargs["queryset"] = queryset.select_related("content_type")
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class ZhikuGroupAdmin(PermissionLabelsMixin, GroupAdmin):
    pass


class ZhikuUserAdmin(PermissionLabelsMixin, UserAdmin):
    pass


for model, model_admin in ((Group, ZhikuGroupAdmin), (User, ZhikuUserAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Failed logins per username and address (django-axes). Deleting a row unlocks at once."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    # The form data axes keeps (GET/POST, passwords masked) and the browser string stay out of view.
    fields = ["username", "ip_address", "failures_since_start", "attempt_time"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
