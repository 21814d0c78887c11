"""Copy ledger rules: when a rule covers an issue (its series, optionally one classification),
its copies are numbered 001…N before 印发. 签发 numbers them from the frozen snapshot; otherwise
the admin action does; the release guard refuses 印发 in Chinese until they are."""

import pytest
from django.urls import reverse

from briefs import workflow
from briefs.exceptions import TransitionNotAllowed
from briefs.extensions import transition_guard_errors
from briefs.models import Issue
from circulation import selectors, services
from circulation.models import Copy, DistributionGroup, GroupMember, IssueDistribution, LedgerRule
from tests.factories import (
    ArticleFactory,
    DistributionListFactory,
    IssueFactory,
    RecipientFactory,
    SeriesFactory,
    role_user,
)
from zhiku import roles

pytestmark = pytest.mark.django_db

NOT_NUMBERED = "须先编份号"


@pytest.fixture
def people(db):
    keys = [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION]
    return {key: role_user(key, username="ledger-" + key) for key in keys}


@pytest.fixture
def series(db):
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    return series


def _distributed_issue(series, people, *, classification=""):
    """A draft with an article and a distribution of 2 + 1 copies, 1 archive, 2 reserve (共印 6)."""
    issue = IssueFactory(series=series, created_by=people[roles.EDITOR], classification=classification, print_run=None)
    ArticleFactory(issue=issue)
    dlist = DistributionListFactory()
    group = DistributionGroup.objects.create(distribution_list=dlist, section=1, position=1)
    GroupMember.objects.create(group=group, recipient=RecipientFactory(default_copies=2), position=1)
    GroupMember.objects.create(group=group, recipient=RecipientFactory(default_copies=1), position=2)
    services.issue_distribution_set(
        issue=issue, lists=[dlist], archive_copies=1, reserve_copies=2, user=people[roles.CIRCULATION]
    )
    return issue


def _sign(issue, people):
    for action, key in (
        ("submit", roles.EDITOR),
        ("approve", roles.CHIEF_EDITOR),
        ("approve", roles.REVIEWER),
        ("sign_off", roles.SIGNER),
    ):
        workflow.issue_transition(issue=issue, action=action, user=people[key], comment="理由")
    return issue


def test_rule_applies_by_series_and_classification(series, people):
    """A rule with a classification covers only issues of that 密级; an empty one covers the series."""
    secret = _distributed_issue(series, people, classification=Issue.Classification.SECRET)
    plain = _distributed_issue(series, people)
    LedgerRule.objects.create(series=series, classification=Issue.Classification.SECRET)
    assert selectors.ledger_applies(secret) and not selectors.ledger_applies(plain)
    LedgerRule.objects.create(series=series, classification="")
    assert selectors.ledger_applies(plain)
    assert not selectors.ledger_applies(_distributed_issue(SeriesFactory(), people))


def test_sign_off_numbers_the_copies_when_a_rule_applies(series, people):
    """Signing an issue a rule covers numbers its copies 001…006 from the frozen snapshot (the
    first recipient 001-002, the second 003, then archive and reserve); 印发 then goes through."""
    LedgerRule.objects.create(series=series)
    issue = _sign(_distributed_issue(series, people), people)
    first, second = [e.printed_name for e in selectors.issue_distribution(issue).entries]
    assert list(Copy.objects.filter(issue=issue).values_list("serial", "printed_name")) == [
        (1, first),
        (2, first),
        (3, second),
        (4, ""),
        (5, ""),
        (6, ""),
    ]
    assert [row.copy_numbers for row in selectors.dispatch_rows(issue)] == ["001-002", "003"]
    workflow.issue_transition(issue=issue, action="release", user=people[roles.CIRCULATION])
    assert issue.status == Issue.Status.RELEASED


def test_sign_off_numbers_nothing_without_a_rule(series, people):
    """Without a rule no copy is numbered at 签发, and 印发 is not held up for the ledger."""
    LedgerRule.objects.create(series=series, classification=Issue.Classification.SECRET)
    issue = _sign(_distributed_issue(series, people), people)
    assert not Copy.objects.filter(issue=issue).exists()
    assert transition_guard_errors("release", issue=issue, user=people[roles.CIRCULATION]) == []


def test_release_refused_until_numbered_then_admin_action_numbers(client, series, people):
    """A rule added after 签发: 印发 is refused with a Chinese message naming the admin action; the
    distribution page shows the same message; the action numbers the copies; 印发 then succeeds."""
    clerk = people[roles.CIRCULATION]
    issue = _sign(_distributed_issue(series, people), people)
    LedgerRule.objects.create(series=series)
    with pytest.raises(TransitionNotAllowed) as exc:
        workflow.issue_transition(issue=issue, action="release", user=clerk)
    assert NOT_NUMBERED in exc.value.message and "编份号（001…N）" in exc.value.message
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SIGNED

    client.force_login(clerk)
    dist = IssueDistribution.objects.get(issue=issue)
    page = client.get(reverse("admin:circulation_issuedistribution_change", args=[dist.pk])).content.decode()
    assert NOT_NUMBERED in page
    response = client.post(
        reverse("admin:circulation_issuedistribution_changelist"),
        {"action": "number_copies", "_selected_action": [dist.pk]},
    )
    assert response.status_code == 302
    assert Copy.objects.filter(issue=issue).count() == 6
    issue = Issue.objects.get(pk=issue.pk)
    workflow.issue_transition(issue=issue, action="release", user=clerk)
    assert issue.status == Issue.Status.RELEASED


def test_release_refused_when_numbered_copies_do_not_match_the_print_run(series, people):
    """Copies numbered for an earlier print run (a revoked and re-signed issue whose run grew):
    the guard names both figures."""
    clerk = people[roles.CIRCULATION]
    LedgerRule.objects.create(series=series)
    issue = _sign(_distributed_issue(series, people), people)
    Copy.objects.filter(issue=issue, serial=6).delete()
    errors = transition_guard_errors("release", issue=issue, user=clerk)
    assert errors == ["已编份号 5 份，但共印 6 份。"]


def test_numbering_at_sign_off_is_a_no_op_when_already_numbered(series, people):
    """Copies numbered before 签发 are kept as they are; the sign-off adds none."""
    clerk = people[roles.CIRCULATION]
    LedgerRule.objects.create(series=series)
    issue = _distributed_issue(series, people)
    first = services.copies_number(issue=issue, user=clerk)
    _sign(issue, people)
    assert list(Copy.objects.filter(issue=issue).values_list("pk", flat=True)) == [c.pk for c in first]
