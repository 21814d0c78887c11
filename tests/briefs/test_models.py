"""Integrity of series, issues and articles lives in the database and gives Chinese messages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import IssueFactory, NumberedIssueFactory, SeriesFactory


@pytest.mark.django_db
def test_duplicate_total_number_is_refused_with_chinese_message():
    """Two issues of one series cannot share 总期号; full_clean says so in Chinese."""
    series = SeriesFactory()
    NumberedIssueFactory(series=series, year=2024, number=2, total_number=117)
    duplicate = IssueFactory.build(series=series, year=2025, number=1, total_number=117, responsible_editor=None)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "总期号不能重复" in str(excinfo.value)
    # Past the model's guard (as the workflow saves), the database constraint still refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(transition=True)


@pytest.mark.django_db
def test_duplicate_number_in_year_is_refused():
    """The historical loader validates first: a duplicate 第N期 gets a Chinese message, not a
    database error, and nothing is written."""
    series = SeriesFactory()
    NumberedIssueFactory(series=series, year=2024, number=2, total_number=117)
    with pytest.raises(ValidationError) as excinfo:
        NumberedIssueFactory(series=series, year=2024, number=2, total_number=118)
    assert excinfo.value.messages == ["该刊物本年度已有这一期号，期号不能重复。"]
    assert series.issues.count() == 1


@pytest.mark.django_db
def test_same_number_in_another_series_is_fine():
    NumberedIssueFactory(series=SeriesFactory(), year=2024, number=2, total_number=117)
    NumberedIssueFactory(series=SeriesFactory(), year=2024, number=2, total_number=117)


@pytest.mark.django_db
def test_negative_or_zero_print_run_is_refused():
    """A print run must be positive: the form says so in Chinese, the database enforces it."""
    issue = IssueFactory.build(series=SeriesFactory(), print_run=0, responsible_editor=None)
    with pytest.raises(ValidationError) as excinfo:
        issue.full_clean()
    assert "印数必须是正整数" in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        issue.save()


def test_negative_print_run_cannot_even_be_typed():
    from briefs.models import Issue

    field = Issue._meta.get_field("print_run")
    with pytest.raises(ValidationError) as excinfo:
        field.clean(-5, None)
    assert "大于或等于0" in str(excinfo.value) or "大于或等于 0" in str(excinfo.value)
