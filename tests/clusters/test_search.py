"""Archive search: Chinese-aware, parameterised, highlighted, filtered; the same on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command

from clusters import selectors
from clusters.models import ArticleCluster, Cluster, SearchDocument
from clusters.selectors import SearchFilters, article_search_ids
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory, SeriesFactory, UserFactory


@pytest.fixture
def archive(shenzhen):
    series = SeriesFactory(name="领军参阅", slug="lingjun")
    other = SeriesFactory(name="内参", slug="neican")
    old = NumberedIssueFactory(series=series, year=2023, number=5, total_number=90)
    new = NumberedIssueFactory(series=series, year=2024, number=2, total_number=117)
    draft = IssueFactory(series=other)
    chips = ArticleFactory(
        issue=old,
        title="集成电路产业链攻关",
        body="<p>深圳集成电路正在开展全链条技术攻关和全品类制造，芯片设计企业加速集聚。</p>",
    )
    cars = ArticleFactory(
        issue=new,
        title="新能源汽车产业链成形",
        body="<p>深圳的新能源汽车保有量已达 86 万辆，新车电动化渗透率超 60%，居世界前列。</p>",
    )
    robots = ArticleFactory(
        issue=draft,
        title="机器人与芯片",
        body="<p>智能机器人产业集群快速增长，核心芯片国产化。</p>",
    )
    ArticleCluster.objects.create(article=cars, cluster=Cluster.objects.get(name="智能网联汽车"))
    ArticleCluster.objects.create(article=robots, cluster=Cluster.objects.get(name="智能机器人"))
    return {"series": series, "other": other, "chips": chips, "cars": cars, "robots": robots}


@pytest.mark.parametrize(
    "term, expected",
    [
        ("芯片", {"chips", "robots"}),  # two characters
        ("集成电路", {"chips"}),  # four characters, a cluster alias jieba now knows
        ("新能源汽车", {"cars"}),
        ("芯", {"chips", "robots"}),  # one character
        ("辆", {"cars"}),
        ("渗透率", {"cars"}),
        ("机器人 芯片", {"robots"}),  # every word must occur
        ("量子", set()),
    ],
)
def test_finds_chinese_words_of_any_length(archive, term, expected):
    """One-, two- and four-character queries find the articles whose title or body contains them."""
    ids = article_search_ids(term)
    assert {k for k in ("chips", "cars", "robots") if archive[k].pk in ids} == expected
    assert len(ids) == len(expected)


def test_title_matches_rank_first(archive):
    """An article with the word in its title ranks above one that has it only in the body."""
    assert article_search_ids("芯片")[0] == archive["robots"].pk


CHIPS_AND_ROBOTS = {"chips", "robots"}


@pytest.mark.parametrize(
    "term, expected",
    [
        # Syntax alone: no article holds these characters, and none is an operator.
        ("'", set()),
        ('"', set()),
        ("&", set()),
        ("|", set()),
        ("!", set()),
        (":", set()),
        ("*", set()),
        ("(", set()),
        (")", set()),
        ("\\", set()),
        ("%_", set()),
        ("''\\", set()),
        # Every word must occur: an injected OR would widen the result to all three articles;
        # as text, "OR" and "1" occur nowhere, so nothing matches.
        ("芯片' OR 1=1 --", set()),
        ('芯片" OR "', set()),
        ("芯片 & !汽车 | (x:*)", set()),
        # Syntax next to a real word neither breaks the query nor changes what it finds.
        ("芯片'", CHIPS_AND_ROBOTS),
        ('芯片"', CHIPS_AND_ROBOTS),
        ("芯片 --", CHIPS_AND_ROBOTS),
        ("芯片%", CHIPS_AND_ROBOTS),
    ],
)
def test_syntax_characters_are_text(archive, term, expected):
    """SQL, tsquery and FTS5 syntax in the input is treated as text: no error, no injection."""
    ids = article_search_ids(term)
    assert sorted(ids) == sorted(archive[name].pk for name in expected)


def test_percent_is_a_literal(archive):
    """“60%” and “%” find the article containing them, not everything (LIKE wildcards escaped)."""
    assert article_search_ids("60%") == [archive["cars"].pk]
    assert article_search_ids("%") == [archive["cars"].pk]


def test_filters(archive):
    """Series, year, cluster (with its sub-clusters) and status narrow the results."""
    assert article_search_ids("芯片", filters=SearchFilters(series_id=archive["other"].pk)) == [archive["robots"].pk]
    assert article_search_ids("芯片", filters=SearchFilters(year=2023)) == [archive["chips"].pk]
    assert article_search_ids("芯片", filters=SearchFilters(status="draft")) == [archive["robots"].pk]
    category = Cluster.objects.get(name="高端装备制造")
    assert article_search_ids("芯片", filters=SearchFilters(cluster_id=category.pk)) == [archive["robots"].pk]
    assert article_search_ids("深圳", filters=SearchFilters(year=2024, series_id=archive["series"].pk)) == [
        archive["cars"].pk
    ]


def test_index_follows_saves_and_deletes(archive):
    """Saving an article rebuilds its document; a deleted article is no longer found."""
    chips = archive["robots"]  # the draft: articles of signed issues are read-only
    chips.body = "<p>量子信息技术取得突破。</p>"
    chips.save()
    assert article_search_ids("量子") == [chips.pk]
    assert chips.pk not in article_search_ids("国产化")
    chips.delete()
    assert article_search_ids("量子") == []


def test_rebuild_command(archive):
    """rebuild_search_index rebuilds every document in bulk."""
    SearchDocument.objects.all().delete()
    assert article_search_ids("芯片") == []
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert SearchDocument.objects.count() == 3
    assert set(article_search_ids("芯片")) == {archive["chips"].pk, archive["robots"].pk}


def test_highlight_escapes_everything_else(shenzhen):
    """Matches are wrapped in <mark>; markup in the text and in the query is escaped."""
    article = ArticleFactory(title="<script>alert(1)</script>芯片", body="<p>a &lt;b&gt; 芯片 c</p>")
    results = selectors.article_search_results(term="芯片<b>", ids=[article.pk])
    assert str(results[0].title) == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>芯片</mark>"
    assert str(results[0].snippet) == "a &lt;<mark>b</mark>&gt; <mark>芯片</mark> c"
    assert "<b>" not in str(results[0].snippet)


def test_search_page(client, archive, role_user):
    """Staff in any role see the search page with highlighted results linking to the issue."""
    client.force_login(role_user("reviewer"))
    response = client.get("/clusters/search/", {"q": "新能源汽车"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "找到 1 篇文章" in content
    assert "<mark>新能源汽车</mark>" in content
    assert 'href="/admin/briefs/issue/{}/change/"'.format(archive["cars"].issue_id) in content
    response = client.get("/clusters/search/", {"q": "<script>"})
    assert "<script>" not in response.content.decode().split('id="content-main"')[1].split("</form>")[1]


def test_search_page_is_for_staff_with_a_role(client, archive):
    """Anonymous users go to the login page; staff without any role are refused."""
    response = client.get("/clusters/search/", {"q": "芯片"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="norole"))
    assert client.get("/clusters/search/", {"q": "芯片"}).status_code == 403


def test_admin_changelist_search_uses_the_index(client, archive):
    """The Article changelist's search box finds words that are only in the body."""
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.get("/admin/briefs/article/", {"q": "渗透率"})
    assert [a.pk for a in response.context["cl"].result_list] == [archive["cars"].pk]


def test_words_jieba_cuts_differently_in_the_text_are_found(demo):
    """“产业集群” finds issue 117 although jieba cuts its text as 新兴产业 / 集群 (bigrams in the index)."""
    article = demo["issue_117"].articles.get()
    for term in ("产业集群", "工业上楼", "新质生产力", "20+8", "GDP", "核磁共振"):
        assert article.pk in article_search_ids(term), term


def test_a_run_of_characters_matches_as_written(shenzhen):
    """“工业上楼” finds the text that has it, not one with 工业 and 上楼 apart; space-separated parts may be apart."""
    together = ArticleFactory(title="厂房", body="<p>推进“工业上楼”厂房项目建设。</p>")
    apart = ArticleFactory(title="园区", body="<p>工业园区建设加快，企业陆续上楼。</p>")
    assert article_search_ids("工业上楼") == [together.pk]
    assert set(article_search_ids("工业 上楼")) == {together.pk, apart.pk}


def test_older_matches_are_found_past_the_ranking_window(shenzhen, monkeypatch):
    """Newer articles that hold the bigrams apart do not hide an older one that has the phrase."""
    monkeypatch.setattr(selectors, "RANK_WINDOW", 2)
    older = ArticleFactory(title="旧文", body="<p>推进工业上楼。</p>")
    for _ in range(5):
        ArticleFactory(title="新文", body="<p>工业发展，业上有成，企业上楼。</p>")
    assert article_search_ids("工业上楼") == [older.pk]
