"""Archive search: Chinese as people type it, ranked, filtered, the same on SQLite and PostgreSQL."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from briefs.models import Issue
from briefs.services import article_update
from clusters import search as archive
from clusters import text
from clusters.models import ArticleCluster, Cluster, SearchDocument
from clusters.search import SearchFilters, article_search_ids
from tests.factories import ArticleFactory, NumberedIssueFactory, SeriesFactory, UserFactory


def ids(term, **kwargs):
    return archive.search(term, **kwargs).ids


@pytest.fixture
def archive_data(shenzhen):
    series = SeriesFactory(name="领军参阅", slug="lingjun")
    other = SeriesFactory(name="内参", slug="neican")
    old = NumberedIssueFactory(series=series, year=2023, number=5, total_number=90, issue_date=datetime.date(2023, 5, 1))
    new = NumberedIssueFactory(series=series, year=2024, number=2, total_number=117, issue_date=datetime.date(2024, 1, 19))
    draft = Issue.objects.create(series=other)
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
        ("集成电路", {"chips"}),  # four characters
        ("新能源汽车", {"cars"}),
        ("芯", {"chips", "robots"}),  # one character
        ("辆", {"cars"}),
        ("渗透率", {"cars"}),
        ("机器人 芯片", {"robots"}),  # every word must occur
        ("深圳芯片", {"chips"}),  # unspaced: 深圳 and 芯片, wherever they stand
        ("量子", set()),
    ],
)
def test_finds_chinese_words_of_any_length(archive_data, term, expected):
    """One-, two- and four-character and unspaced multi-word queries find exactly the articles
    whose title or text holds every word."""
    found = ids(term)
    assert {k for k in ("chips", "cars", "robots") if archive_data[k].pk in found} == expected
    assert len(found) == len(expected)


@pytest.fixture
def policy_articles(shenzhen):
    """Articles that hold the words of typical unspaced queries apart, never as typed."""
    return {
        "suzhou_ai": ArticleFactory(
            title="苏州园区观察", body="<p>苏州工业园区加快布局，人工智能企业超过五百家。</p>"
        ),
        "ai_industry": ArticleFactory(
            title="算力与模型", body="<p>人工智能正在重塑制造业，相关产业规模持续扩大。</p>"
        ),
        "talent": ArticleFactory(title="引才观察", body="<p>深圳人才引进政策持续加码，住房补贴提高。</p>"),
        "space": ArticleFactory(
            title="厂房建设", body="<p>推进工业项目建设，企业上楼之后腾出更多空间。</p>"
        ),
        "unrelated": ArticleFactory(title="海洋经济", body="<p>海洋装备产业发展迅速。</p>"),
    }


@pytest.mark.parametrize(
    "term, key",
    [
        ("苏州人工智能", "suzhou_ai"),
        ("人工智能产业", "ai_industry"),
        ("人才政策", "talent"),
        ("工业上楼空间", "space"),
    ],
)
def test_unspaced_queries_find_words_apart(policy_articles, term, key):
    """Nobody types spaces in Chinese: the query is cut into words that may stand anywhere."""
    found = archive.search(term)
    assert found.ids == [policy_articles[key].pk]
    assert not found.any_word


@pytest.mark.parametrize("term", ["深圳新质生产力", "人才政策", "工业上楼空间", "深圳 新质生产力"])
def test_unspaced_queries_find_issue_117_once(demo, term):
    """Issue 117 is about exactly these: found, once — the signed issue, not its draft twin."""
    issue_117 = demo["issue_117"]
    assert ids(term) == [issue_117.articles.get().pk]


def test_any_word_fallback_is_said(archive_data):
    """When no article holds every word, articles with any of them are returned, and the result says so."""
    found = archive.search("芯片 渗透率")
    assert set(found.ids) == {archive_data["chips"].pk, archive_data["robots"].pk, archive_data["cars"].pk}
    assert found.any_word
    assert not archive.search("芯片 深圳").any_word


def test_quoted_phrase_must_be_contiguous(shenzhen):
    """“工业上楼” in quotes finds only the text that has it as written; unquoted, the words may be
    apart, and the text that has them together ranks first."""
    apart = ArticleFactory(title="园区", body="<p>工业园区建设加快，企业陆续上楼。</p>")
    together = ArticleFactory(title="厂房", body="<p>推进“工业上楼”厂房项目建设。</p>")
    assert ids('"工业上楼"') == [together.pk]
    assert ids("“工业上楼”") == [together.pk]
    assert ids("工业上楼") == [together.pk, apart.pk]


def test_a_word_split_by_markup_is_found_and_blocks_stay_apart(shenzhen):
    """A tag inside a word (工业<b>上楼</b>) does not hide it: such an article is checked against its
    index text, the others against their HTML only; a block boundary never joins two words."""
    split = ArticleFactory(title="甲", body="<p>推进工业<b>上楼</b>项目。</p>")
    plain = ArticleFactory(title="乙", body="<p>推进工业上楼项目。</p>")
    apart = ArticleFactory(title="丙", body="<p>推进工业</p><p>上楼项目。</p>")
    assert SearchDocument.objects.get(pk=split.pk).verbatim is False
    assert SearchDocument.objects.get(pk=plain.pk).verbatim is True
    assert set(ids('"工业上楼"')) == {split.pk, plain.pk}
    assert set(ids('"上楼项目"')) == {split.pk, plain.pk, apart.pk}


@pytest.mark.parametrize(
    "term, found",
    [("GDP", True), ("gdp", True), ("EDA", True), ("8.3%", True), ("8.3", True), ("2025", True), ("8.4%", False)],
)
def test_latin_words_and_numbers_are_tokens(shenzhen, term, found):
    """GDP, EDA, 8.3%, 2025 are words of their own; a different number is not a match."""
    article = ArticleFactory(title="数据", body="<p>增长 8.3%，占 GDP 比重提升；EDA 工具 2025 年国产化。</p>")
    ArticleFactory(title="其他", body="<p>增长 5.1%，产值 2024 年。</p>")
    assert ids(term) == ([article.pk] if found else [])


def test_highlight_marks_the_query_words_not_stray_characters(shenzhen):
    """8.3% is marked whole; its digits elsewhere are not."""
    article = ArticleFactory(title="数据", body="<p>增长 8.3%，其中 3 个区超过 8 个百分点。</p>")
    found = archive.search("8.3%")
    result = archive.results(search=found, ids=found.ids)[0]
    snippet = "".join(str(block.html) for block in result.snippet)
    assert snippet.count("<mark>") == 1
    assert "<mark>8.3%</mark>" in snippet
    assert result.article_id == article.pk


@pytest.mark.parametrize(
    "term, expected",
    [
        ("%", []),
        ("%_", []),
        ("'", []),
        ('"', []),
        ("&", []),
        ("|", []),
        ("!", []),
        (":", []),
        ("*", []),
        ("(", []),
        (")", []),
        ("\\", []),
        ("''\\", []),
        ("60%", ["cars"]),
        ("芯片%", ["robots", "chips"]),
        ('芯片" OR "', ["robots", "chips"]),
        ("芯片 & !深圳 | (x:*)", ["chips"]),  # 芯片, 深圳 and x: no article has all, so any-word
        ("芯片' OR 1=1 --", ["robots", "chips"]),  # any-word: none has 芯片, or and 1
    ],
)
def test_punctuation_and_percent_are_never_wildcards(archive_data, term, expected):
    """SQL, LIKE, tsquery and FTS5 syntax in the input is text: no error, no injection, `%` and
    punctuation alone find nothing (they are not words); in a word they are separators."""
    found = ids(term)
    if term == "芯片 & !深圳 | (x:*)":
        # any-word: 芯片 (chips, robots) or 深圳 (chips, cars) — ranked, all three
        assert set(found) == {archive_data[k].pk for k in ("chips", "robots", "cars")}
        return
    assert found == [archive_data[k].pk for k in expected]


def test_title_hits_rank_above_body_hits(shenzhen):
    """An article with the word in its title ranks above a newer one that has it only in the text."""
    old = NumberedIssueFactory(year=2020, number=1, total_number=1, issue_date=datetime.date(2020, 1, 1))
    new = NumberedIssueFactory(year=2024, number=1, total_number=2, issue_date=datetime.date(2024, 1, 1))
    in_title = ArticleFactory(issue=old, title="储能产业观察", body="<p>一个行业的观察。</p>")
    in_body = ArticleFactory(issue=new, title="行业观察", body="<p>储能产业发展迅速。</p>")
    assert ids("储能") == [in_title.pk, in_body.pk]


def test_headings_count_as_title(shenzhen):
    """A word in a heading of the text ranks like a word in the title."""
    in_heading = ArticleFactory(title="观察", body="<h2>一、储能产业</h2><p>行业发展。</p>")
    in_text = ArticleFactory(title="观察", body="<p>储能产业发展迅速。</p>")
    assert ids("储能") == [in_heading.pk, in_text.pk]


def test_whole_words_rank_above_pairs_and_newer_issues_break_ties(shenzhen):
    """人才 as a word (人才引进) ranks above 人才 across two words (个人|才能) in a newer issue;
    between equal hits the newer issue comes first."""
    issue = lambda year: NumberedIssueFactory(  # noqa: E731
        year=year, number=1, total_number=year, issue_date=datetime.date(year, 3, 1)
    )
    word_old = ArticleFactory(issue=issue(2019), title="甲", body="<p>加强人才引进工作。</p>")
    word_new = ArticleFactory(issue=issue(2021), title="乙", body="<p>完善人才引进机制。</p>")
    pair = ArticleFactory(issue=issue(2024), title="丙", body="<p>提升个人才能。</p>")
    assert ids("人才") == [word_new.pk, word_old.pk, pair.pk]


def test_drafts_only_for_roles_that_may_see_them(archive_data, role_user):
    """The draft's article is found by editors, not by circulation staff; in review also by reviewers."""
    robots = archive_data["robots"]
    assert robots.pk in ids("机器人", user=role_user("editor"))
    assert robots.pk not in ids("机器人", user=role_user("circulation"))
    assert robots.pk not in ids("机器人", user=role_user("reviewer"))
    Issue.objects.filter(pk=robots.issue_id).update(status=Issue.Status.IN_REVIEW)
    assert robots.pk in ids("机器人", user=role_user("reviewer", "reviewer2"))
    assert robots.pk not in ids("机器人", user=role_user("circulation", "circulation2"))


def test_a_draft_twin_is_shown_once_as_the_signed_issue(shenzhen):
    """Same title and text in a signed issue and in a draft: one result, the signed one; the draft
    only when asked for drafts."""
    signed = ArticleFactory(
        issue=NumberedIssueFactory(), title="深圳五大举措", body="<p>工业上楼，向天空借地。</p>"
    )
    twin = ArticleFactory(issue=Issue.objects.create(series=signed.issue.series), title="深圳五大举措",
                          body="<p>工业上楼，向天空借地。</p>")
    assert ids("工业上楼") == [signed.pk]
    assert ids("工业上楼", filters=SearchFilters(status="draft")) == [twin.pk]
    assert set(article_search_ids("工业上楼")) == {signed.pk, twin.pk}  # the admin's list of articles


def test_a_twin_edited_apart_is_found_again_and_once_more_when_it_is_a_twin_again(shenzhen):
    """Whether a document has a twin is kept on its narrow row: it follows every save of either."""
    signed = ArticleFactory(issue=NumberedIssueFactory(), title="深圳五大举措", body="<p>工业上楼，向天空借地。</p>")
    draft = ArticleFactory(issue=Issue.objects.create(series=signed.issue.series), title="深圳五大举措",
                           body="<p>工业上楼，向天空借地。</p>")
    assert ids("工业上楼") == [signed.pk]
    editor = UserFactory(is_superuser=True)
    draft = article_update(article=draft, seen_version=draft.version, user=editor, body="<p>工业上楼，再向天空借地。</p>")
    assert set(ids("工业上楼")) == {signed.pk, draft.pk}
    assert SearchDocument.objects.get(article=draft).twinned is False
    article_update(article=draft, seen_version=draft.version, user=editor, body="<p>工业上楼，向天空借地。</p>")
    assert ids("工业上楼") == [signed.pk]
    assert set(SearchDocument.objects.filter(article__in=[signed, draft]).values_list("twinned", flat=True)) == {True}


def test_filters(archive_data):
    """Series, year, cluster (with its sub-clusters) and status narrow the results."""
    assert ids("芯片", filters=SearchFilters(series_id=archive_data["other"].pk)) == [archive_data["robots"].pk]
    assert ids("芯片", filters=SearchFilters(year=2023)) == [archive_data["chips"].pk]
    assert ids("芯片", filters=SearchFilters(status="draft")) == [archive_data["robots"].pk]
    category = Cluster.objects.get(name="高端装备制造")
    assert ids("芯片", filters=SearchFilters(cluster_id=category.pk)) == [archive_data["robots"].pk]
    assert ids("深圳", filters=SearchFilters(year=2024, series_id=archive_data["series"].pk)) == [archive_data["cars"].pk]


def test_facets_count_the_results(archive_data):
    """Facets: each cluster once, as a tree (category above its clusters), with counts; years,
    series and statuses with counts."""
    facets = archive.search("产业").facets
    clusters = [(c.name, depth, n) for c, depth, n in facets.clusters]
    assert clusters == [("高端装备制造", 0, 1), ("智能机器人", 1, 1), ("绿色低碳", 0, 1), ("智能网联汽车", 1, 1)]
    names = [name for name, _d, _n in clusters]
    assert len(names) == len(set(names))
    assert dict(facets.years) == {2023: 1, 2024: 1, None: 1}
    assert dict(facets.series) == {archive_data["series"].pk: 2, archive_data["other"].pk: 1}
    assert dict(facets.statuses) == {"released": 2, "draft": 1}


def test_cluster_facet_follows_tags_and_the_cluster_tree(archive_data):
    """The cluster counts follow a tag added or removed and a cluster moved to another category."""
    cars = archive_data["cars"]

    def counts():
        return {c.name: n for c, _depth, n in archive.search("产业").facets.clusters}

    robots = Cluster.objects.get(name="智能机器人")
    tag = ArticleCluster.objects.create(article=cars, cluster=robots)
    assert counts()["智能机器人"] == 2 and counts()["高端装备制造"] == 2
    tag.delete()
    assert counts()["智能机器人"] == 1
    moved = Cluster.objects.get(name="智能网联汽车")
    moved.parent = Cluster.objects.get(name="高端装备制造")
    moved.save()
    assert counts() == {"高端装备制造": 2, "智能机器人": 1, "智能网联汽车": 1}
    robot_article = archive_data["robots"]  # the draft: articles of signed issues are read-only
    robot_article.body += "<p>又一段产业。</p>"
    robot_article.save()  # a save of the article keeps its clusters
    assert counts()["智能机器人"] == 1


def test_every_match_is_returned(shenzhen):
    """No window and no cap: all matching articles come back, counted exactly."""
    articles = [ArticleFactory(title="第%d篇" % i, body="<p>储能电站建设。</p>") for i in range(45)]
    found = archive.search("储能")
    assert found.total == 45
    assert sorted(found.ids) == sorted(a.pk for a in articles)


def test_long_documents_lose_no_match(shenzhen):
    """A word repeated far beyond PostgreSQL's 255 positions per word, and a phrase at the very end."""
    body = "<p>" + "产业发展，" * 2000 + "最后一句提到量子信息。</p>"
    article = ArticleFactory(title="长文", body=body)
    assert ids("量子信息") == [article.pk]
    assert ids('"提到量子信息"') == [article.pk]
    assert ids("产业发展") == [article.pk]


def test_index_terms_are_the_same_on_both_databases(shenzhen):
    """The database's index holds exactly the terms clusters.text derives from the article's title and
    body (PostgreSQL computes them in SQL from the HTML, SQLite is fed them)."""
    article = ArticleFactory(
        title="深圳 GDP 观察",
        body="<h2>举措<b>一</b></h2><p>增长 8.3%，工业上楼、新质生产力。</p><ul><li>R&amp;D&nbsp;投入</li></ul>"
        "<p>甲<br>乙</p><h3 class='x'>二、 推进 进展</h3><img alt='图片说明'>",
    )
    expected = text.document_terms(article.title, article.body)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tsvector_to_array(clusters_search_vector(title, body)), clusters_text(title, body), "
                "clusters_heads(title, body) FROM briefs_article WHERE id = %s",
                [article.pk],
            )
            terms, plain, heads = cursor.fetchone()
            stored = set(terms)
            assert plain == text.index_text(article.title, article.body)
            assert heads == text.index_heads(article.title, article.body)
        else:
            cursor.execute("CREATE VIRTUAL TABLE temp.terms_vocab USING fts5vocab(main, clusters_searchterms, 'row')")
            cursor.execute("SELECT term FROM temp.terms_vocab")
            stored = {row[0] for row in cursor.fetchall()}
    assert stored == expected
    assert {"gdp", "^gdp", "8.3%", "8.3", "^举措", "举措", "增长", "上楼", "r", "d", "甲$", "乙$", "^推进"} <= expected
    # no single characters, no words, no attributes; no run end where a pair starts with its character
    assert not {"增", "~增长", "图片", "举措一", "进$", "^进$"} & expected
    assert {"一$", "^一$", "展$", "^展$", "进展", "^进展"} <= expected


def test_index_follows_saves_and_deletes(archive_data):
    """Saving an article rebuilds its document; a deleted article is no longer found."""
    robots = archive_data["robots"]  # the draft: articles of signed issues are read-only
    robots.body = "<p>量子信息技术取得突破。</p>"
    robots.save()
    assert ids("量子") == [robots.pk]
    assert robots.pk not in ids("国产化")
    robots.delete()
    assert ids("量子") == []
    assert ArticleFactory(title="量子", body="<p>又一篇。</p>").pk in ids("量子")


def test_rebuild_command(archive_data):
    """rebuild_search_index rebuilds every document in bulk."""
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert SearchDocument.objects.count() == 3
    assert set(ids("芯片")) == {archive_data["chips"].pk, archive_data["robots"].pk}


def test_snippet_keeps_blocks_and_escapes_everything_else(shenzhen):
    """Matches are wrapped in <mark>; markup in the text and in the query is escaped; headings and
    paragraphs stay separate blocks."""
    article = ArticleFactory(
        title="<script>alert(1)</script>芯片", body="<h2>一、芯片攻关</h2><p>a &lt;b&gt; 芯片 c</p>"
    )
    found = archive.search("芯片<b>")
    result = archive.results(search=found, ids=[article.pk])[0]
    assert str(result.title) == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>芯片</mark>"
    blocks = [(str(block.html), block.is_heading) for block in result.snippet]
    assert blocks == [("一、<mark>芯片</mark>攻关", True), ("a &lt;<mark>b</mark>&gt; <mark>芯片</mark> c", False)]


def test_search_page(client, archive_data, role_user):
    """Staff in any role see the search page: count, highlighted titles linking to the issue, tags,
    facets; an any-word result says so."""
    client.force_login(role_user("editor"))
    response = client.get("/clusters/search/", {"q": "新能源汽车"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "找到 1 篇文章" in content
    assert "<mark>新能源汽车</mark>" in content
    assert 'href="/admin/briefs/issue/{}/change/"'.format(archive_data["cars"].issue_id) in content
    assert '<span class="zhiku-tag">智能网联汽车</span>' in content
    assert "zhiku-facet-year" in content
    response = client.get("/clusters/search/", {"q": "芯片 渗透率"})
    assert "zhiku-search-any-word" in response.content.decode()
    response = client.get("/clusters/search/", {"q": "<script>"})
    assert "<script>" not in response.content.decode().split('id="content-main"')[1].split("</form>")[1]


def test_search_page_paginates_every_match(client, shenzhen, role_user):
    """Page 3 of 45 matches holds the last 5; nothing is out of reach."""
    for i in range(45):
        ArticleFactory(title="第%d篇" % i, body="<p>储能电站建设。</p>")
    client.force_login(role_user("editor"))
    response = client.get("/clusters/search/", {"q": "储能", "page": 3})
    assert len(response.context["results"]) == 5
    assert "找到 45 篇文章" in response.content.decode()


def test_search_page_is_for_staff_with_a_role(client, archive_data):
    """Anonymous users go to the login page; staff without any role are refused."""
    response = client.get("/clusters/search/", {"q": "芯片"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="norole"))
    assert client.get("/clusters/search/", {"q": "芯片"}).status_code == 403


def test_search_page_query_count(client, archive_data, role_user):
    """The search page's queries do not grow with the results: the same for 1 and for 23 matches."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(role_user("editor"))
    client.get("/clusters/search/", {"q": "芯片"})

    def count(term):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/clusters/search/", {"q": term})
        return len(ctx.captured_queries)

    one = count("渗透率")
    for i in range(20):
        ArticleFactory(title="第%d篇" % i, body="<p>渗透率提升。</p>")
    assert count("渗透率") == one


def test_admin_changelist_search_uses_the_index(client, archive_data):
    """The Article changelist's search box finds words that are only in the body."""
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.get("/admin/briefs/article/", {"q": "渗透率"})
    assert [a.pk for a in response.context["cl"].result_list] == [archive_data["cars"].pk]


def test_search_box_on_the_admin_index_and_issue_pages(client, archive_data, role_user):
    """The admin index and every issue page carry the archive search box and the coverage link."""
    client.force_login(role_user("editor"))
    for url in ("/admin/", "/admin/briefs/issue/%d/change/" % archive_data["robots"].issue_id):
        content = client.get(url).content.decode()
        assert 'class="zhiku-search-box"' in content, url
        assert 'action="/clusters/search/"' in content
        assert 'href="/clusters/coverage/"' in content


def test_tokenizer_preloaded_by_the_app_config(settings, monkeypatch):
    """With CLUSTERS_PRELOAD_TOKENIZER on (production), ClustersConfig.ready loads jieba's dictionary,
    so a process forked after it (gunicorn preload_app) never loads it on its first search."""
    from django.apps import apps

    monkeypatch.setattr(text, "_tokenizer", None)
    settings.CLUSTERS_PRELOAD_TOKENIZER = False
    apps.get_app_config("clusters").ready()
    assert text._tokenizer is None
    settings.CLUSTERS_PRELOAD_TOKENIZER = True
    apps.get_app_config("clusters").ready()
    assert text._tokenizer is not None
