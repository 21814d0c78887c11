"""What the briefs services record besides the content: the history row names the actor on every
path (outside a request too, where django-simple-history's middleware names nobody), and a signed
issue's archive is recorded only while the issue is frozen, by the first of two writers."""

import pytest

from briefs import services
from briefs.models import Issue
from tests.factories import IssueFactory, NumberedIssueFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db


def test_the_history_row_names_the_actor_outside_a_request():
    editor = role_user(roles.EDITOR, username="editor-history")
    issue = IssueFactory()
    services.issue_update(issue=issue, seen_version=issue.version, user=editor, subject="新质生产力专题")
    latest = Issue.objects.get(pk=issue.pk).history.first()
    assert (latest.subject, latest.history_user) == ("新质生产力专题", editor)


def test_the_archive_is_not_recorded_on_an_issue_that_is_not_frozen():
    draft = IssueFactory()
    wrote = services.issue_archive_record(
        issue_id=draft.pk, expected={"archived_pdf": ""}, archived_pdf="archive/2024/draft.pdf"
    )
    assert wrote is False
    assert Issue.objects.get(pk=draft.pk).archived_pdf.name == ""


def test_of_two_archive_writers_the_first_wins():
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED)
    first = services.issue_archive_record(
        issue_id=issue.pk, expected={"archived_pdf": ""}, archived_pdf="archive/2024/first.pdf"
    )
    second = services.issue_archive_record(
        issue_id=issue.pk, expected={"archived_pdf": ""}, archived_pdf="archive/2024/second.pdf"
    )
    assert (first, second) == (True, False)
    assert Issue.objects.get(pk=issue.pk).archived_pdf.name == "archive/2024/first.pdf"
