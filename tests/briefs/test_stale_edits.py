"""Stale edits: of two people editing the same article or issue, the later save is refused with a
Chinese message and a link to what changed; nothing is silently overwritten."""

import pytest
from django.urls import reverse

from briefs.exceptions import StaleEdit
from briefs.models import Article, Issue
from briefs.services import article_update, issue_update
from tests.factories import ArticleFactory, IssueFactory, role_user
from zhiku import roles


@pytest.mark.django_db
def test_service_refuses_the_second_of_two_saves_from_the_same_version():
    """Both editors loaded version 1; the first save wins, the second raises StaleEdit."""
    article = ArticleFactory()
    article_update(article=Article.objects.get(pk=article.pk), seen_version=1, title="甲的标题")
    with pytest.raises(StaleEdit) as excinfo:
        article_update(article=Article.objects.get(pk=article.pk), seen_version=1, title="乙的标题")
    assert "其他人" in excinfo.value.message
    article.refresh_from_db()
    assert (article.title, article.version) == ("甲的标题", 2)
    issue = article.issue
    issue_update(issue=issue, seen_version=1, print_run=80)
    with pytest.raises(StaleEdit):
        issue_update(issue=Issue.objects.get(pk=issue.pk), seen_version=1, print_run=90)
    assert Issue.objects.get(pk=issue.pk).print_run == 80


def _inline_management(response) -> dict:
    """Management data of the other apps' inlines on the page (clusters adds tags), left empty."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({prefix + "-TOTAL_FORMS": 0, prefix + "-INITIAL_FORMS": 0})
    return data


def _article_post(article, seen_version, title, extra=None):
    return {
        **(extra or {}),
        "issue": article.issue_id,
        "position": article.position,
        "title": title,
        "byline": "",
        "body": article.body,
        "seen_version": seen_version,
    }


@pytest.mark.django_db
def test_admin_refuses_a_stale_article_save_and_links_to_the_diff(client):
    """Two editors open the article page; the second to save gets an error naming the conflict and
    a link to compare versions; the first editor's text stays."""
    editor = role_user(roles.EDITOR, username="ed1")
    article = ArticleFactory(issue=IssueFactory(created_by=editor))
    url = reverse("admin:briefs_article_change", args=[article.pk])
    client.force_login(editor)
    opened = client.get(url)
    assert 'name="seen_version" value="1"' in opened.content.decode()
    inlines = _inline_management(opened)
    first = client.post(url, _article_post(article, 1, "先保存的标题", inlines))
    assert first.status_code == 302
    second = client.post(url, _article_post(article, 1, "后保存的标题", inlines))
    assert second.status_code == 200
    page = second.content.decode()
    assert "已有其他人保存" in page
    assert reverse("admin:briefs_article_diff", args=[article.pk]) in page
    article.refresh_from_db()
    assert article.title == "先保存的标题" and article.version == 2
    diff = client.get(reverse("admin:briefs_article_diff", args=[article.pk]))
    assert diff.status_code == 200 and "先保存的标题" in diff.content.decode()


@pytest.mark.django_db
def test_article_body_changes_are_kept_and_compared(client):
    """Every body change is a history row; the diff view shows the changed paragraph."""
    editor = role_user(roles.EDITOR, username="ed2")
    article = ArticleFactory(body="<p>第一段。</p><p>第二段。</p>")
    article_update(article=article, seen_version=1, body="<p>第一段。</p><p>第二段改了。</p>")
    assert article.history.count() == 2
    client.force_login(editor)
    page = client.get(reverse("admin:briefs_article_diff", args=[article.pk])).content.decode()
    assert "改了" in page and "diff_chg" in page and "第二段" in page
