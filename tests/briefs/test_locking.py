"""Locking: outside 草稿 the issue and its articles are read-only in the admin and refused on
every write path; issue 117 (已印发) is read-only."""

import pytest
from django.urls import reverse

from briefs import workflow
from briefs.exceptions import IssueLocked
from briefs.models import Article, Issue


@pytest.mark.django_db
def test_issue_117_page_is_read_only_for_everyone(client, demo):
    """Even the superuser sees 117 without a save button or article inputs; a POST changes nothing."""
    from django.contrib.auth import get_user_model

    issue = demo["issue_117"]
    admin_user = get_user_model().objects.get(username="admin")
    client.force_login(admin_user)
    url = reverse("admin:briefs_issue_change", args=[issue.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    assert 'name="articles-0-title"' not in page
    response = client.post(url, {"print_run": 5, "articles-TOTAL_FORMS": 0, "articles-INITIAL_FORMS": 0})
    assert response.status_code == 403
    article = issue.articles.first()
    response = client.post(
        reverse("admin:briefs_article_change", args=[article.pk]), {"title": "改", "body": "<p>x</p>"}
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == article.title


@pytest.mark.django_db
def test_bulk_delete_of_locked_issues_and_articles_is_refused(client, demo):
    """The changelists' delete action refuses numbered issues and articles of locked issues."""
    from django.contrib.auth import get_user_model

    issue = demo["issue_117"]
    client.force_login(get_user_model().objects.get(username="admin"))
    client.post(
        reverse("admin:briefs_issue_changelist"),
        {"action": "delete_selected", "_selected_action": [issue.pk], "post": "yes"},
    )
    assert Issue.objects.filter(pk=issue.pk).exists()
    article = issue.articles.first()
    client.post(
        reverse("admin:briefs_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert Article.objects.filter(pk=article.pk).exists()
    with pytest.raises(IssueLocked):
        Article.objects.filter(pk=article.pk).first().delete()


@pytest.mark.django_db
def test_submitted_issue_is_locked_and_unlocks_when_sent_back(demo):
    """In review an article cannot be saved; after 退回修改 it can again."""
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    twin = demo["twin"]
    workflow.issue_transition(issue=twin, action="submit", user=users["editor"])
    article = twin.articles.first()
    article.title = "送审后改标题"
    with pytest.raises(IssueLocked):
        article.save()
    workflow.issue_transition(issue=twin, action="request_changes", user=users["chief"], comment="请补充数据")
    article.save()
    assert Article.objects.get(pk=article.pk).title == "送审后改标题"


@pytest.mark.django_db
def test_no_path_adds_an_article_to_a_locked_issue(demo):
    """Adding an article to issue 117 (已印发) is refused by the service and by a plain ORM create."""
    from briefs.services import article_create

    issue_117 = demo["issue_117"]
    with pytest.raises(IssueLocked):
        article_create(issue=issue_117, title="补登一篇", body="<p>正文</p>")
    with pytest.raises(IssueLocked):
        Article.objects.create(issue=issue_117, title="补登一篇", body="<p>正文</p>", position=9)
    assert issue_117.articles.count() == 1
