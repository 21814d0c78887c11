"""Admin building blocks shared by the apps (imports no app of ours)."""

from django.db.models import Q


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


class CheckedFormAdminMixin:
    """For an admin whose form needs a check a plain ModelForm cannot make, because it depends on
    who submits it or on the object being changed (permission, the issue's state). The admin
    writes ``check_form``; it runs inside the form's ``clean``, so a refusal is shown on the form
    like any other validation error instead of failing later in ``save_model``."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        check, user = self.check_form, request.user

        class CheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                check(self, cleaned, user=user, obj=obj)
                return cleaned

        return CheckedForm

    def check_form(self, form, cleaned_data, *, user, obj) -> None:
        """Raise ValidationError, or add errors to ``form``, to refuse what ``user`` submitted."""
        raise NotImplementedError


class ActiveChoicesAdminMixin:
    """A retired row (``is_active`` off) is not offered in the pickers of other pages (Django's
    autocomplete view, which asks this admin's search); this admin's own list and the records
    that already name the row still show it. ``active_choices`` says what "still in use" means."""

    active_choices = Q(is_active=True)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.resolver_match is not None and request.resolver_match.url_name == "autocomplete":
            queryset = queryset.filter(self.active_choices)
        return queryset, may_have_duplicates
