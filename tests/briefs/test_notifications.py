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
