"""The issue page writes through briefs.services: a new issue with its articles, each saved once,
with one history row naming the editor, and the body sanitised."""

import pytest
from django.urls import reverse

from briefs.models import Article, Issue
from tests.factories import EditorFactory, SeriesFactory, role_user
from zhiku import roles


@pytest.mark.django_db
def test_editor_adds_an_issue_with_an_article_on_one_page(client):
    editor = role_user(roles.EDITOR, username="add-editor")
    series, chief = SeriesFactory(), EditorFactory()
    client.force_login(editor)
    url = reverse("admin:briefs_issue_add")
    page = client.get(url)
    data = {
        "series": series.pk,
        "responsible_editor": chief.pk,
        "classification": "",
        "print_run": 80,
        "issue_date": "",
        "articles-TOTAL_FORMS": 1,
        "articles-INITIAL_FORMS": 0,
        "articles-0-position": 1,
        "articles-0-title": "新稿",
        "articles-0-byline": "",
        "articles-0-body": '<p onclick="x()">正文<script>alert(1)</script></p>',
    }
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        if prefix != "articles":
            data.update({prefix + "-TOTAL_FORMS": 0, prefix + "-INITIAL_FORMS": 0})
    response = client.post(url, data)
    issue = Issue.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("admin:briefs_issue_changelist"))
    assert (issue.status, issue.created_by, issue.print_run, issue.version) == (Issue.Status.DRAFT, editor, 80, 1)
    article = Article.objects.get()
    assert (article.issue_id, article.title, article.body) == (issue.pk, "新稿", "<p>正文</p>")
    assert [r.history_user for r in issue.history.all()] == [editor]
    assert [r.history_user for r in article.history.all()] == [editor]
