"""Tagging articles: demo 117 comes tagged, suggestions from the text, the Article admin's tag inline."""

import pytest
from django.core.management import call_command

from briefs.models import Article
from clusters import selectors, services
from clusters.exceptions import ClustersPermissionDenied
from clusters.models import ArticleCluster, Cluster
from clusters.taxonomy_data import ISSUE_117_TAGS
from tests.factories import ArticleFactory, UserFactory
from zhiku.actors import SYSTEM


def test_issue_117_comes_tagged(demo):
    """load_demo tags issue 117's article with the clusters it discusses, and running it again changes nothing."""
    article = demo["issue_117"].articles.get()
    assert set(article.cluster_tags.values_list("cluster__name", flat=True)) == set(ISSUE_117_TAGS)
    before = ArticleCluster.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert ArticleCluster.objects.count() == before
    assert not demo["twin"].articles.get().cluster_tags.exists()


def test_suggestions_come_from_names_and_aliases(shenzhen):
    """Names and aliases in the text suggest clusters, most mentions first; tagged ones are left out."""
    article = ArticleFactory(
        title="芯片与机器人",
        body="<p>集成电路产业加快发展，芯片设计企业集聚；工业机器人和服务机器人增长较快。芯片产能提升。</p>",
    )
    suggested = [(c.name, n) for c, n in selectors.cluster_suggestions(article=article)]
    assert suggested[0] == ("半导体与集成电路", 4)  # 芯片 ×3, 集成电路 ×1
    assert ("智能机器人", 3) in suggested
    services.article_tag_add(article=article, cluster=Cluster.objects.get(name="智能机器人"), user=SYSTEM)
    assert "智能机器人" not in [c.name for c, _n in selectors.cluster_suggestions(article=article)]


def test_suggestions_for_issue_117(demo):
    """The 117 text suggests further clusters (e.g. 超高清视频显示 from 新型显示), none already tagged."""
    article = demo["issue_117"].articles.get()
    names = [c.name for c, _n in selectors.cluster_suggestions(article=article, limit=30)]
    assert "超高清视频显示" in names
    assert not set(names) & set(ISSUE_117_TAGS)


def test_editors_tag_reviewers_do_not(shenzhen, role_user):
    """Tagging is for editors; a reviewer is refused by the service."""
    article = ArticleFactory()
    robots = Cluster.objects.get(name="智能机器人")
    tag = services.article_tag_add(article=article, cluster=robots, user=role_user("editor"))
    assert tag.created_by.username == "u-editor"
    assert services.article_tag_add(article=article, cluster=robots, user=role_user("editor")).pk == tag.pk
    with pytest.raises(ClustersPermissionDenied):
        services.article_tag_remove(article=article, cluster=robots, user=role_user("reviewer"))
    services.article_tag_remove(article=article, cluster=robots, user=role_user("chief_editor"))
    assert not ArticleCluster.objects.filter(article=article).exists()


def _form_data(response):
    """The POST data of an admin change form, as the browser would send it unchanged."""
    data = {}
    form = response.context["adminform"].form
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for subform in formset.forms:
            for bound in subform:
                value = bound.value()
                if value is not None and value is not False:
                    data[bound.html_name] = "on" if value is True else value
    return data


def test_article_admin_tags_and_accepts_suggestions(client, shenzhen):
    """The article change page has the tag inline and the suggestions; ticking one and saving tags it."""
    article = ArticleFactory(title="机器人产业", body="<p>深圳智能机器人产业集群加快发展。</p>")
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = f"/admin/briefs/article/{article.pk}/change/"
    response = client.get(url)
    content = response.content.decode()
    assert "根据正文的建议" in content
    assert 'name="accept_cluster"' in content
    robots = Cluster.objects.get(name="智能机器人")
    data = _form_data(response)
    data["accept_cluster"] = [str(robots.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert list(article.cluster_tags.values_list("cluster__name", flat=True)) == ["智能机器人"]


def test_article_admin_inline_adds_a_tag(client, shenzhen):
    """A tag added in the inline (autocomplete select) is saved through the service, with the acting user."""
    article = ArticleFactory()
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    url = f"/admin/briefs/article/{article.pk}/change/"
    data = _form_data(client.get(url))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "cluster" in k).removesuffix("-TOTAL_FORMS")
    data[prefix + "-TOTAL_FORMS"] = "1"
    data[prefix + "-0-cluster"] = str(Cluster.objects.get(name="区块链").pk)
    data[prefix + "-0-article"] = str(article.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    tag = ArticleCluster.objects.get(article=article)
    assert (tag.cluster.name, tag.created_by) == ("区块链", root)


def test_article_changelist_filters_by_cluster(client, shenzhen):
    """?cluster=<category> lists the articles tagged with any of its clusters (the coverage drill-down)."""
    tagged = ArticleFactory(title="海洋文章")
    ArticleFactory(title="无关文章")
    ArticleCluster.objects.create(article=tagged, cluster=Cluster.objects.get(name="海洋产业"))
    client.force_login(UserFactory(username="root", is_superuser=True))
    category = Cluster.objects.get(name="海洋经济")
    response = client.get(f"/admin/briefs/article/?cluster={category.pk}")
    assert response.status_code == 200
    assert [a.pk for a in response.context["cl"].result_list] == [tagged.pk]


def test_cluster_autocomplete_for_editors(client, shenzhen, role_user):
    """The tag autocomplete answers editors with active clusters."""
    Cluster.objects.filter(name="区块链").update(is_active=False)
    client.force_login(role_user("editor"))
    response = client.get(
        "/admin/autocomplete/",
        {"term": "区块", "app_label": "clusters", "model_name": "articlecluster", "field_name": "cluster"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = client.get(
        "/admin/autocomplete/",
        {"term": "机器人", "app_label": "clusters", "model_name": "articlecluster", "field_name": "cluster"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["智能机器人"]


def test_deleting_an_article_removes_its_tags(shenzhen):
    """Tags go with their article."""
    tag = ArticleCluster.objects.create(article=ArticleFactory(), cluster=Cluster.objects.get(name="区块链"))
    Article.objects.filter(pk=tag.article_id).delete()
    assert not ArticleCluster.objects.filter(pk=tag.pk).exists()


def test_archive_articles_are_tagged_in_the_tag_admin(client, shenzhen, role_user):
    """An editor tags an article of a released issue (read-only in the article admin) through the tag admin."""
    from tests.factories import NumberedIssueFactory

    article = ArticleFactory(issue=NumberedIssueFactory())
    editor = role_user("editor")
    client.force_login(editor)
    response = client.post(
        "/admin/clusters/articlecluster/add/",
        {"article": article.pk, "cluster": Cluster.objects.get(name="深地深海").pk},
    )
    assert response.status_code == 302
    tag = ArticleCluster.objects.get(article=article)
    assert (tag.cluster.name, tag.created_by) == ("深地深海", editor)
    client.force_login(role_user("reviewer"))
    response = client.post("/admin/clusters/articlecluster/%s/delete/" % tag.pk, {"post": "yes"})
    assert response.status_code == 403
    assert ArticleCluster.objects.filter(pk=tag.pk).exists()


def test_suggestions_on_the_issue_page(client, shenzhen, role_user):
    """The issue page's article forms get suggestions as JSON; an editor accepts them there, a
    reviewer (who may not tag) is refused by the service and nothing is written."""
    from clusters.models import ArticleCluster, Cluster

    article = ArticleFactory(title="储能电站", body="<p>新型储能与储能电站建设加快。</p>")
    client.force_login(role_user("editor"))
    page = client.get("/admin/briefs/issue/%d/change/" % article.issue_id).content.decode()
    assert "zhiku-suggestions-config" in page and "/clusters/suggestions/" in page and "clusters/article_suggestions.js" in page
    data = client.get("/clusters/suggestions/%d/" % article.pk).json()
    names = [s["name"] for s in data["suggestions"]]
    assert data["may_tag"] and "新能源" in names
    storage = Cluster.objects.get(name="新能源", parent__isnull=False)
    client.force_login(role_user("reviewer"))
    response = client.post("/clusters/suggestions/%d/accept/" % article.pk, {"cluster": [storage.pk]})
    assert response.status_code == 403
    assert not ArticleCluster.objects.filter(article=article).exists()
    client.force_login(role_user("editor", "editor2"))
    response = client.post("/clusters/suggestions/%d/accept/" % article.pk, {"cluster": [storage.pk]})
    assert response.json() == {"accepted": ["新能源"]}
    assert list(ArticleCluster.objects.filter(article=article).values_list("cluster__name", flat=True)) == ["新能源"]


def test_suggestions_need_a_role(client, shenzhen):
    """Staff without a role get nothing from the suggestion endpoints."""
    article = ArticleFactory()
    client.force_login(UserFactory(username="norole"))
    assert client.get("/clusters/suggestions/%d/" % article.pk).status_code == 403
    assert client.post("/clusters/suggestions/%d/accept/" % article.pk, {"cluster": []}).status_code == 403
