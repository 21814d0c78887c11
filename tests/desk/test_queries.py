"""Query counts of the desk's reads do not grow with the number of comments or events."""

import pytest

from briefs.desk import selectors, services
from briefs.models import Issue

from .conftest import C, E, act


def _comment(issue, people, n):
    comment = services.comment_add(issue=issue, user=people[C], quote="深圳把发展", body=f"批注{n}")
    services.comment_answer(comment=comment, user=people[E], body=f"回复{n}")


@pytest.mark.django_db
def test_comment_threads_and_timeline_cost_the_same_for_one_or_ten(issue, people, django_assert_num_queries):
    act(issue, people, "submit", E)
    _comment(issue, people, 0)
    issue = Issue.objects.select_related("series").get(pk=issue.pk)  # as the desk view loads it
    with django_assert_num_queries(2):
        assert len(selectors.comment_threads(issue)) == 1
    with django_assert_num_queries(2):
        assert len(selectors.issue_timeline_entries(issue)) == 1
    for n in range(1, 10):
        _comment(issue, people, n)
    act(issue, people, "approve", C, "同意")
    with django_assert_num_queries(2):
        threads = selectors.comment_threads(issue)
        assert [len(t.answers.all()) for t in threads] == [1] * 10
    with django_assert_num_queries(2):
        assert len(selectors.issue_timeline_entries(issue)) == 2
