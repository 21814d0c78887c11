"""Comments on the text: the stage holder quotes a passage and comments; the editor answers or
resolves; open comments are listed on the desk and warned about at 签发."""

import pytest
from django.urls import reverse

from briefs.desk import services
from briefs.models import IssueComment
from zhiku import roles

from .conftest import SG, C, E, R, act


def comment_url(issue):
    return reverse("briefs:issue_desk_comment", args=[issue.pk])


@pytest.mark.django_db
def test_stage_holder_comments_on_a_passage_of_the_text(client, issue, people):
    act(issue, people, "submit", E)
    client.force_login(people[C])
    # Whitespace and markup between the words do not matter: the quote is what the reader saw.
    response = client.post(comment_url(issue), {"quote": "深圳把发展战略性新兴产业", "body": "“作为”前加主语"})
    assert response.status_code == 302
    comment = IssueComment.objects.get()
    assert (comment.article, comment.author, comment.is_open) == (issue.articles.get(), people[C], True)
    page = client.get(reverse("briefs:issue_desk", args=[issue.pk])).content.decode()
    assert "“作为”前加主语" in page and '<span class="desk-count">1</span>' in page


@pytest.mark.django_db
def test_a_quote_not_in_the_text_is_refused(issue, people):
    act(issue, people, "submit", E)
    with pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_add(issue=issue, user=people[C], quote="上海", body="？")
    assert refused.value.message == "引用的文字不在本期正文中，请从正文中复制。"
    assert not IssueComment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [E, R, SG, roles.CIRCULATION])
def test_only_the_current_stage_holder_comments(client, issue, people, role):
    """At 初审 only 责任编辑 may comment; the others are refused by the service (the form is
    not even shown to them)."""
    act(issue, people, "submit", E)
    client.force_login(people[role])
    client.post(comment_url(issue), {"quote": "深圳把发展", "body": "意见"})
    assert not IssueComment.objects.exists()
    assert 'id="desk-comment-form"' not in client.get(reverse("briefs:issue_desk", args=[issue.pk])).content.decode()


@pytest.mark.django_db
def test_editor_answers_and_resolves_after_it_came_back(client, issue, people):
    act(issue, people, "submit", E)
    comment = services.comment_add(issue=issue, user=people[C], quote="深圳把发展", body="请补充数据")
    act(issue, people, "request_changes", C, "请按批注修改")
    client.force_login(people[E])
    url = reverse("briefs:issue_desk_comment_answer", args=[issue.pk, comment.pk])
    client.post(url, {"body": "已补充 2023 年数据", "resolve": ""})
    comment.refresh_from_db()
    assert comment.is_open and comment.answers.get().body == "已补充 2023 年数据"
    client.post(url, {"body": "", "resolve": "on"})
    comment.refresh_from_db()
    assert not comment.is_open and comment.resolved_by == people[E]


@pytest.mark.django_db
def test_people_who_neither_edit_nor_wrote_it_cannot_resolve(issue, people):
    act(issue, people, "submit", E)
    comment = services.comment_add(issue=issue, user=people[C], quote="深圳把发展", body="请补充数据")
    with pytest.raises(services.CommentNotAllowed):
        services.comment_resolve(comment=comment, user=people[R])
    comment.refresh_from_db()
    assert comment.is_open


@pytest.mark.django_db
def test_open_comments_are_a_warning_on_the_sign_off_confirmation(client, issue, people):
    act(issue, people, "submit", E)
    act(issue, people, "approve", C, "同意")
    act(issue, people, "approve", R, "同意")
    issue.refresh_from_db()
    services.comment_add(issue=issue, user=people[SG], quote="战略性新兴产业", body="提法请核对")
    client.force_login(people[SG])
    page = client.post(
        reverse("briefs:issue_desk_action", args=[issue.pk]),
        {"wf_action": "sign_off", "wf_status": "in_review", "wf_stage": issue.current_stage_id, "opinion": ""},
    ).content.decode()
    assert 'id="confirm-open-comments"' in page
    assert "还有 1 条正文批注未解决" in page and "提法请核对" in page
