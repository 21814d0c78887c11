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


def user_stamp_field(verbose_name, **options) -> models.ForeignKey:
    """Who did something (created, recorded, tagged): optional, and kept if the login is removed.

    A function, not an abstract model: each model keeps its own field name and label, and the
    migrations see a plain ForeignKey, exactly as if it were written out.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )
