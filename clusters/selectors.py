"""Reads of clusters: tag suggestions, coverage, archive search."""

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.safestring import SafeString

from briefs.models import Article, Issue

from . import text
from .models import ArticleCluster, Cluster, SearchDocument, Taxonomy

SEARCH_LIMIT = 500


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


# --- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    series_id: int | None = None
    year: int | None = None
    cluster_id: int | None = None
    status: str | None = None


@dataclass
class SearchResult:
    article_id: int
    issue_id: int
    issue: Issue
    title: SafeString
    snippet: SafeString
    url: str


def _filter_sql(filters: SearchFilters) -> tuple[str, str, list]:
    """(joins, " AND ..." conditions, params) narrowing rows aliased ``d`` with an ``article_id``."""
    article = Article._meta.db_table
    issue = Issue._meta.db_table
    tag = ArticleCluster._meta.db_table
    clauses, params = [], []
    if filters.series_id:
        clauses.append("i.series_id = %s")
        params.append(int(filters.series_id))
    if filters.year:
        clauses.append("i.year = %s")
        params.append(int(filters.year))
    if filters.status:
        clauses.append("i.status = %s")
        params.append(str(filters.status))
    if filters.cluster_id:
        ids = cluster_descendant_ids([filters.cluster_id])
        clauses.append(
            "EXISTS (SELECT 1 FROM {} t WHERE t.article_id = a.id AND t.cluster_id IN ({}))".format(
                tag, ", ".join(["%s"] * len(ids))
            )
        )
        params.extend(ids)
    if not clauses:
        return "", "", []
    joins = f" JOIN {article} a ON a.id = d.article_id JOIN {issue} i ON i.id = a.issue_id"
    return joins, "".join(" AND " + clause for clause in clauses), params


# The ranking looks at the most recent matches only: for a word that is in most of the archive,
# ranking every match costs more than the best 500 of the latest few thousand are worth.
RANK_WINDOW = 1000


MAX_WINDOWS = 6


def _pg_ids(cursor, phrases, words, joins, conditions, params, limit) -> list[int]:
    """Two steps, window by window from the latest article back.

    First the latest articles holding all the bigrams: the GIN index answers that exactly without
    reading a single vector (for words in most of the archive the planner would rather walk the
    primary key backwards reading every vector, many times slower, so the bitmap plan is asked
    for). Then, for that window only, the phrase check (the bigrams in order) and the rank. More
    windows are read while the phrase check leaves fewer than ``limit`` hits.

    phraseto_tsquery/plainto_tsquery parse the words themselves: input never becomes tsquery
    syntax; only the number of phrases shapes the SQL."""
    table = SearchDocument._meta.db_table
    all_bigrams = " ".join(token for p in phrases for token in p)
    phrase_sql = " && ".join(["phraseto_tsquery('simple', %s)"] * len(phrases))
    phrase_params = [" ".join(p) for p in phrases]
    needs_phrase = any(len(p) > 1 for p in phrases)
    rank_sql = (
        "SELECT r.article_id, r.rank FROM (SELECT w.article_id, {hit} AS hit, "
        "ts_rank(w.search_vector, ({phrases}) || plainto_tsquery('simple', %s)) AS rank "
        "FROM {table} w WHERE w.article_id = ANY(%s) OFFSET 0) r WHERE r.hit"
    ).format(hit="w.search_vector @@ (%s)" % phrase_sql if needs_phrase else "TRUE", phrases=phrase_sql, table=table)
    hits: list[tuple[float, int]] = []
    before = None
    for _window in range(MAX_WINDOWS):
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(
                f"SELECT d.article_id FROM {table} d{joins} WHERE d.search_vector @@ plainto_tsquery('simple', %s)"
                f"{conditions}{' AND d.article_id < %s' if before else ''} ORDER BY d.article_id DESC LIMIT %s",
                [all_bigrams, *params, *([before] if before else []), RANK_WINDOW],
            )
            window = [row[0] for row in cursor.fetchall()]
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_indexscan = on")
        if not window:
            break
        cursor.execute(rank_sql, [*(phrase_params if needs_phrase else []), *phrase_params, " ".join(words), window])
        hits.extend((rank, pk) for pk, rank in cursor.fetchall())
        if len(window) < RANK_WINDOW or len(hits) >= limit:
            break
        before = window[-1]
    hits.sort(key=lambda hit: (-hit[0], -hit[1]))
    return [pk for _rank, pk in hits[:limit]]


def _fts_ids(phrases: list[list[str]], words: list[str], filters: SearchFilters, limit: int) -> list[int]:
    joins, conditions, params = _filter_sql(filters)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _pg_ids(cursor, phrases, words, joins, conditions, params, limit)
        else:
            # Each phrase quoted as an FTS5 string (quotes doubled, tokens space-separated); the OR
            # group is implied by the phrases and only lets bm25 score the whole words too.
            def quoted(tokens):
                return '"{}"'.format(" ".join(tokens).replace('"', '""'))

            match = " AND ".join(quoted(p) for p in phrases)
            if words:
                match = "({}) AND ({} OR {})".format(match, " OR ".join(quoted([w]) for w in words), quoted(phrases[0]))
            sql = (
                "SELECT w.article_id FROM (SELECT d.article_id, d.r FROM (SELECT rowid AS article_id, "
                f"bm25(clusters_searchfts) AS r FROM clusters_searchfts WHERE clusters_searchfts MATCH %s) d{joins} "
                f"WHERE 1 = 1{conditions} ORDER BY d.article_id DESC LIMIT %s) w ORDER BY w.r, w.article_id DESC LIMIT %s"
            )
            cursor.execute(sql, [match, *params, RANK_WINDOW, limit])
        return [row[0] for row in cursor.fetchall()]


def _like_ids(term: str, filters: SearchFilters, limit: int) -> list[int]:
    """Plain substring match on the search table: the fallback when the words find nothing."""
    queryset = SearchDocument.objects.filter(Q(title__icontains=term) | Q(text__icontains=term))
    if filters.series_id:
        queryset = queryset.filter(article__issue__series_id=filters.series_id)
    if filters.year:
        queryset = queryset.filter(article__issue__year=filters.year)
    if filters.status:
        queryset = queryset.filter(article__issue__status=filters.status)
    if filters.cluster_id:
        queryset = queryset.filter(
            article__cluster_tags__cluster_id__in=cluster_descendant_ids([filters.cluster_id])
        ).distinct()
    return list(queryset.order_by("-article_id").values_list("article_id", flat=True)[:limit])


def article_search_ids(term: str, *, filters: SearchFilters | None = None, limit: int = SEARCH_LIMIT) -> list[int]:
    """Ids of articles matching ``term`` (titles and bodies of every issue), best first."""
    term = (term or "").strip()
    if not term:
        return []
    filters = filters or SearchFilters()
    phrases, words = text.query_terms(term)
    ids = _fts_ids(phrases, words, filters, limit) if phrases else []
    if not ids and len(term) <= 50:
        ids = _like_ids(term, filters, limit)
    return ids


def article_search_results(*, term: str, ids: list[int]) -> list[SearchResult]:
    """Results for ``ids`` (one page, in that order) with highlighted titles and snippets; one query."""
    documents = {
        d.article_id: d
        for d in SearchDocument.objects.filter(article_id__in=list(ids)).select_related("article__issue__series")
    }
    results = []
    for pk in ids:
        document = documents.get(pk)
        if document is None:
            continue
        issue = document.article.issue
        results.append(
            SearchResult(
                article_id=pk,
                issue_id=issue.pk,
                issue=issue,
                title=text.highlight(document.title, term, width=0),
                snippet=text.highlight(document.text, term),
                url=issue.get_absolute_url(),
            )
        )
    return results
