"""Races: two people acting on one issue at once, two issues signed at once. Exactly one transition
wins per issue, the losers get a Chinese message, and numbers stay unique and consecutive.

The threaded tests run real concurrent transactions on both databases: on PostgreSQL the row locks
decide, on SQLite (a file database in tests, WAL + IMMEDIATE) the write lock makes the second
transaction wait and then see the first one's result. The sequential versions run too.
"""

import threading

import pytest
from django.db import connections

from briefs import workflow
from briefs.exceptions import TransitionNotAllowed
from briefs.models import Issue, IssueEvent
from tests.factories import ArticleFactory, IssueFactory, SeriesFactory, role_user
from zhiku import roles


def _setup(count: int):
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    editor = role_user(roles.EDITOR, username="editor")
    chief = role_user(roles.CHIEF_EDITOR, username="chief")
    reviewer = role_user(roles.REVIEWER, username="reviewer")
    leaders = [role_user(roles.SIGNER, username=f"leader{i}") for i in range(2)]
    issues = []
    for _ in range(count):
        issue = IssueFactory(series=series, created_by=editor)
        ArticleFactory(issue=issue)
        for action, user in (("submit", editor), ("approve", chief), ("approve", reviewer)):
            workflow.issue_transition(issue=issue, action=action, user=user)
        issues.append(issue)
    return series, issues, leaders


def _run_concurrently(jobs):
    """Run callables in threads released together; return their results (value or exception)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _sign(issue_pk, user):
    return lambda: workflow.issue_transition(issue=Issue.objects.get(pk=issue_pk), action="sign_off", user=user)


@pytest.mark.django_db(transaction=True)
def test_two_leaders_sign_the_same_issue_at_once():
    """Two leaders press 签发 on one issue at the same moment: one wins, the other is told in Chinese."""
    series, (issue,), leaders = _setup(1)
    results = _run_concurrently([_sign(issue.pk, leader) for leader in leaders])
    wins = [r for r in results if isinstance(r, Issue)]
    losses = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "已签发" in losses[0].message
    assert IssueEvent.objects.filter(issue=issue, action="sign_off").count() == 1
    assert Issue.objects.get(pk=issue.pk).total_number == 1


@pytest.mark.django_db(transaction=True)
def test_many_issues_signed_at_once_get_unique_consecutive_numbers():
    """Four issues of one series signed concurrently get 总第1–4期 and 第1–4期, no gap, no duplicate."""
    series, issues, leaders = _setup(4)
    results = _run_concurrently([_sign(issue.pk, leaders[i % 2]) for i, issue in enumerate(issues)])
    assert all(isinstance(r, Issue) for r in results), results
    numbers = sorted(Issue.objects.filter(series=series).values_list("number", "total_number"))
    assert numbers == [(1, 1), (2, 2), (3, 3), (4, 4)]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approve_the_same_stage_at_once():
    """Two 审核 members approve 复审 together: one approval is recorded, the other is refused."""
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    editor = role_user(roles.EDITOR, username="editor")
    chief = role_user(roles.CHIEF_EDITOR, username="chief")
    reviewers = [role_user(roles.REVIEWER, username=f"reviewer{i}") for i in range(2)]
    issue = IssueFactory(series=series, created_by=editor)
    ArticleFactory(issue=issue)
    workflow.issue_transition(issue=issue, action="submit", user=editor)
    workflow.issue_transition(issue=issue, action="approve", user=chief)
    stage = issue.current_stage_id

    def approve(user):
        return lambda: workflow.issue_transition(
            issue=Issue.objects.get(pk=issue.pk), action="approve", user=user, expected_stage_id=stage
        )

    results = _run_concurrently([approve(r) for r in reviewers])
    assert sum(isinstance(r, Issue) for r in results) == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    assert IssueEvent.objects.filter(issue=issue, action="approve", stage_id=stage).count() == 1


@pytest.mark.django_db
def test_sequential_double_sign_off_and_numbers_on_any_database():
    """The same races played one after the other: the second 签发 is refused, numbers are consecutive."""
    series, issues, leaders = _setup(3)
    _sign(issues[0].pk, leaders[0])()
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _sign(issues[0].pk, leaders[1])()
    assert "已签发" in excinfo.value.message
    _sign(issues[1].pk, leaders[1])()
    _sign(issues[2].pk, leaders[0])()
    numbers = sorted(Issue.objects.filter(series=series).values_list("number", "total_number"))
    assert numbers == [(1, 1), (2, 2), (3, 3)]
