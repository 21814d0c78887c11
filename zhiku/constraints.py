"""Database constraints written once: each carries the message a refused form or save shows
(a constraint without one would show Django's English default).

Plain functions that return Django's own constraints, so the migrations see exactly the
constraint that would be written out by hand. ``unique`` and ``positive`` name their constraint
after the model and the fields (``briefs_issue_series_total_number_unique``), through Django's
``%(app_label)s_%(class)s`` interpolation: one naming rule, and a constraint copied to another
model cannot keep the first model's name. A ``check`` is named by what it checks.
"""

from django.db import models
from django.db.models import Q

_MODEL = "%(app_label)s_%(class)s"


def check(condition: Q, name: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def unique(fields, message, *, condition: Q | None = None, name: str = "") -> models.UniqueConstraint:
    """``fields`` together once (among the rows that match ``condition``, if given).

    A ``name`` is given where the derived one would not say what is kept apart (a condition)
    or would pass PostgreSQL's 63-character limit.
    """
    name = name or f"{_MODEL}_{'_'.join(fields)}_unique"
    return models.UniqueConstraint(fields=fields, condition=condition, name=name, violation_error_message=message)


def positive(field: str, message, *, or_empty: bool = False) -> models.CheckConstraint:
    """``field`` greater than zero; with ``or_empty``, NULL too (a figure not given)."""
    condition = Q(**{f"{field}__gt": 0})
    if or_empty:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return check(condition, f"{_MODEL}_{field}_positive", message)
