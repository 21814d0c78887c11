"""The archive search (reads only): which articles match a query, in what order, with what facets.

A query is cut into needles (``clusters.text.parse_query``): every needle must occur (AND), and
when none does, any of them (the result says so). The index finds the articles holding all of a
needle's terms; a needle those terms do not prove contiguous (a word of three or more characters,
a quoted phrase) is checked against the article's index text (``clusters_text``: its title and body
as plain text). Every match is returned — no window, no cap — ordered by: title/heading hit, the
typed run as written, whole-word hit (the document's word filter), newer issue. Twins (the same
title and text in a draft and in its signed issue) count once: the signed one. Drafts and issues in
review are shown only to those who may see them.

The SQL differs by database only in spellings, listed side by side in ``_SPELLINGS``: how the
index is asked (a GIN expression index on the articles on PostgreSQL, an FTS5 table on SQLite), how
the word filter is read, and the names of a few functions; the rules are the same.
"""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from briefs.models import Article, Issue

from . import search_cache, text
from .models import ArticleCluster, Cluster, SearchDocument

DOCS = SearchDocument._meta.db_table
ARTICLES = Article._meta.db_table
TAGS = ArticleCluster._meta.db_table
FTS = "clusters_searchterms"
STATUS_RANK = {
    Issue.Status.RELEASED: 3,
    Issue.Status.SIGNED: 2,
    Issue.Status.IN_REVIEW: 1,
    Issue.Status.DRAFT: 0,
}


# --- the index, per database -----------------------------------------------------------------------
# The SQL is shared; what each database spells its own way is in one table, side by side.


def _tsquery_term(key):
    if key.endswith(text.PREFIX):
        return "'%s':*" % key[: -len(text.PREFIX)]
    return "'%s'" % key


def _fts_term(key):
    if key.endswith(text.PREFIX):
        return '"%s"*' % key[: -len(text.PREFIX)].replace('"', '""')
    return '"%s"' % key.replace('"', '""')


def _word_in_filter(word):
    # PostgreSQL: the document's Bloom filter, read with get_bit.
    bits = " AND ".join("get_bit(d.words, %s::bigint %% (8 * length(d.words))) = 1" for _h in range(text.WORD_HASHES))
    return f"(length(d.words) > 0 AND {bits})", text.word_hashes(word)


def _word_in_filter_by_function(word):
    # SQLite: the same filter, read by a Python function (``clusters.text.filter_has``).
    return "clusters_word(d.words, %s) = 1", [",".join(map(str, text.word_hashes(word)))]


_PG_MATCH = "clusters_search_vector(a.title, a.body) @@ %s::tsquery"
_FTS_IDS = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
# name: (PostgreSQL, SQLite). Keys are CJK characters, Latin letters, digits and . % ^ $ (never
# a quote or a backslash), so a term needs no escaping beyond FTS5's doubled quote.
_SPELLINGS = {
    # the substring function: (haystack, needle) -> position, 0 when absent
    "position": ("strpos", "instr"),
    "newline": ("E'\\n'", "char(10)"),
    # the issue's date, or the day it was created
    "day": ("COALESCE(i.issue_date, CAST(i.created_at AS date))", "COALESCE(i.issue_date, substr(i.created_at, 1, 10))"),
    # the comma-separated ids in {} as rows of a table ``c`` with one column, ``value``
    "split": ("unnest(string_to_array({}, ',')) AS c(value)", "json_each('[' || {} || ']') AS c"),
    # an index key as a term of the index's query language; how it joins terms all or any of which match
    "term": (_tsquery_term, _fts_term),
    "every": (" & ", " AND "),
    "some": (" | ", " OR "),
    # the ids of the articles matching the index query %s, and the same as a condition on article ``a``
    "index_ids": (f"SELECT a.id FROM {ARTICLES} a WHERE {_PG_MATCH}", _FTS_IDS),
    "index_condition": (_PG_MATCH, f"a.id IN ({_FTS_IDS})"),
    # every article id of the rows of table {table}, in the order {order}, comma-separated, and where
    # they are read from (SQLite 3.40 has no ORDER BY inside an aggregate: group_concat follows the
    # order of a sorted subquery)
    "ranked": ("string_agg(CAST(article_id AS TEXT), ',' ORDER BY {order})", "group_concat(article_id, ',')"),
    "ranked_from": ("{table}", "(SELECT article_id FROM {table} ORDER BY {order})"),
    # SQL true when document ``d`` has the whole word (its Bloom filter says so)
    "word": (_word_in_filter, _word_in_filter_by_function),
    # planner settings for the search's statement, (name, value)
    "settings": (
        (
            # Without fresh statistics the planner's estimates for the CTEs pass JIT's cost
            # thresholds, and compiling the query then takes seconds (measured: 2.7 s of 3.2).
            ("jit", "off"),
            # The planner knows neither what clusters_search_vector costs (regular expressions over
            # the whole article) nor that a bitmap scan of the GIN index does not compute it. When
            # most articles match (a common character) and their bodies lie out of line (TOAST,
            # as real articles' do), it would read the small heap and compute the function for
            # every row: 18 s for 展 over 20,000 articles of 9 KB, 45 ms through the index.
            ("enable_seqscan", "off"),
        ),
        (),
    ),
}


@dataclass(frozen=True)
class _Database:
    """The SQL both databases share, written with one database's spellings (``_SPELLINGS``)."""

    vendor: str
    position: str
    newline: str
    day: str
    split: str
    term: object
    every: str
    some: str
    index_ids: str
    index_condition: str
    ranked: str
    ranked_from: str
    word: object
    settings: tuple

    def ids(self, keys, *, every=True):
        """SQL selecting the ids of the articles the index finds holding every (or any) of ``keys``."""
        return self.index_ids, [self._index_query(keys, every)]

    def holds(self, keys, *, every=True):
        """The same as a condition on article ``a``."""
        return self.index_condition, [self._index_query(keys, every)]

    def _index_query(self, keys, every):
        return (self.every if every else self.some).join(self.term(key) for key in keys)

    def has_word(self, word):
        return self.word(word)

    def ranked_ids(self, table, order):
        """One row (0, None, every id of ``table`` best first, comma-separated)."""
        ranked, source = (spelling.format(table=table, order=order) for spelling in (self.ranked, self.ranked_from))
        return (
            f"SELECT 0, CAST(NULL AS BIGINT), {ranked}, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), "
            f"CAST(NULL AS INTEGER) FROM {source}"
        )

    def cluster_counts(self, table):
        """Rows (1, cluster, None, matches tagged with it or below it). The matches are grouped by
        their list of clusters first: a few hundred lists are split, not one per match."""
        return (
            "SELECT 1, CAST(c.value AS BIGINT), NULL, CAST(SUM(lists.n) AS BIGINT), NULL, NULL FROM "
            f"(SELECT clusters, COUNT(*) AS n FROM {table} WHERE clusters <> '' GROUP BY clusters) AS lists, "
            f"{self.split.format('lists.clusters')} GROUP BY c.value"
        )

    def contains(self, expr, needle):
        return f"{self.position}({expr}, %s) > 0", [needle]

    def occurs(self, needle_text, *, heads_only):
        """SQL true when article ``a`` has ``needle_text`` as written in its index text (or its title
        and headings). The raw title and HTML are tried first (cheap, and where most matches are);
        the index text, which takes the markup out, only when they do not have it."""
        if heads_only:
            return self.contains("clusters_heads(a.title, a.body)", needle_text)
        plain, plain_params = self.contains("clusters_text(a.title, a.body)", needle_text)
        if text.CJK_RUN.fullmatch(needle_text) is None:
            raw, raw_params = self.contains(f"lower(a.title || {self.newline} || a.body)", needle_text)
            return f"({raw} OR {plain})", raw_params + plain_params
        # A CJK word: lower() changes none of its characters, so the columns are read as they are;
        # the index text only for an article whose HTML has a tag or entity inside a word.
        body, body_params = self.contains("a.body", needle_text)
        title, title_params = self.contains("a.title", needle_text)
        marked = f"NOT EXISTS (SELECT 1 FROM {DOCS} v WHERE v.article_id = a.id AND v.verbatim)"
        return f"({body} OR {title} OR ({marked} AND {plain}))", body_params + title_params + plain_params


_DATABASES = {
    vendor: _Database(vendor=vendor, **{name: spellings[column] for name, spellings in _SPELLINGS.items()})
    for column, vendor in enumerate(("postgresql", "sqlite"))
}


def _backend():
    return _DATABASES[connection.vendor]


def _ids(db, keys, checks=()):
    """SQL selecting the ids of articles that hold every one of ``keys`` and pass every check."""
    if not checks:
        return db.ids(keys)
    sql, params = db.holds(keys)
    for check, check_params in checks:
        sql += " AND " + check
        params = params + check_params
    return f"SELECT a.id FROM {ARTICLES} a WHERE {sql}", params


def _matching(db, needles, *, heads_only: bool, every: bool):
    """SQL selecting the ids of articles holding every (or any) needle, in the title/headings or anywhere."""

    def keys_of(needle):
        return needle.head_keys if heads_only else needle.keys

    if every:
        keys = list(dict.fromkeys(k for n in needles for k in keys_of(n)))
        return _ids(db, keys, [db.occurs(n.text, heads_only=heads_only) for n in needles if n.needs_check])
    parts = [
        _ids(db, keys_of(n), [db.occurs(n.text, heads_only=heads_only)] if n.needs_check else []) for n in needles
    ]
    return " UNION ".join(sql for sql, _p in parts), [p for _sql, params in parts for p in params]


def _ancestor_pairs(model=Cluster) -> list[tuple[int, int]]:
    """(cluster, itself or an ancestor) for every cluster: what a tag counts towards in the facets."""
    parent = dict(model.objects.values_list("pk", "parent_id"))
    pairs = []
    for pk in parent:
        node, seen = pk, set()
        while node is not None and node not in seen:
            seen.add(node)
            pairs.append((pk, node))
            node = parent.get(node)
    return pairs


def _conditions(statuses, filters) -> tuple[list[str], list]:
    """WHERE clauses on the document ``d`` and its issue ``i`` for what the user may see and asked for."""
    conditions, params = [], []
    if statuses is not None:
        conditions.append("i.status IN (%s)" % ", ".join(["%s"] * len(statuses)))
        params += sorted(statuses)
    if filters.series_id:
        conditions.append("i.series_id = %s")
        params.append(int(filters.series_id))
    if filters.year:
        conditions.append("i.year = %s")
        params.append(int(filters.year))
    if filters.status:
        conditions.append("i.status = %s")
        params.append(str(filters.status))
    if filters.cluster_id:
        ids = sorted({c for c, a in _ancestor_pairs() if a == int(filters.cluster_id)}) or [0]
        conditions.append(
            f"EXISTS (SELECT 1 FROM {TAGS} t WHERE t.article_id = d.article_id AND t.cluster_id IN (%s))"
            % ", ".join(["%s"] * len(ids))
        )
        params += ids
    return conditions, params


def _tier(db, needles, runs, *, every: bool) -> tuple[str, list]:
    """SQL for the rank of ``d``: 4 × hit in title/headings + 2 × the typed runs as written + 1 × whole words."""
    head, head_params = _matching(db, needles, heads_only=True, every=every)
    words = [db.has_word(n.text) for n in needles if n.is_word]
    whole_sql, whole_params = "1 = 1", []
    if words:
        whole_sql = (" AND " if every else " OR ").join(sql for sql, _p in words)
        whole_params = [p for _sql, params in words for p in params]
    exact_sql, exact_params = "1 = 0", []
    if runs:
        # Only articles holding every pair of the runs (few: pairs across word joins are rare) are read.
        keys = [k for run in runs for k in text.run_keys(run)]
        exact, exact_params = _ids(db, keys, [db.occurs(run, heads_only=False) for run in runs])
        exact_sql = f"d.article_id IN ({exact})"
    sql = (
        f"CASE WHEN d.article_id IN ({head}) THEN 4 ELSE 0 END + CASE WHEN {exact_sql} THEN 2 ELSE 0 END "
        f"+ CASE WHEN {whole_sql} THEN 1 ELSE 0 END"
    )
    return sql, head_params + exact_params + whole_params


def _matches(needles, runs, *, every: bool, statuses, filters, dedupe: bool, facets: bool, window):
    """One query: the matching articles (ranked, filtered, twins once) — all, or the ``window``
    (offset, limit) of them — then their total and the facet counts.

    Rows of six columns: (0, article id, None, rank) best first, with a window; without one, a
    single (0, None, every article id best first, comma-separated); then (1, cluster, None, count),
    (2, series, status, count × 10000 + year) and (5, None, None, total), padded with NULLs."""
    db = _backend()
    where, params = _matching(db, needles, heads_only=False, every=every)
    tier, tier_params = _tier(db, needles, runs, every=every)
    conditions, condition_params = _conditions(statuses, filters)
    day = db.day
    twin_sql, twin_params = "", []
    if dedupe:
        # Twins share a fingerprint (few do, and their narrow rows say so: ``twinned``): a text is
        # left out when a twin the user may see is signed before it (else newer). Both hold the
        # same text, so both match.
        rank = " ".join(f"WHEN '{status}' THEN {value}" for status, value in STATUS_RANK.items())
        visible, twin_params = "", []
        if statuses is not None:
            visible += "AND i2.status IN (%s) " % ", ".join(["%s"] * len(statuses))
            twin_params += sorted(statuses)
        for column, value in (("status", filters.status), ("series_id", filters.series_id), ("year", filters.year)):
            if value:
                visible += f"AND i2.{column} = %s "
                twin_params.append(value)
        twin_sql = (
            " AND NOT (d.twinned "
            f"AND EXISTS (SELECT 1 FROM {DOCS} d2 JOIN {Issue._meta.db_table} i2 ON i2.id = d2.issue_id "
            f"WHERE d2.fingerprint = d.fingerprint AND d2.article_id <> d.article_id {visible}"
            f"AND (CASE i2.status {rank} ELSE 0 END, {day.replace('i.', 'i2.')}, d2.article_id) > "
            f"(CASE i.status {rank} ELSE 0 END, {day}, d.article_id)))"
        )
    order = "tier DESC, day DESC, issue_id DESC, position, article_id"
    if window is None:
        # Every match, best first, as one string of ids: one row leaves the database, not one per
        # match, and the union of hits and facets is not sorted.
        hits = db.ranked_ids("kept", order)
        window_params = []
    else:
        # Only one page leaves the database; the sort keeps the top rows only.
        hits = (
            f"SELECT 0, article_id, NULL, ROW_NUMBER() OVER (ORDER BY {order}), NULL, NULL "
            f"FROM (SELECT * FROM kept ORDER BY {order} LIMIT %s OFFSET %s) AS page"
        )
        window_params = [window[1], window[0]]
    sql = (
        "WITH kept AS MATERIALIZED (SELECT d.article_id, d.issue_id, d.position, d.clusters, i.series_id, "
        f"i.status, i.year, {day} AS day, {tier} AS tier "
        f"FROM {DOCS} d JOIN {Issue._meta.db_table} i ON i.id = d.issue_id WHERE d.article_id IN ({where})"
        + "".join(" AND " + c for c in conditions)
        + twin_sql
        + ") "
        + hits
        + " UNION ALL SELECT 5, NULL, NULL, COUNT(*), NULL, NULL FROM kept"
    )
    all_params = [*tier_params, *params, *condition_params, *twin_params, *window_params]
    if facets:
        # Series, year and status in one grouping (a few dozen rows), summed per facet in Python.
        sql += (
            " UNION ALL SELECT 2, series_id, status, COUNT(*) * 10000 + COALESCE(year, 0), NULL, NULL "
            "FROM kept GROUP BY series_id, year, status"
        )
        # Each match counts once towards each of its tag clusters and their ancestors, which its
        # narrow row lists (``SearchDocument.clusters``): no tag table, no cluster tree read here.
        sql += " UNION ALL " + db.cluster_counts("kept")
    if window is not None:
        sql += " ORDER BY 1, 4"
    # Inside a transaction that goes on after the search (a test's, a job's), settings local to the
    # transaction would outlast it.
    enclosed = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, _planner_settings(db, cursor, enclosed):
        cursor.execute(sql, all_params)
        return cursor.fetchall()


@contextmanager
def _planner_settings(db, cursor, enclosed: bool):
    """The database's planner settings for the search's statement only. They are set local to the
    transaction; when it is ``enclosed`` in one that goes on, they would steer every later query
    of it, so the values found there are read first (their own statement: PostgreSQL does not
    promise the order a select list is computed in) and put back."""
    if not db.settings:
        yield
        return
    names = [name for name, _value in db.settings]
    sets = ", ".join(["set_config(%s, %s, true)"] * len(names))
    found = None
    if enclosed:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        found = cursor.fetchone()
    cursor.execute(f"SELECT {sets}", [part for setting in db.settings for part in setting])
    yield
    if enclosed:
        cursor.execute(f"SELECT {sets}", [part for pair in zip(names, found, strict=True) for part in pair])


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
    ids: list[int]  # every match best first, or those of ``page``
    total: int = 0  # exact
    page: int | None = None
    any_word: bool = False  # no article had every word: these have at least one
    facets: Facets = field(default_factory=Facets)


def search(term: str, *, user=None, filters: SearchFilters | None = None, facets: bool = True,
           dedupe: bool = True, page: int | None = None, page_size: int = 20) -> Search:
    """Articles ``user`` may see that match ``term`` and ``filters``, best first, with their total
    and facet counts: every one, or only page ``page`` (1-based; past the end, the last page).

    Every match is ranked and counted once per query, filters and visible statuses, then served
    from the cache (``clusters.search_cache``) until something a search reads changes."""
    term = (term or "").strip()
    needles = text.parse_query(term)
    result = Search(term=term, needles=needles, ids=[])
    if not needles:
        return result
    options = {
        "statuses": visible_statuses(user),
        "filters": filters or SearchFilters(),
        "dedupe": dedupe,
        "facets": facets,
        "runs": text.joined_runs(term),
    }
    window = None if page is None else ((max(page, 1) - 1) * page_size, page_size)
    if search_cache.usable():
        statuses = options["statuses"]
        cache_key = search_cache.key(
            [(n.text, n.quoted) for n in needles],
            options["runs"],
            None if statuses is None else sorted(statuses),
            options["filters"],
            dedupe,
            facets,
        )
        ranked = search_cache.get(cache_key)
        if ranked is None:
            ids, total, any_word, facet_rows = _ranked(needles, **options, window=None)
            ranked = (ids, total, any_word, _facets(facet_rows) if facets and total else Facets())
            search_cache.put(cache_key, ranked)
        ids, result.total, result.any_word, result.facets = ranked
        if window is not None:
            page = min(max(page, 1), max(1, (result.total - 1) // page_size + 1))
            ids = ids[(page - 1) * page_size : page * page_size]
    else:
        # This connection's own writes are not committed yet: nothing is read from or stored in
        # the cache, and only the page asked for leaves the database.
        ids, result.total, result.any_word, facet_rows = _ranked(needles, **options, window=window)
        if page is not None and not ids and result.total:
            last = (result.total - 1) // page_size + 1
            return search(term, user=user, filters=filters, facets=facets, dedupe=dedupe, page=last, page_size=page_size)
        if facets and result.total:
            result.facets = _facets(facet_rows)
    result.ids = list(ids)
    result.page = page
    return result


def _ranked(needles, *, window, **options) -> tuple[list[int], int, bool, list[tuple]]:
    """(ids best first — all, or the ``window`` — the exact total, whether only any word matched,
    the facet rows)."""
    rows = _matches(needles, every=True, window=window, **options)
    any_word = False
    if not _total(rows) and len(needles) > 1:
        rows = _matches(needles, every=False, window=window, **options)
        any_word = True
    hits = [row for row in rows if row[0] == 0]
    if window is None:
        ids = [int(pk) for row in hits if row[2] for pk in row[2].split(",")]
    else:
        ids = [row[1] for row in hits]
    return ids, _total(rows), any_word, [tuple(row[:4]) for row in rows if row[0] in (1, 2)]


def _total(rows) -> int:
    return next((row[3] for row in rows if row[0] == 5), 0)


def _facets(rows) -> Facets:
    per_cluster = {key: n for kind, key, _label, n in rows if kind == 1}
    clusters = list(Cluster.objects.filter(pk__in=list(per_cluster)).order_by("taxonomy__position", "position", "id"))
    present = {c.pk for c in clusters}
    depth = {}
    for c in clusters:  # parents come before their children in this order
        depth[c.pk] = depth[c.parent_id] + 1 if c.parent_id in present else 0
    series, years, statuses = Counter(), Counter(), Counter()
    for kind, series_id, status, packed in rows:
        if kind == 2:
            count, year = divmod(packed, 10000)
            series[series_id] += count
            years[year or None] += count
            statuses[status] += count
    return Facets(
        series=sorted(series.items()),
        years=sorted(years.items(), key=lambda kv: -(kv[0] or 0)),
        statuses=sorted(statuses.items(), key=lambda kv: -STATUS_RANK.get(kv[0], 0)),
        clusters=[(c, depth[c.pk], per_cluster[c.pk]) for c in clusters],
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
    """One page of results, in ``ids``' order: highlighted title, issue, tags, snippet. Three queries,
    or none when the same page of the same query was shown since the last change (the cache)."""
    if not search_cache.usable():
        return _results(search, ids)
    cache_key = search_cache.key("results", list(ids), [(n.text, n.quoted) for n in search.needles])
    page = search_cache.get(cache_key)
    if page is None:
        page = _results(search, ids)
        search_cache.put(cache_key, page)
    return page


def _results(search: Search, ids: list[int]) -> list[SearchResult]:
    documents = {
        d.article_id: d
        for d in SearchDocument.objects.filter(article_id__in=list(ids))
        .select_related("issue__series", "article")
        .defer("words")
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
        body = document.article.body
        issue = document.issue
        out.append(
            SearchResult(
                article_id=pk,
                issue=issue,
                title=text.highlight(document.article.title, search.needles),
                snippet=text.snippet("\n".join(text.html_blocks(body)), set(text.html_headings(body)), search.needles),
                clusters=tags.get(pk, []),
                url=issue.get_absolute_url(),
            )
        )
    return out
