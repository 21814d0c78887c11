"""Reads of clusters: tag suggestions, coverage, archive search."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from briefs.models import Article

from . import text
from .models import ArticleCluster, Cluster, Taxonomy

# --- suggestions --------------------------------------------------------------------------------


def cluster_suggestions(*, article: Article, limit: int = 8) -> list[tuple[Cluster, int]]:
    """Active leaf clusters whose name, short name or aliases occur in the article, most mentions first,
    leaving out those it is already tagged with."""
    content = (f"{article.title} {text.html_to_text(article.body)}").lower()
    tagged = set(ArticleCluster.objects.filter(article=article).values_list("cluster_id", flat=True))
    clusters = Cluster.objects.filter(is_active=True, taxonomy__is_active=True, children__isnull=True)
    scored = []
    for cluster in clusters:
        if cluster.pk in tagged:
            continue
        # Longer terms first; a shorter one inside an already counted longer one is not counted again.
        remaining = content
        score = 0
        for term in sorted((t.lower() for t in cluster.terms), key=len, reverse=True):
            hits = remaining.count(term)
            if hits:
                score += hits
                remaining = remaining.replace(term, " ")
        if score:
            scored.append((cluster, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].position, pair[0].pk))
    return scored[:limit]


def cluster_descendant_ids(cluster_ids) -> list[int]:
    """The given clusters and everything under them (one query for the whole tree table)."""
    wanted = {int(i) for i in cluster_ids}
    children: dict[int, list[int]] = {}
    for pk, parent_id in Cluster.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, stack = set(), list(wanted)
    while stack:
        pk = stack.pop()
        if pk in result:
            continue
        result.add(pk)
        stack.extend(children.get(pk, []))
    return sorted(result)


# --- coverage -----------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    cluster: Cluster
    depth: int
    counts: list[int]
    total: int
    last_date: datetime.date | None
    is_stale: bool  # no article in the last 12 months
    bar_percent: int = 0


@dataclass
class Coverage:
    taxonomy: Taxonomy | None
    years: list[int | None]
    rows: list[CoverageRow] = field(default_factory=list)
    since: datetime.date | None = None

    @property
    def stale(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.is_stale and not row.cluster.children_ids]


def _article_year():
    return Coalesce(F("article__issue__year"), ExtractYear("article__issue__issue_date"))


def coverage(*, taxonomy: Taxonomy | None, today: datetime.date | None = None) -> Coverage:
    """Articles per cluster per year for one tree, with category totals and the clusters nothing was
    written about in the last 12 months. Three queries whatever the amount of data."""
    today = today or timezone.localdate()
    since = (
        today.replace(year=today.year - 1)
        if not (today.month == 2 and today.day == 29)
        else today - datetime.timedelta(days=365)
    )
    report = Coverage(taxonomy=taxonomy, years=[], since=since)
    if taxonomy is None:
        return report
    clusters = list(Cluster.objects.filter(taxonomy=taxonomy).order_by("position", "id"))
    tags = ArticleCluster.objects.filter(cluster__taxonomy=taxonomy)
    # Per cluster and year: distinct articles and the latest date (one scan of the tags); per parent
    # and year: distinct articles of its sub-clusters (an article tagged twice counts once).
    own = (
        tags.annotate(
            year=_article_year(), day=Coalesce(F("article__issue__issue_date"), F("article__created_at__date"))
        )
        .values("cluster_id", "cluster__parent_id", "year")
        .annotate(n=Count("article_id", distinct=True), last=Max("day"))
    )
    rolled = (
        tags.filter(cluster__parent__isnull=False)
        .annotate(year=_article_year())
        .values("cluster__parent_id", "year")
        .annotate(n=Count("article_id", distinct=True))
    )

    counts: dict[tuple[int, int | None], int] = {}
    years = set()
    last: dict[int, datetime.date] = {}
    for row in own:
        counts[(row["cluster_id"], row["year"])] = row["n"]
        years.add(row["year"])
        value = row["last"]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if value is not None:
            for key in (row["cluster_id"], row["cluster__parent_id"]):
                if key is not None:
                    last[key] = max(last.get(key, value), value)
    parent_counts: dict[tuple[int, int | None], int] = {}
    for row in rolled:
        parent_counts[(row["cluster__parent_id"], row["year"])] = row["n"]
        years.add(row["year"])
    report.years = sorted(years, key=lambda y: (y is None, y or 0))

    by_parent: dict[int | None, list[Cluster]] = {}
    for cluster in clusters:
        by_parent.setdefault(cluster.parent_id, []).append(cluster)
    for cluster in clusters:
        cluster.children_ids = [child.pk for child in by_parent.get(cluster.pk, [])]

    def walk(parent_id, depth):
        for cluster in by_parent.get(parent_id, []):
            own_counts = [counts.get((cluster.pk, y), 0) for y in report.years]
            if cluster.children_ids:
                row_counts = [
                    max(parent_counts.get((cluster.pk, y), 0), counts.get((cluster.pk, y), 0)) for y in report.years
                ]
            else:
                row_counts = own_counts
            last_date = last.get(cluster.pk)
            report.rows.append(
                CoverageRow(
                    cluster=cluster,
                    depth=depth,
                    counts=row_counts,
                    total=sum(row_counts),
                    last_date=last_date,
                    is_stale=cluster.is_active and (last_date is None or last_date < since),
                )
            )
            walk(cluster.pk, depth + 1)

    walk(None, 0)
    leaf_max = max([row.total for row in report.rows if not row.cluster.children_ids] or [0])
    for row in report.rows:
        if not row.cluster.children_ids and leaf_max:
            row.bar_percent = round(100 * row.total / leaf_max)
    return report


# --- search: see clusters.search ------------------------------------------------------------------

from .search import SearchFilters, article_search_ids, search  # noqa: E402,F401  (the public reads)
