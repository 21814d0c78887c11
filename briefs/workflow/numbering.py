"""第N期 / 总第M期: numbers given at 签发, unique per series, without gaps.

Numbers are assigned under a lock on the series row, so two sign-offs of one series queue. A
revoked sign-off gives its numbers back only when no later issue holds higher ones (no gap);
otherwise the issue keeps them reserved and gets them again when it is signed again.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.utils import timezone

from ..models import Issue, Series


@dataclass(frozen=True)
class NumberPreview:
    year: int
    number: int
    total_number: int
    reserved: bool  # True when the issue already holds these numbers


def _next_numbers(series_id: int, year: int) -> tuple[int, int]:
    numbered = Issue.objects.filter(series_id=series_id)
    number = (numbered.filter(year=year).aggregate(m=Max("number"))["m"] or 0) + 1
    total = (numbered.aggregate(m=Max("total_number"))["m"] or 0) + 1
    return number, total


def _lock_series(series_id: int) -> None:
    # The series row lock serialises sign-offs of one series on PostgreSQL; SQLite's IMMEDIATE
    # transactions already allow one writer at a time. Reading the maxima after taking the lock
    # (READ COMMITTED: a fresh snapshot per statement) sees every earlier sign-off.
    Series.objects.select_for_update().filter(pk=series_id).first()


def issue_number_preview(issue: Issue, on: date | None = None) -> NumberPreview:
    """The numbers ``issue`` would get if it were signed on ``on`` (today by default)."""
    if issue.total_number is not None:
        return NumberPreview(issue.year, issue.number, issue.total_number, True)
    on = on or timezone.localdate()
    number, total = _next_numbers(issue.series_id, on.year)
    return NumberPreview(on.year, number, total, False)


def assign_numbers(issue: Issue, on: date) -> None:
    """Give ``issue`` its numbers (unless it holds reserved ones) and its date (unless set)."""
    _lock_series(issue.series_id)
    if issue.total_number is None:
        issue.year = on.year
        issue.number, issue.total_number = _next_numbers(issue.series_id, on.year)
    if issue.issue_date is None:
        issue.issue_date = on


def release_numbers_if_latest(issue: Issue) -> bool:
    """Clear a voided sign-off's numbers when no later issue holds higher ones (no gap appears)."""
    _lock_series(issue.series_id)
    others = Issue.objects.filter(series_id=issue.series_id).exclude(pk=issue.pk)
    later_total = others.filter(total_number__gt=issue.total_number).exists()
    later_number = others.filter(year=issue.year, number__gt=issue.number).exists()
    if later_total or later_number:
        return False
    issue.year = issue.number = issue.total_number = None
    return True
