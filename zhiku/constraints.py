"""Database constraints written once: each carries the message a refused form or save shows
(a constraint without one would show Django's English default).

Plain functions that return Django's own constraints, so the migrations see exactly the
constraint that would be written out by hand.
"""

from django.db import models
from django.db.models import Q


def check(condition: Q, name: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def unique(fields, name: str, message, *, condition: Q | None = None) -> models.UniqueConstraint:
    """``fields`` together once (among the rows that match ``condition``, if given)."""
    return models.UniqueConstraint(fields=fields, condition=condition, name=name, violation_error_message=message)


def positive(field: str, name: str, message, *, or_empty: bool = False) -> models.CheckConstraint:
    """``field`` greater than zero; with ``or_empty``, NULL too (a figure not given)."""
    condition = Q(**{f"{field}__gt": 0})
    if or_empty:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return check(condition, name, message)
