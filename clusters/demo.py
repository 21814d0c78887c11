"""The clusters part of load_demo: the 20+8 tree, and issue 117 tagged."""

from zhiku.actors import SYSTEM

from . import services
from .models import Cluster
from .taxonomy_data import ISSUE_117_TAGS


def load_demo_clusters(*, series, issues, stdout=None, **kwargs):
    taxonomy = services.taxonomy_load_shenzhen(user=SYSTEM)
    issue_117 = issues[0]
    clusters = {c.name: c for c in Cluster.objects.filter(taxonomy=taxonomy, name__in=ISSUE_117_TAGS)}
    tagged = 0
    for article in issue_117.articles.all():
        for name in ISSUE_117_TAGS:
            services.article_tag_add(article=article, cluster=clusters[name], user=SYSTEM)
            tagged += 1
    services.search_index_rebuild(articles=_articles_of(issues))
    if stdout is not None:
        stdout.write(f"产业集群：{taxonomy}（{taxonomy.clusters.count()} 个节点），第 117 期已标注 {tagged} 个集群。")


def _articles_of(issues):
    from briefs.models import Article

    return Article.objects.filter(issue__in=[issue.pk for issue in issues])
