"""Locking: outside 草稿 an issue and its articles are read-only on every write path (admin,
services, model, bulk delete), and workflow fields are written by the workflow only.

Each test names the guard it proves; docs/architecture.md lists which test fails without which
guard (each was checked by removing the guard once)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from briefs import services, workflow
from briefs.admin import ArticleAdmin, IssueAdmin
from briefs.exceptions import IssueLocked, NotAllowed, WorkflowFieldsProtected
from briefs.models import Article, Issue
from tests.factories import ArticleFactory, IssueFactory, role_user
from zhiku import roles
from zhiku.actors import SYSTEM

LOCKED_ARTICLES = "本期已不是草稿，文章只读。"
NOT_DELETABLE = "只有尚未编号的草稿可以删除。"
LOCKED_117 = "本期当前状态为“已印发”，内容只读；只有草稿可以修改。"


def _users():
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.mark.django_db
def test_issue_117_page_is_read_only_for_everyone(client, demo):
    """Guard: the admin's change permission. Even the superuser sees 117 without a save button or
    article inputs; a POST to the issue or article page is 403 and changes nothing."""
    issue = demo["issue_117"]
    client.force_login(_users()["admin"])
    url = reverse("admin:briefs_issue_change", args=[issue.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    assert 'name="articles-0-title"' not in page
    response = client.post(url, {"print_run": 5, "articles-TOTAL_FORMS": 0, "articles-INITIAL_FORMS": 0})
    assert response.status_code == 403
    article = issue.articles.get()
    response = client.post(
        reverse("admin:briefs_article_change", args=[article.pk]), {"title": "改", "body": "<p>x</p>"}
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == article.title
    assert Issue.objects.get(pk=issue.pk).print_run == issue.print_run  # the refused POST set 5


@pytest.mark.django_db
def test_admin_bulk_delete_of_locked_rows_is_403_and_deletes_nothing(client, demo):
    """Guard: has_delete_permission per row. The delete pages of a numbered issue and of an article
    of a locked issue are 403; the changelists' delete action answers 403 too; both rows stay."""
    issue = demo["issue_117"]
    article = issue.articles.get()
    client.force_login(_users()["admin"])
    pages = [
        client.get(reverse("admin:briefs_issue_delete", args=[issue.pk])),
        client.get(reverse("admin:briefs_article_delete", args=[article.pk])),
    ]
    assert [page.status_code for page in pages] == [403, 403]
    issues = client.post(
        reverse("admin:briefs_issue_changelist"),
        {"action": "delete_selected", "_selected_action": [issue.pk], "post": "yes"},
    )
    articles = client.post(
        reverse("admin:briefs_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert (issues.status_code, articles.status_code) == (403, 403)
    assert Issue.objects.filter(pk=issue.pk).exists() and Article.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_admin_bulk_delete_goes_through_the_service(demo):
    """Guard: the admin's delete_queryset calls the delete services. A batch holding a row that
    was locked after the confirmation page (a race) is refused whole: PermissionDenied with the
    service's message, and the draft in the same batch is not deleted either."""
    from django.contrib import admin

    request = RequestFactory().post("/")
    request.user = _users()["admin"]
    twin, issue_117 = demo["twin"], demo["issue_117"]
    issue_admin = IssueAdmin(Issue, admin.site)
    with pytest.raises(PermissionDenied) as refused:
        issue_admin.delete_queryset(request, Issue.objects.filter(pk__in=[twin.pk, issue_117.pk]))
    assert str(refused.value) == NOT_DELETABLE
    assert set(Issue.objects.values_list("pk", flat=True)) == {twin.pk, issue_117.pk}
    article_admin = ArticleAdmin(Article, admin.site)
    both = Article.objects.filter(issue__in=[twin, issue_117])
    with pytest.raises(PermissionDenied) as refused:
        article_admin.delete_queryset(request, both)
    assert str(refused.value) == LOCKED_ARTICLES
    assert both.count() == 2


@pytest.mark.django_db
def test_delete_services_refuse_locked_rows_all_or_nothing(demo):
    """Guard: issues_delete / articles_delete check the lock under a row lock."""
    twin, issue_117 = demo["twin"], demo["issue_117"]
    with pytest.raises(IssueLocked) as refused:
        services.issues_delete(issues=[twin, issue_117], user=SYSTEM)
    assert refused.value.message == NOT_DELETABLE
    with pytest.raises(IssueLocked) as refused:
        services.articles_delete(articles=list(Article.objects.all()), user=SYSTEM)
    assert refused.value.message == LOCKED_ARTICLES
    assert Issue.objects.count() == 2 and Article.objects.count() == 2
    assert services.issues_delete(issues=[twin], user=SYSTEM) == 1


@pytest.mark.django_db
def test_model_refuses_deleting_locked_rows_one_by_one_and_in_bulk(demo):
    """Guards: Issue.delete, Article.delete and their querysets' delete (shell, other apps)."""
    issue_117 = demo["issue_117"]
    article = issue_117.articles.get()
    attempts = [
        issue_117.delete,
        Issue.objects.filter(pk=issue_117.pk).delete,
        article.delete,
        Article.objects.filter(pk=article.pk).delete,
    ]
    messages = []
    for attempt in attempts:
        with pytest.raises(IssueLocked) as refused:
            attempt()
        messages.append(refused.value.message)
    assert messages == [NOT_DELETABLE, NOT_DELETABLE, LOCKED_ARTICLES, LOCKED_ARTICLES]
    assert Issue.objects.filter(pk=issue_117.pk).exists() and Article.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_submitted_issue_is_locked_and_unlocks_when_sent_back(demo):
    """Guard: Article.save. In review an article cannot be saved (nor through the service); after
    退回修改 it can again."""
    users = _users()
    twin = demo["twin"]
    workflow.issue_transition(issue=twin, action=workflow.Action.SUBMIT, user=users["editor"])
    article = twin.articles.get()
    article.title = "送审后改标题"
    with pytest.raises(IssueLocked) as refused:
        article.save()
    assert refused.value.message == LOCKED_ARTICLES
    with pytest.raises(IssueLocked):
        services.article_update(article=article, seen_version=article.version, user=users["editor"], title="改")
    workflow.issue_transition(
        issue=twin, action=workflow.Action.REQUEST_CHANGES, user=users["chief"], comment="请补充数据"
    )
    article.save()
    assert Article.objects.get(pk=article.pk).title == "送审后改标题"


@pytest.mark.django_db
def test_no_path_adds_an_article_to_a_locked_issue(demo):
    """Guards: article_create's lock check (its message names the issue's state), Article.save,
    and the historical loader's rule that an issue which went through the workflow is never added to."""
    users = _users()
    issue_117, twin = demo["issue_117"], demo["twin"]
    with pytest.raises(IssueLocked) as refused:
        services.article_create(issue=issue_117, title="补登一篇", body="<p>正文</p>", user=users["admin"])
    assert refused.value.message == LOCKED_117
    with pytest.raises(IssueLocked):
        Article.objects.create(issue=issue_117, title="补登一篇", body="<p>正文</p>", position=9)
    workflow.issue_submit(issue=twin, user=users["editor"])
    with pytest.raises(IssueLocked):
        services.article_load_historical(issue=twin, title="补登一篇", body="<p>正文</p>", actor=SYSTEM)
    assert (issue_117.articles.count(), twin.articles.count()) == (1, 1)


@pytest.mark.django_db
def test_content_of_a_locked_issue_is_refused_by_service_and_model(demo):
    """Guards: issue_update's lock check (it refuses even a save that changes nothing, which would
    otherwise bump the version and add a history row) and Issue.save's content check."""
    issue_117 = Issue.objects.get(pk=demo["issue_117"].pk)
    version, history = issue_117.version, issue_117.history.count()
    with pytest.raises(IssueLocked) as refused:
        services.issue_update(issue=issue_117, seen_version=version, user=SYSTEM, print_run=70)
    assert refused.value.message == LOCKED_117
    assert (Issue.objects.get(pk=issue_117.pk).version, issue_117.history.count()) == (version, history)
    with pytest.raises(IssueLocked):
        services.issue_update(issue=issue_117, seen_version=version, user=SYSTEM, classification="secret")
    issue_117.classification = "secret"
    with pytest.raises(IssueLocked):
        issue_117.save()
    assert Issue.objects.get(pk=issue_117.pk).classification == ""


@pytest.mark.django_db
def test_workflow_fields_are_written_by_the_workflow_only(demo):
    """Guard: Issue.save refuses status, stage, numbers, dates or signer set outside a transition,
    on an existing draft and on a new issue; the transition itself writes them."""
    users = _users()
    twin = Issue.objects.get(pk=demo["twin"].pk)
    for name, value in [("status", Issue.Status.SIGNED), ("total_number", 999), ("signed_by_id", users["leader"].pk)]:
        draft = Issue.objects.get(pk=twin.pk)
        setattr(draft, name, value)
        with pytest.raises(WorkflowFieldsProtected):
            draft.save()
    with pytest.raises(WorkflowFieldsProtected):
        Issue.objects.create(series=twin.series, status=Issue.Status.RELEASED, year=2030, number=1, total_number=999)
    stored = Issue.objects.get(pk=twin.pk)
    assert (stored.status, stored.total_number, stored.signed_by_id) == (Issue.Status.DRAFT, None, None)
    workflow.issue_submit(issue=twin, user=users["editor"])
    assert Issue.objects.get(pk=twin.pk).status == Issue.Status.IN_REVIEW


@pytest.mark.django_db
def test_historical_loader_is_for_the_system_only(demo):
    """Guard: issue_load_historical and article_load_historical refuse a person as the actor."""
    editor = role_user(roles.EDITOR, username="loader-editor")
    with pytest.raises(NotAllowed):
        services.issue_load_historical(
            series=demo["twin"].series, status=Issue.Status.RELEASED, year=2020, number=1, total_number=50, actor=editor
        )
    with pytest.raises(NotAllowed):
        services.article_load_historical(issue=demo["issue_117"], title="补", body="<p>x</p>", actor=editor)
    assert not Issue.objects.filter(total_number=50).exists()
    assert demo["issue_117"].articles.count() == 1


@pytest.mark.django_db
def test_services_check_the_actors_permission():
    """Guard: the services' permission check. A user without briefs.change_article (发行) cannot
    edit a draft's article through the service; None is not an actor."""
    article = ArticleFactory(issue=IssueFactory())
    clerk = role_user(roles.CIRCULATION, username="perm-clerk")
    with pytest.raises(NotAllowed):
        services.article_update(article=article, seen_version=1, user=clerk, title="发行改的")
    with pytest.raises(TypeError):
        services.article_update(article=article, seen_version=1, user=None, title="无人改的")
    assert Article.objects.get(pk=article.pk).title == article.title
