"""Workflow emails: the subject names the issue and the action; the body lists the articles, the
comment and an absolute link to the issue's desk page (SITE_URL + briefs:issue_desk)."""

import pytest
from django.core import mail
from django.urls import reverse

from briefs import workflow
from briefs.models import Notification
from briefs.workflow import Action
from tests.factories import ArticleFactory, IssueFactory, SeriesFactory, role_user
from zhiku import roles


@pytest.mark.django_db
def test_request_changes_mail_names_issue_action_articles_comment_and_desk_link(
    settings, django_capture_on_commit_callbacks
):
    """退回修改 at 初审: the submitter gets one mail, exactly as below, and it is logged."""
    settings.SITE_URL = "https://zhiku.example.org"
    series = SeriesFactory()
    editor = role_user(roles.EDITOR, username="mail-editor", first_name="李编辑")
    chief = role_user(roles.CHIEF_EDITOR, username="mail-chief", first_name="郭书颖")
    issue = IssueFactory(series=series, created_by=editor)
    ArticleFactory(issue=issue, title="深圳五大举措厚植新质生产力", position=1)
    ArticleFactory(issue=issue, title="苏州的对策", position=2)
    workflow.issue_submit(issue=issue, user=editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_transition(issue=issue, action=Action.REQUEST_CHANGES, user=chief, comment="数据需核实")
    [sent] = mail.outbox
    desk = "https://zhiku.example.org" + reverse("briefs:issue_desk", args=[issue.pk])
    assert sent.to == ["mail-editor@example.com"]
    assert sent.subject == f"{issue}：退回修改"
    assert sent.body == (
        f"{issue}\n"
        "操作：退回修改（郭书颖）\n"
        "状态：草稿\n"
        "意见：数据需核实\n"
        "\n"
        "文章：\n"
        "1. 深圳五大举措厚植新质生产力\n"
        "2. 苏州的对策\n"
        "\n"
        f"打开本期：{desk}\n"
    )
    assert list(Notification.objects.filter(event__action=Action.REQUEST_CHANGES).values_list("email", "subject")) == [
        ("mail-editor@example.com", sent.subject)
    ]


@pytest.mark.django_db
def test_desk_link_opens_the_issue_for_staff(client):
    """The link in the mail leads a logged-in member of staff to the issue's desk."""
    issue = IssueFactory()
    client.force_login(role_user(roles.EDITOR, username="desk-editor"))
    response = client.get(reverse("briefs:issue_desk", args=[issue.pk]))
    assert response.status_code == 200
    assert response.context["issue"].pk == issue.pk


def _flaky_mail_server(monkeypatch, failures: int) -> list:
    """jobs.mail's send_mail failing ``failures`` times, then delivering to the outbox."""
    from django.core.mail import send_mail

    import jobs.mail

    calls = []

    def flaky(*args, **kwargs):
        calls.append(args[3])
        if len(calls) <= failures:
            raise ConnectionRefusedError("mail server down")
        return send_mail(*args, **kwargs)

    monkeypatch.setattr(jobs.mail, "send_mail", flaky)
    return calls


def _submitted_issue():
    editor = role_user(roles.EDITOR, username="retry-editor")
    chief = role_user(roles.CHIEF_EDITOR, username="retry-chief")
    issue = IssueFactory(series=SeriesFactory(), created_by=editor)
    ArticleFactory(issue=issue, title="重试的通知")
    workflow.issue_submit(issue=issue, user=editor)
    mail.outbox.clear()
    return issue, chief


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_the_mail_recorded_once(settings, monkeypatch, django_capture_on_commit_callbacks):
    """The mail server refuses the first attempt: the job retries, the mail leaves once, and both
    the jobs layer's record and the workflow's log hold it once."""
    from jobs.models import OutgoingMail

    settings.JOBS_MAX_ATTEMPTS = 3
    issue, chief = _submitted_issue()
    calls = _flaky_mail_server(monkeypatch, failures=1)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_transition(issue=issue, action=Action.REQUEST_CHANGES, user=chief, comment="再核实")
    assert calls == [["retry-editor@example.com"]] * 2
    assert [m.to for m in mail.outbox] == [["retry-editor@example.com"]]
    record = OutgoingMail.objects.get(to="retry-editor@example.com")
    assert (record.status, record.attempts, record.last_error) == (OutgoingMail.Status.SENT, 2, "")
    event = issue.events.get(action=Action.REQUEST_CHANGES)
    assert record.key == "workflow-notify:%s:%s" % (event.pk, issue.submitted_by_id)
    assert list(Notification.objects.filter(event=event).values_list("email", flat=True)) == ["retry-editor@example.com"]


@pytest.mark.django_db
def test_a_mail_that_never_leaves_is_not_logged_and_the_transition_stands(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs.models import OutgoingMail

    settings.JOBS_MAX_ATTEMPTS = 2
    issue, chief = _submitted_issue()
    _flaky_mail_server(monkeypatch, failures=99)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_transition(issue=issue, action=Action.REQUEST_CHANGES, user=chief, comment="再核实")
    issue.refresh_from_db()
    assert issue.status == issue.Status.DRAFT
    record = OutgoingMail.objects.get(to="retry-editor@example.com")
    assert (record.status, record.attempts) == (OutgoingMail.Status.FAILED, 2)
    assert "mail server down" in record.last_error
    assert mail.outbox == [] and not Notification.objects.filter(event__action=Action.REQUEST_CHANGES).exists()
