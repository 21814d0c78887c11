"""Admin building blocks shared by the apps (imports no app of ours)."""


class ReadOnlyAdminMixin:
    """For records that only services write (events, snapshots, ledgers): nobody adds, changes or
    deletes them through the admin, superusers included; viewing stays with the view permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
