"""Each copy's ``state`` column (issue 16): the ledger service sets it to the kind of the copy's
newest movement in the same act that adds the movement, so the ledger list and its "not signed
for" filter read one indexed column; the movements stay the truth, and the migration fills the
column from them."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from circulation import selectors, services
from circulation.models import Copy, CopyMovement

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 1, 20)


def _column_matches_movements(issue) -> None:
    copies = Copy.objects.filter(issue=issue)
    truth = selectors.copy_states(copies.values_list("pk", flat=True))
    assert {c.pk: c.state for c in copies} == {c.pk: truth.get(c.pk, "") for c in copies}


def test_every_ledger_write_keeps_the_column(numbered, clerk):
    """Dispatch of all, receipt and return of a range, destruction, one movement through the
    admin's service: after each, every copy's column equals its newest movement's kind."""
    services.copies_dispatch(issue=numbered, date=DAY, user=clerk)
    _column_matches_movements(numbered)
    services.copies_move(issue=numbered, kind="received", serials="006-017", signer="常委办", date=DAY, user=clerk)
    _column_matches_movements(numbered)
    services.copies_move(issue=numbered, kind="returned", serials="007", date=DAY, user=clerk)
    services.copies_move(issue=numbered, kind="destroyed", serials="008", date=DAY, user=clerk)
    services.copy_movement_add(copy=Copy.objects.get(issue=numbered, serial=1), kind="received", signer="市委办",
                               date=DAY, user=clerk)  # fmt: skip
    _column_matches_movements(numbered)
    assert Copy.objects.get(issue=numbered, serial=7).state == "returned"
    assert Copy.objects.filter(issue=numbered, state="received").count() == 12 - 2 + 1


def test_a_copy_sent_again_after_its_return_is_out_again(numbered, clerk):
    """Dispatched, returned, dispatched again: the copy is out and not signed for (its latest
    movement is a dispatch), until it is signed for."""
    for kind in ("dispatched", "returned", "dispatched"):
        services.copies_move(issue=numbered, kind=kind, serials="002", date=DAY, user=clerk)
    assert list(selectors.copies_not_signed_for(numbered).values_list("serial", flat=True)) == [2]
    services.copies_move(issue=numbered, kind="received", serials="002", signer="某某", date=DAY, user=clerk)
    assert not selectors.copies_not_signed_for(numbered).exists()


def test_not_signed_for_filter_lists_the_copies_out(numbered, clerk, client):
    """The ledger's 未签收 filter shows exactly the dispatched copies not signed for."""
    services.copies_move(issue=numbered, kind="dispatched", serials="001-010", date=DAY, user=clerk)
    services.copies_move(issue=numbered, kind="received", serials="001-004", signer="某某", date=DAY, user=clerk)
    client.force_login(clerk)
    response = client.get(reverse("admin:circulation_copy_changelist") + "?receipt=open")
    assert response.status_code == 200
    assert sorted(c.serial for c in response.context["cl"].result_list) == [5, 6, 7, 8, 9, 10]


def test_migration_fills_the_column_from_the_movements(numbered, clerk):
    """Rows written before the column existed (movements only): the data migration gives each
    copy its newest movement's kind, and "" to copies without one."""
    first, second = Copy.objects.filter(issue=numbered).order_by("serial")[:2]
    for copy, kind in [(first, "dispatched"), (first, "received"), (second, "dispatched")]:
        CopyMovement.objects.create(copy=copy, kind=kind, signer="某某", date=DAY)
    assert set(Copy.objects.values_list("state", flat=True)) == {""}
    migration = importlib.import_module("circulation.migrations.0007_copy_state_and_ledger_indexes")
    migration.fill_states(django_apps, None)
    _column_matches_movements(numbered)
    assert Copy.objects.get(pk=first.pk).state == "received"
