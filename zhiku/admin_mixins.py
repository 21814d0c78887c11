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


def record_formset_changes(formset) -> None:
    """Note on ``formset`` what ``formset.save()`` would have noted, for the admin's change message,
    when the admin saved the rows through services instead of ``formset.save()``."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        if form in formset.deleted_forms:
            if form.instance.pk:
                formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            if form.instance.pk:
                formset.changed_objects.append((form.instance, form.changed_data))
            else:
                formset.new_objects.append(form.instance)
