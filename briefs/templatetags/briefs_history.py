"""History pages in words people read: field labels, choice labels, people's names, rich text as
text (django-simple-history shows field names and raw values)."""

from django import template
from django.contrib.auth import get_user_model
from django.db import models
from django.template.defaultfilters import truncatechars
from django.utils import formats
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

register = template.Library()


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _value(field, value) -> str:
    if value is None or value == "":
        return "—"
    if getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return "—"
        return person_name(related) if isinstance(related, get_user_model()) else str(related)
    if isinstance(field, models.DateTimeField | models.DateField):
        return formats.localize(value)
    if isinstance(field, models.TextField):
        # Rich text as the words it holds, never as markup.
        return truncatechars(" ".join(strip_tags(str(value)).split()), 80) or "—"
    return str(value)


@register.simple_tag
def history_changes(record) -> list[dict]:
    """What changed in ``record`` against the version before it, as [{"label", "old", "new"}]:
    field labels, choice labels, people's names, rich text as text."""
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous, foreign_keys_are_objs=False)
    model = record.instance_type
    shown = []
    for change in delta.changes:
        try:
            field = model._meta.get_field(change.field)
        except Exception:  # noqa: BLE001 - a field since removed: its name as recorded
            shown.append({"label": change.field, "old": change.old, "new": change.new})
            continue
        shown.append(
            {"label": str(field.verbose_name), "old": _value(field, change.old), "new": _value(field, change.new)}
        )
    return shown


@register.filter
def history_person(user) -> str:
    return person_name(user)
