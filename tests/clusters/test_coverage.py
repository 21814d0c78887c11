"""Coverage: articles per cluster per year, stale clusters, drill-down; constant number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters import selectors
from clusters.models import ArticleCluster, Cluster
from tests.factories import ArticleFactory, NumberedIssueFactory, SeriesFactory, UserFactory

TODAY = datetime.date(2024, 6, 30)


def _tag(name, year, day=None, n=1):
    series = SeriesFactory(slug="lingjun", name="领军参阅")
    issue = NumberedIssueFactory(series=series, year=year, issue_date=day or datetime.date(year, 1, 19))
    articles = []
    for _ in range(n):
        article = ArticleFactory(issue=issue)
        ArticleCluster.objects.create(article=article, cluster=Cluster.objects.get(name=name))
        articles.append(article)
    return articles


def test_counts_per_cluster_per_year(shenzhen):
    """Each cluster counts its articles per year; a category counts the distinct articles of its clusters."""
    _tag("智能机器人", 2023, n=2)
    _tag("智能机器人", 2024)
    [both] = _tag("工业母机", 2024)
    ArticleCluster.objects.create(article=both, cluster=Cluster.objects.get(name="激光与增材制造"))
    report = selectors.coverage(taxonomy=shenzhen, today=TODAY)
    assert report.years == [2023, 2024]
    rows = {row.cluster.name: row for row in report.rows}
    assert rows["智能机器人"].counts == [2, 1]
    assert rows["工业母机"].counts == [0, 1]
    assert rows["高端装备制造"].counts == [2, 2]  # the article with two tags counts once
    assert rows["高端装备制造"].total == 4
    assert rows["智能机器人"].bar_percent == 100
    assert rows["新材料"].total == 0


def test_stale_clusters(shenzhen):
    """Clusters with no article in the last 12 months are listed; recent ones are not."""
    _tag("智能机器人", 2024, day=datetime.date(2024, 3, 1))
    _tag("区块链", 2023, day=datetime.date(2023, 3, 1))
    report = selectors.coverage(taxonomy=shenzhen, today=TODAY)
    stale = {row.cluster.name for row in report.stale}
    assert "区块链" in stale
    assert "量子信息" in stale
    assert "智能机器人" not in stale
    assert "高端装备制造" not in stale  # categories are not listed, only clusters
    assert len(stale) == 27


def _queries(taxonomy):
    with CaptureQueriesContext(connection) as ctx:
        selectors.coverage(taxonomy=taxonomy, today=TODAY)
    return len(ctx.captured_queries)


def test_coverage_queries_do_not_grow_with_data(shenzhen, django_assert_max_num_queries):
    """The same number of queries for a little data and for a lot more."""
    _tag("智能机器人", 2023)
    small = _queries(shenzhen)
    for year in (2021, 2022, 2023, 2024):
        for name in ("智能机器人", "新能源", "区块链", "海洋产业", "合成生物"):
            _tag(name, year, n=2)
    with django_assert_max_num_queries(small):
        selectors.coverage(taxonomy=shenzhen, today=TODAY)
    assert small <= 4


def test_coverage_page(client, shenzhen, role_user, django_assert_max_num_queries):
    """The page shows the table, the bars, the stale list and drill-down links, in constant queries."""
    [article] = _tag("智能机器人", 2024, day=datetime.date.today())
    client.force_login(role_user("signer"))
    response = client.get("/clusters/coverage/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "各产业集群每年文章数" in content
    robots = Cluster.objects.get(name="智能机器人")
    assert f'href="/admin/briefs/article/?cluster={robots.pk}"' in content
    assert 'class="zhiku-bar"' in content
    assert "没有文章的产业集群" in content
    with CaptureQueriesContext(connection) as ctx:
        client.get("/clusters/coverage/")
    for year in (2021, 2022, 2023):
        _tag("新能源", year, n=3)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get("/clusters/coverage/")


def test_coverage_page_needs_a_role(client, shenzhen):
    """Staff without a role are refused."""
    client.force_login(UserFactory(username="norole"))
    assert client.get("/clusters/coverage/").status_code == 403


def test_nothing_in_the_admin_is_english(client, shenzhen):
    """The cluster admin pages render in Chinese."""
    client.force_login(UserFactory(username="root", is_superuser=True))
    content = client.get("/admin/clusters/cluster/").content.decode()
    for english in ("Industry cluster", "Coverage by cluster", "Archive search", "Tagged articles", "Short name"):
        assert english not in content
    assert "产业集群覆盖情况" in content
    content = client.get(
        "/admin/clusters/cluster/{}/change/".format(Cluster.objects.get(name="区块链").pk)
    ).content.decode()
    for english in ("Aliases", "Short name", "Parent", "Future industry"):
        assert english not in content
