"""Stale edits: of two people editing the same article or issue, the later save is refused with a
Chinese message and a link to what changed; nothing is silently overwritten."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from briefs.exceptions import StaleEdit
from briefs.models import Article, Issue
from briefs.services import article_update, issue_update
from tests.factories import ArticleFactory, IssueFactory, role_user
from zhiku import roles
from zhiku.actors import SYSTEM

STALE = "在您打开之后，已有其他人保存了这份文章，您的修改未保存。"


@pytest.mark.django_db
def test_service_refuses_the_second_of_two_saves_from_the_same_version():
    """Guard: the services' version claim. Both editors loaded version 1; the first save wins,
    the second raises StaleEdit and changes nothing; one history row per successful save."""
    article = ArticleFactory()
    article_update(article=Article.objects.get(pk=article.pk), seen_version=1, user=SYSTEM, title="甲的标题")
    with pytest.raises(StaleEdit) as excinfo:
        article_update(article=Article.objects.get(pk=article.pk), seen_version=1, user=SYSTEM, title="乙的标题")
    assert excinfo.value.message.startswith("在您打开之后，已有其他人保存了这份文章")
    article.refresh_from_db()
    assert (article.title, article.version, article.history.count()) == ("甲的标题", 2, 2)
    issue = article.issue
    issue_update(issue=issue, seen_version=1, user=SYSTEM, print_run=80)
    with pytest.raises(StaleEdit):
        issue_update(issue=Issue.objects.get(pk=issue.pk), seen_version=1, user=SYSTEM, print_run=90)
    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.print_run, stored.version, stored.history.count()) == (80, 2, 2)


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
    """Guard: the admin saves through the service. Two editors open the article page; the second
    to save is sent back to the page with an error naming the conflict and a link to compare
    versions; the first editor's text stays."""
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
    assert (second.status_code, second["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert STALE in page
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
    article_update(article=article, seen_version=1, user=SYSTEM, body="<p>第一段。</p><p>第二段改了。</p>")
    assert article.history.count() == 2
    client.force_login(editor)
    page = client.get(reverse("admin:briefs_article_diff", args=[article.pk])).content.decode()
    assert "改了" in page and "diff_chg" in page and "第二段" in page


@pytest.mark.django_db
def test_admin_refuses_a_stale_inline_article_and_rolls_the_whole_page_back(client):
    """Guard: the issue page's inline articles go through article_update. An article changed by
    somebody else since the page was opened refuses the whole save: the issue's own change is
    rolled back too, and the message links to the issue history."""
    editor = role_user(roles.EDITOR, username="ed3")
    issue = IssueFactory(created_by=editor, print_run=50)
    article = ArticleFactory(issue=issue, title="原标题")
    article_update(article=article, seen_version=1, user=SYSTEM, title="别人改的标题")
    client.force_login(editor)
    url = reverse("admin:briefs_issue_change", args=[issue.pk])
    data = {
        "series": issue.series_id,
        "responsible_editor": issue.responsible_editor_id,
        "classification": "",
        "print_run": 60,
        "issue_date": "",
        "seen_version": 1,
        "articles-TOTAL_FORMS": 1,
        "articles-INITIAL_FORMS": 1,
        "articles-0-id": article.pk,
        "articles-0-issue": issue.pk,
        "articles-0-position": 1,
        "articles-0-title": "我的标题",
        "articles-0-byline": "",
        "articles-0-body": "<p>正文</p>",
        "articles-0-seen_version": 1,
    }
    opened = client.get(url)
    data.update({k: v for k, v in _inline_management(opened).items() if not k.startswith("articles-")})
    response = client.post(url, data)
    assert (response.status_code, response["Location"]) == (302, url)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    history = reverse("admin:briefs_issue_history", args=[issue.pk])
    assert message.startswith(STALE) and message.endswith(f' <a href="{history}">查看改动</a>')
    assert (Issue.objects.get(pk=issue.pk).print_run, Article.objects.get(pk=article.pk).title) == (50, "别人改的标题")
