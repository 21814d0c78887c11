"""The archive search (reads only): which articles match a query, in what order, with what facets.

A query is cut into needles (``clusters.text.parse_query``): every needle must occur (AND), and
when none does, any of them (the result says so). The index finds the documents holding all of a
needle's terms; a needle those terms do not prove contiguous (a word of three or more characters,
a quoted phrase) is checked against the stored text, unless the document holds it as a whole jieba
word. Every match is returned — no window, no cap — ordered by: title/heading hit, whole-word hit,
newer issue. Twins (the same title and text in a draft and in its signed issue) count once: the
signed one. Drafts and issues in review are shown only to those who may see them.

The SQL differs by database only in how the index is asked (a GIN expression index on PostgreSQL,
an FTS5 table on SQLite) and in the name of the substring function; the rules are the same.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection

from briefs.models import Article, Issue

from . import text
from .models import ArticleCluster, Cluster, SearchDocument

DOCS = SearchDocument._meta.db_table
FTS = "clusters_searchterms"
STATUS_RANK = {
    Issue.Status.RELEASED: 3,
    Issue.Status.SIGNED: 2,
    Issue.Status.IN_REVIEW: 1,
    Issue.Status.DRAFT: 0,
}


# --- the index, per database -----------------------------------------------------------------------


class _Postgres:
    @staticmethod
    def holds(alias, keys, *, every=True):
        op = "@>" if every else "&&"
        return f'clusters_search_terms({alias}.heads, {alias}."text") {op} %s::text[]', [list(keys)]

    @staticmethod
    def contains(expr, needle):
        return f"strpos({expr}, %s) > 0", [needle]

    @staticmethod
    def plain(alias, heads_only, lower):
        expr = f"{alias}.heads" if heads_only else f"{alias}.heads || E'\\n' || {alias}.\"text\""
        expr = f"replace({expr}, E'\\x1f', '')"
        return f"lower({expr})" if lower else expr

    @staticmethod
    def clusters_of(alias):
        return f"(SELECT string_agg(t.cluster_id::text, ',') FROM {ArticleCluster._meta.db_table} t WHERE t.article_id = {alias}.article_id)"


class _Sqlite:
    @staticmethod
    def holds(alias, keys, *, every=True):
        match = (" AND " if every else " OR ").join('"%s"' % k.replace('"', '""') for k in keys)
        return f"{alias}.article_id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [match]

    @staticmethod
    def contains(expr, needle):
        return f"instr({expr}, %s) > 0", [needle]

    @staticmethod
    def plain(alias, heads_only, lower):
        expr = f"{alias}.heads" if heads_only else f"{alias}.heads || char(10) || {alias}.text"
        expr = f"replace({expr}, char(31), '')"
        return f"lower({expr})" if lower else expr

    @staticmethod
    def clusters_of(alias):
        return f"(SELECT group_concat(t.cluster_id) FROM {ArticleCluster._meta.db_table} t WHERE t.article_id = {alias}.article_id)"


def _backend():
    return _Postgres if connection.vendor == "postgresql" else _Sqlite


def _has_latin(needle: text.Needle) -> bool:
    return any("a" <= c <= "z" for c in needle.text)


def _needle_sql(db, alias, needle: text.Needle, *, heads_only: bool, with_keys: bool = True):
    """SQL true when the document ``alias`` contains ``needle`` (in its title/headings only, or anywhere)."""
    parts, params = [], []
    if with_keys:
        keys = needle.head_keys if heads_only else needle.keys
        sql, p = db.holds(alias, keys)
        parts.append(sql)
        params += p
    if needle.needs_check:
        check, p = db.contains(db.plain(alias, heads_only, _has_latin(needle)), needle.text)
        if needle.word_key and not heads_only:
            # A whole jieba word is contiguous by definition: only the others need reading.
            word, wp = db.holds(alias, [needle.word_key])
            check, p = f"({word} OR {check})", wp + p
        parts.append(check)
        params += p
    return " AND ".join(parts) or "1 = 1", params


def _all_or_any(db, alias, needles, *, heads_only, every):
    if every:
        keys = [k for n in needles for k in (n.head_keys if heads_only else n.keys)]
        sql, params = db.holds(alias, list(dict.fromkeys(keys)))
        for needle in needles:
            check, p = _needle_sql(db, alias, needle, heads_only=heads_only, with_keys=False)
            if needle.needs_check:
                sql += " AND " + check
                params += p
        return sql, params
    parts, params = [], []
    for needle in needles:
        sql, p = _needle_sql(db, alias, needle, heads_only=heads_only)
        parts.append(f"({sql})")
        params += p
    return "(" + " OR ".join(parts) + ")", params


@dataclass
class Match:
    article_id: int
    tier: int  # 2 × hit in title/headings + whole-word hit
    issue_id: int
    position: int
    series_id: int
    status: str
    year: int | None
    day: datetime.date
    fingerprint: str
    cluster_ids: tuple[int, ...]


def _matches(needles, *, every: bool) -> list[Match]:
    db = _backend()
    where, params = _all_or_any(db, "d", needles, heads_only=False, every=every)
    head, head_params = _all_or_any(db, "h", needles, heads_only=True, every=every)
    word_keys = [n.word_key for n in needles if n.word_key]
    if word_keys:
        whole, whole_params = db.holds("w", word_keys, every=every)
        whole_sql = f"d.article_id IN (SELECT w.article_id FROM {DOCS} w WHERE {whole})"
    else:
        whole_sql, whole_params = "1 = 1", []
    sql = (
        f"SELECT d.article_id, d.fingerprint, a.issue_id, a.position, i.series_id, i.status, i.year, "
        f"i.issue_date, i.created_at, "
        f"CASE WHEN d.article_id IN (SELECT h.article_id FROM {DOCS} h WHERE {head}) THEN 2 ELSE 0 END "
        f"+ CASE WHEN {whole_sql} THEN 1 ELSE 0 END, {db.clusters_of('d')} "
        f"FROM {DOCS} d JOIN {Article._meta.db_table} a ON a.id = d.article_id "
        f"JOIN {Issue._meta.db_table} i ON i.id = a.issue_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head_params, *whole_params, *params])
        rows = cursor.fetchall()
    matches = []
    for pk, fp, issue_id, position, series_id, status, year, issue_date, created_at, tier, clusters in rows:
        if issue_date is None:
            issue_date = created_at.date() if isinstance(created_at, datetime.datetime) else _date(created_at)
        matches.append(
            Match(
                pk, tier, issue_id, position, series_id, status, year, _date(issue_date), fp,
                tuple(int(c) for c in clusters.split(",")) if clusters else (),
            )
        )
    return matches


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands back text for expressions
        return datetime.date.fromisoformat(value[:10])
    return value


def _order_key(m: Match):
    return (-m.tier, -m.day.toordinal(), -m.issue_id, m.position, m.article_id)


# --- who sees what ---------------------------------------------------------------------------------


def visible_statuses(user) -> set[str] | None:
    """Statuses whose issues ``user`` may find (None: all). Drafts for those who write issues;
    issues in review also for reviewers and signers; signed and released issues for everybody."""
    if user is None or user.is_superuser or user.has_perm("briefs.change_issue"):
        return None
    from zhiku import roles

    names = set(user.groups.values_list("name", flat=True))
    reviewing = {roles.role_group_name(roles.REVIEWER), roles.role_group_name(roles.SIGNER)}
    seen = {Issue.Status.SIGNED, Issue.Status.RELEASED}
    return seen | {Issue.Status.IN_REVIEW} if names & reviewing else seen


# --- the search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    series_id: int | None = None
    year: int | None = None
    cluster_id: int | None = None
    status: str | None = None


@dataclass
class Facets:
    series: list[tuple[int, int]] = field(default_factory=list)  # (series id, count)
    years: list[tuple[int | None, int]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)
    clusters: list[tuple[Cluster, int, int]] = field(default_factory=list)  # (cluster, depth, count)


@dataclass
class Search:
    term: str
    needles: list[text.Needle]
    ids: list[int]  # every match, best first
    any_word: bool = False  # no article had every word: these have at least one
    facets: Facets = field(default_factory=Facets)

    @property
    def total(self) -> int:
        return len(self.ids)


def _descendants() -> tuple[dict[int, list[int]], list[Cluster]]:
    clusters = list(Cluster.objects.select_related("taxonomy").order_by("taxonomy__position", "position", "id"))
    ancestors = {}
    parent = {c.pk: c.parent_id for c in clusters}
    for c in clusters:
        chain, node = [], c.pk
        while node is not None and node not in chain:
            chain.append(node)
            node = parent.get(node)
        ancestors[c.pk] = chain
    return ancestors, clusters


def _dedupe(matches: list[Match]) -> list[Match]:
    best: dict[str, Match] = {}
    for m in matches:
        if not m.fingerprint:
            continue
        kept = best.get(m.fingerprint)
        if kept is None or (STATUS_RANK.get(m.status, 0), m.day, m.article_id) > (
            STATUS_RANK.get(kept.status, 0), kept.day, kept.article_id
        ):
            best[m.fingerprint] = m
    return [m for m in matches if not m.fingerprint or best[m.fingerprint] is m]


def search(term: str, *, user=None, filters: SearchFilters | None = None, facets: bool = True,
           dedupe: bool = True) -> Search:
    """Every article ``user`` may see that matches ``term`` and ``filters``, best first, with facet counts."""
    term = (term or "").strip()
    needles = text.parse_query(term)
    result = Search(term=term, needles=needles, ids=[])
    if not needles:
        return result
    matches = _matches(needles, every=True)
    if not matches and len(needles) > 1:
        matches = _matches(needles, every=False)
        result.any_word = True
    statuses = visible_statuses(user)
    if statuses is not None:
        matches = [m for m in matches if m.status in statuses]
    filters = filters or SearchFilters()
    if filters.series_id:
        matches = [m for m in matches if m.series_id == filters.series_id]
    if filters.year:
        matches = [m for m in matches if m.year == filters.year]
    if filters.status:
        matches = [m for m in matches if m.status == filters.status]
    ancestors = clusters = None
    if filters.cluster_id or (facets and matches):
        ancestors, clusters = _descendants()
    if filters.cluster_id:
        matches = [m for m in matches if any(filters.cluster_id in ancestors.get(c, ()) for c in m.cluster_ids)]
    if dedupe:
        matches = _dedupe(matches)
    matches.sort(key=_order_key)
    result.ids = [m.article_id for m in matches]
    if facets and matches:
        result.facets = _facets(matches, ancestors, clusters)
    return result


def _facets(matches: list[Match], ancestors, clusters) -> Facets:
    per_cluster: Counter = Counter()
    for m in matches:
        per_cluster.update({a for c in m.cluster_ids for a in ancestors.get(c, ())})
    depth = {}
    for c in clusters:
        depth[c.pk] = 0 if c.parent_id is None else depth.get(c.parent_id, 0) + 1
    return Facets(
        series=sorted(Counter(m.series_id for m in matches).items()),
        years=sorted(Counter(m.year for m in matches).items(), key=lambda kv: -(kv[0] or 0)),
        statuses=sorted(Counter(m.status for m in matches).items(), key=lambda kv: -STATUS_RANK.get(kv[0], 0)),
        clusters=[(c, depth[c.pk], per_cluster[c.pk]) for c in clusters if per_cluster[c.pk]],
    )


def article_search_ids(term: str) -> list[int]:
    """For briefs' admin search boxes (``register_article_search``): ids of every article whose title
    or text matches ``term``, best first. The changelist applies its own permissions; twins stay
    apart there, since the list is of articles, not of texts."""
    return search(term, facets=False, dedupe=False).ids


# --- one page of results ---------------------------------------------------------------------------


@dataclass
class SearchResult:
    article_id: int
    issue: Issue
    title: object
    snippet: list
    clusters: list[Cluster]
    url: str


def results(*, search: Search, ids: list[int]) -> list[SearchResult]:
    """One page of results, in ``ids``' order: highlighted title, issue, tags, snippet. Two queries."""
    documents = {
        d.article_id: d
        for d in SearchDocument.objects.filter(article_id__in=list(ids)).select_related("article__issue__series")
    }
    tags: dict[int, list[Cluster]] = {}
    for tag in ArticleCluster.objects.filter(article_id__in=list(ids)).select_related("cluster").order_by(
        "cluster__position", "id"
    ):
        tags.setdefault(tag.article_id, []).append(tag.cluster)
    out = []
    for pk in ids:
        document = documents.get(pk)
        if document is None:
            continue
        headings = set(text.unsegment(document.heads).split("\n")[1:])
        issue = document.article.issue
        out.append(
            SearchResult(
                article_id=pk,
                issue=issue,
                title=text.highlight(document.title, search.needles),
                snippet=text.snippet(document.text, headings, search.needles),
                clusters=tags.get(pk, []),
                url=issue.get_absolute_url(),
            )
        )
    return out
