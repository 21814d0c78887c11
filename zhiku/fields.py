"""Model fields shared by the apps."""

from django.conf import settings
from django.db import models
from django_ckeditor_5.fields import CKEditor5Field

from zhiku.sanitizer import sanitize_html


class SanitizedRichTextField(CKEditor5Field):
    """A CKEditor 5 body that is sanitised every time a model instance is saved.

    Services sanitise too; doing it again at the field means no ORM save path (admin inline,
    import, shell) can store markup outside the allowlist. ``QuerySet.update()`` bypasses
    ``pre_save``, so services never use it for bodies.
    """

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def _user_field(verbose_name, on_delete, **options) -> models.ForeignKey:
    # related_name="+": nobody asks a user for the records that name them.
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose_name, on_delete=on_delete, related_name="+", **options
    )


def user_stamp_field(verbose_name, **options) -> models.ForeignKey:
    """Who did something (created, recorded, tagged): optional, and kept if the login is removed.

    A function, not an abstract model: each model keeps its own field name and label, and the
    migrations see a plain ForeignKey, exactly as if it were written out.
    """
    return _user_field(verbose_name, models.SET_NULL, null=True, blank=True, **options)


def stamp_fields(by_label, at_label) -> tuple[models.ForeignKey, models.DateTimeField]:
    """Who added a row and when (created, recorded, tagged, imported): a ``user_stamp_field`` and
    the time, set when the row is added. Unpack them into the two names the model uses::

        created_by, created_at = stamp_fields(_("Recorded by"), _("Recorded at"))
    """
    return user_stamp_field(by_label), models.DateTimeField(at_label, auto_now_add=True)


def optional_link(to, verbose_name, **options) -> models.ForeignKey:
    """A reference that may be left empty; the row it names cannot be deleted while it is named
    (PROTECT), so a record never silently loses what it points at."""
    return models.ForeignKey(to, verbose_name=verbose_name, on_delete=models.PROTECT, null=True, blank=True, **options)


def user_actor_field(verbose_name, **options) -> models.ForeignKey:
    """The person a record is evidence of (who acted in the workflow, signed, commented, holds a
    stage): a login named here cannot be deleted (deactivate it instead). Like
    ``user_stamp_field``, a plain ForeignKey to the migrations."""
    return _user_field(verbose_name, models.PROTECT, **options)
