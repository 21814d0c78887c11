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


def user_actor_field(verbose_name, **options) -> models.ForeignKey:
    """The person a record is evidence of (who acted in the workflow, signed, commented, holds a
    stage): a login named here cannot be deleted (deactivate it instead). Like
    ``user_stamp_field``, a plain ForeignKey to the migrations."""
    return _user_field(verbose_name, models.PROTECT, **options)
