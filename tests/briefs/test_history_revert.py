"""History revert (django-simple-history's "restore this version" form) on issues and articles.

A restore is a content save of a draft through the same service as any save: it never writes
status, stage, numbers, dates, signer or version, it is refused on a locked issue with a
Chinese message (never an error page), and it meets the stale-edit check and the sanitiser.
Issue and Article are the only models with history (see test_only_issue_and_article_keep_history).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from briefs import workflow
from briefs.models import Article, Issue, IssueEvent, Series
from briefs.workflow import Action

REVERT_LOCKED_ISSUE = "只有草稿可以恢复到以前的版本；本期当前状态为“%s”。"
REVERT_LOCKED_ARTICLE = "只有草稿中的文章可以恢复到以前的版本；所在一期当前状态为“%s”。"


def _users():
    return {u.username: u for u in get_user_model().objects.all()}


def _sign_then_revoke(issue, users):
    """草稿 → 初审 → 复审 → 签发, then the leader voids the sign-off: a draft again, whose history
    holds a record of it signed, numbered and with the leader as signer."""
    for action, who in [
        (Action.SUBMIT, "editor"),
        (Action.APPROVE, "chief"),
        (Action.APPROVE, "reviewer"),
        (Action.SIGN_OFF, "leader"),
    ]:
        workflow.issue_transition(issue=issue, action=action, user=users[who])
    signed_record = issue.history.filter(status=Issue.Status.SIGNED).latest("history_id")
    workflow.issue_transition(issue=issue, action=Action.REVOKE_SIGN_OFF, user=users["leader"], comment="改标题")
    return signed_record


def _issue_revert_post(record, live, **extra):
    """What the revert page posts: the record's values, plus whatever a hostile user adds."""
    data = {
        "series": record.series_id,
        "responsible_editor": record.responsible_editor_id or "",
        "classification": "secret",
        "print_run": 33,
        "issue_date": "",
        "seen_version": live.version,
        # Not fields of the form: a browser could post them anyway.
        "status": Issue.Status.SIGNED,
        "year": record.year,
        "number": record.number,
        "total_number": record.total_number,
        "signed_by": record.signed_by_id,
        "version": 999,
    }
    data.update(extra)
    return {name: "" if value is None else value for name, value in data.items()}


def _revert_url(obj, record):
    name = f"admin:briefs_{obj._meta.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_restoring_a_signed_record_onto_a_draft_restores_content_only(client, demo):
    """Issue 10 finding 1: restoring the 已签发 record of a revoked issue left it 已签发 with
    numbers and the leader as signer, and no event. Now only content is written, through
    issue_update (one history row, version + 1), and the issue stays an unnumbered draft."""
    users = _users()
    twin = demo["twin"]
    signed_record = _sign_then_revoke(twin, users)
    assert signed_record.total_number == 118
    live = Issue.objects.get(pk=twin.pk)
    events, history = IssueEvent.objects.filter(issue=twin).count(), live.history.count()
    client.force_login(users["editor"])
    response = client.post(_revert_url(twin, signed_record), _issue_revert_post(signed_record, live))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:briefs_issue_change", args=[twin.pk]))
    assert _messages(response) == ["已恢复到这个较早的版本。"]
    after = Issue.objects.get(pk=twin.pk)
    assert (after.status, after.current_stage_id, after.signed_by_id, after.signed_at) == (
        Issue.Status.DRAFT,
        None,
        None,
        None,
    )
    assert (after.year, after.number, after.total_number) == (None, None, None)
    assert (after.classification, after.print_run, after.version) == ("secret", 33, live.version + 1)
    assert IssueEvent.objects.filter(issue=twin).count() == events
    assert after.history.count() == history + 1
    # 印发 is not possible: the issue was never signed again.
    assert Action.RELEASE not in workflow.allowed_actions(after, users["clerk"])


@pytest.mark.django_db
def test_restoring_a_review_record_does_not_skip_the_review(client, demo):
    """The variant: after 退回修改, restoring the record taken at 终审 does not put the issue back
    at 终审; it stays a draft with no stage, and 送审 starts again at 初审."""
    users = _users()
    twin = demo["twin"]
    for action, who in [(Action.SUBMIT, "editor"), (Action.APPROVE, "chief"), (Action.APPROVE, "reviewer")]:
        workflow.issue_transition(issue=twin, action=action, user=users[who])
    final_record = twin.history.latest("history_id")
    assert final_record.current_stage.name == "终审/签发"
    workflow.issue_transition(issue=twin, action=Action.REQUEST_CHANGES, user=users["leader"], comment="再改")
    live = Issue.objects.get(pk=twin.pk)
    client.force_login(users["editor"])
    data = _issue_revert_post(final_record, live, status=Issue.Status.IN_REVIEW, current_stage=final_record.current_stage_id)
    response = client.post(_revert_url(twin, final_record), data)
    assert response.status_code == 302
    after = Issue.objects.get(pk=twin.pk)
    assert (after.status, after.current_stage_id) == (Issue.Status.DRAFT, None)
    assert workflow.allowed_actions(after, users["leader"]) == []


@pytest.mark.django_db
def test_restoring_onto_a_locked_issue_is_a_message_not_an_error(client, demo):
    """Reverting issue 117 (已印发) or an issue in review answered HTTP 500; now a Chinese message
    on the history page and nothing written."""
    users = _users()
    client.force_login(users["admin"])
    issue_117 = demo["issue_117"]
    record = issue_117.history.earliest("history_id")
    before = Issue.objects.get(pk=issue_117.pk)
    response = client.post(_revert_url(issue_117, record), _issue_revert_post(record, before))
    history = reverse("admin:briefs_issue_history", args=[issue_117.pk])
    assert (response.status_code, response["Location"]) == (302, history)
    assert _messages(response) == [REVERT_LOCKED_ISSUE % "已印发"]
    after = Issue.objects.get(pk=issue_117.pk)
    assert (after.classification, after.print_run, after.version) == ("", None, before.version)


@pytest.mark.django_db
def test_a_restore_that_would_duplicate_numbers_is_no_error(client, demo):
    """The signed record's numbers were given to another issue after the revoke; restoring it
    answered HTTP 500 (IntegrityError). Numbers are not restored, so there is nothing to collide."""
    users = _users()
    twin = demo["twin"]
    signed_record = _sign_then_revoke(twin, users)
    from tests.factories import ArticleFactory, IssueFactory

    other = IssueFactory(series=twin.series, created_by=users["editor"])
    ArticleFactory(issue=other)
    # The other issue has no distribution: this test is about numbers, not the 签发 checklist.
    Series.objects.filter(pk=twin.series_id).update(signoff_blocking_checks=[])
    _sign_then_revoke_keep = [
        (Action.SUBMIT, "editor"),
        (Action.APPROVE, "chief"),
        (Action.APPROVE, "reviewer"),
        (Action.SIGN_OFF, "leader"),
    ]
    for action, who in _sign_then_revoke_keep:
        workflow.issue_transition(issue=other, action=action, user=users[who])
    assert Issue.objects.get(pk=other.pk).total_number == signed_record.total_number
    live = Issue.objects.get(pk=twin.pk)
    client.force_login(users["editor"])
    response = client.post(_revert_url(twin, signed_record), _issue_revert_post(signed_record, live))
    assert response.status_code == 302
    assert Issue.objects.get(pk=twin.pk).total_number is None
    assert Issue.objects.filter(total_number=signed_record.total_number).get().pk == other.pk


@pytest.mark.django_db
def test_a_restore_meets_the_stale_edit_check(client, demo):
    """A restore posted from a page opened before somebody else saved is refused like any save."""
    users = _users()
    twin = demo["twin"]
    record = twin.history.earliest("history_id")
    live = Issue.objects.get(pk=twin.pk)
    client.force_login(users["editor"])
    response = client.post(_revert_url(twin, record), _issue_revert_post(record, live, seen_version=live.version - 1))
    assert response.status_code == 302
    [message] = _messages(response)
    assert message.startswith("在您打开之后，已有其他人保存了这份期")
    assert Issue.objects.get(pk=twin.pk).version == live.version


@pytest.mark.django_db
def test_article_restore_goes_through_the_service_and_only_on_a_draft(client, demo):
    """An article restore: refused with a message when its issue is locked; on a draft, written
    by article_update (sanitised body, version + 1, its issue unchanged)."""
    users = _users()
    client.force_login(users["editor"])
    locked = demo["issue_117"].articles.get()
    record = locked.history.earliest("history_id")
    data = {"position": 1, "title": "改", "byline": "", "body": "<p>x</p>", "seen_version": locked.version}
    response = client.post(_revert_url(locked, record), data)
    assert (response.status_code, _messages(response)) == (302, [REVERT_LOCKED_ARTICLE % "已印发"])
    assert Article.objects.get(pk=locked.pk).title == locked.title

    article = demo["twin"].articles.get()
    record = article.history.earliest("history_id")
    data = {
        "issue": demo["issue_117"].pk,
        "position": 1,
        "title": "旧标题",
        "byline": "",
        "body": '<p onclick="x()">旧正文<script>alert(1)</script></p>',
        "seen_version": article.version,
    }
    response = client.post(_revert_url(article, record), data)
    assert response.status_code == 302
    after = Article.objects.get(pk=article.pk)
    assert (after.title, after.body, after.issue_id, after.version) == (
        "旧标题",
        "<p>旧正文</p>",
        demo["twin"].pk,
        article.version + 1,
    )


@pytest.mark.django_db
def test_malformed_revert_ids_are_404(client, demo):
    """A history id that is not a number, or belongs to another object, is 404, not 500."""
    client.force_login(_users()["editor"])
    twin, issue_117 = demo["twin"], demo["issue_117"]
    other_record = issue_117.history.earliest("history_id")
    base = reverse("admin:briefs_issue_history", args=[twin.pk])
    responses = [client.post(f"{base}abc/"), client.post(f"{base}{other_record.history_id}/")]
    assert [r.status_code for r in responses] == [404, 404]


def test_only_issue_and_article_keep_history():
    """The audit of models with a history (and so a revert form): Issue and Article, both admins
    restore through briefs.services."""
    from django.apps import apps
    from django.contrib import admin

    from briefs.admin import ServiceWriteAdmin

    tracked = sorted(
        m._meta.label for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")
    )
    assert tracked == ["briefs.Article", "briefs.Issue"]
    assert all(isinstance(admin.site._registry[apps.get_model(label)], ServiceWriteAdmin) for label in tracked)
