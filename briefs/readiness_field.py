"""The series' choice of readiness items that block 签发, stored as comma-separated keys.

A plain CharField in the database (portable, diffable in history) that the admin edits as
checkboxes. The keys are those of ``briefs.readiness``; circulation's items are named here as
strings only, so briefs still imports nothing of circulation.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

READINESS_ITEMS = (
    ("distribution", _("Distribution chosen and reconciled")),
    ("bao_line", _("报 line not empty")),
    ("responsible_editor", _("Responsible editor set")),
    ("articles", _("Every article has a title and a body")),
    ("classification", _("Classification set")),
)
DEFAULT_BLOCKING = ("distribution", "responsible_editor")


class BlockingItems:
    """The chosen keys; prints as their Chinese labels (the admin's read-only view shows str())."""

    def __init__(self, keys=()):
        self.keys = tuple(keys)

    def __iter__(self):
        return iter(self.keys)

    def __contains__(self, key):
        return key in self.keys

    def __len__(self):
        return len(self.keys)

    def __eq__(self, other):
        return list(self) == list(other) if isinstance(other, BlockingItems | list | tuple) else NotImplemented

    def __hash__(self):
        return hash(self.keys)

    def __str__(self):
        labels = dict(READINESS_ITEMS)
        return "、".join(str(labels.get(key, key)) for key in self.keys) or "—"

    def __repr__(self):
        return "BlockingItems(%r)" % (self.keys,)


def default_blocking_checks() -> BlockingItems:
    return BlockingItems(DEFAULT_BLOCKING)


class _ChoicesFormField(forms.MultipleChoiceField):
    def prepare_value(self, value):
        return list(value) if isinstance(value, BlockingItems) else value


class ReadinessChoicesField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, BlockingItems):
            return value
        if value is None or isinstance(value, list | tuple):
            return BlockingItems(value or ())
        return BlockingItems(key for key in str(value).split(",") if key)

    def get_prep_value(self, value):
        if isinstance(value, BlockingItems | list | tuple):
            return ",".join(value)
        return value

    def pre_save(self, model_instance, add):
        # A form gives a list; keep the attribute a BlockingItems like a loaded instance's.
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        unknown = [key for key in value or [] if key not in dict(READINESS_ITEMS)]
        if unknown:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("Unknown readiness item: %(keys)s"), params={"keys": "、".join(unknown)})

    def formfield(self, **kwargs):
        return _ChoicesFormField(
            choices=READINESS_ITEMS,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
            initial=list(DEFAULT_BLOCKING),
        )
