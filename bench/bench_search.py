"""Archive search at 20,000 articles, on the database DATABASE_URL names (SQLite by default).

The articles are generated, deterministically, from the vocabulary of issue 117 (the seed text cut
by jieba, words drawn by their frequency, cluster names and aliases mixed in) and spread over ten
years of two series. Figures: time to create the data and build the index in bulk; the index's size
against the text's; search p95 for one-, two- and four-character and unspaced multi-word queries —
what the search page does: every match ranked, counted and faceted, and the first page's titles and
snippets — once with the cache emptied before each run (a query nobody asked since the last
change), once as a repeated search (ranked ids, total and facets from the cache), and pages 2–5 of
it; against an ``icontains`` scan doing the same work as far as it can: every match, the
same order (newest issue first), counted, first page read; recall: every article ``icontains``
finds for a single word, the search finds; the coverage page's selector and its number of queries.

Run with ``python -m bench search``; BENCH_SEARCH_ARTICLES changes the number of articles,
BENCH_SEARCH_RUNS the runs per query (20); BENCH_SEARCH_SIZE_ONLY=1 stops after the index size;
BENCH_SEARCH_LENGTH=7 makes the articles about as long as issue 117's (~9 KB of HTML; 1 by default,
~1.3 KB).
"""

import os
import random
import statistics
import time
from collections import Counter
from pathlib import Path

ARTICLES = int(os.environ.get("BENCH_SEARCH_ARTICLES", "20000"))
ARTICLES_PER_ISSUE = 10
# Paragraphs LENGTH times as long: 7 gives articles about as long as issue 117's (~9 KB of HTML).
LENGTH = int(os.environ.get("BENCH_SEARCH_LENGTH", "1"))
SEED_TEXT = Path(os.environ.get("ZHIKU_SEED", Path(__file__).resolve().parent.parent / "tests" / "data" / "issue_117_seed.txt"))
QUERIES = {
    1: ["芯", "链", "海", "量", "展"],
    2: ["芯片", "储能", "基金", "创新", "韧性"],
    4: ["产业集群", "集成电路", "工业上楼", "量子信息", "专项基金"],
    "multi": ["深圳新质生产力", "深圳芯片", "人工智能产业", "人才政策", "工业上楼空间"],
}
PAGE = 20
RUNS = int(os.environ.get("BENCH_SEARCH_RUNS", "20"))
BASELINE_RUNS = 3  # the icontains scan takes up to seconds on PostgreSQL; a few runs tell enough
TARGET_MS = 100.0


def _vocabulary(rng: random.Random):
    from clusters import text
    from clusters.taxonomy_data import SHENZHEN_TERMS

    seed = SEED_TEXT.read_text(encoding="utf-8") if SEED_TEXT.exists() else ""
    if not seed:
        from briefs import demo_content

        seed = "。".join(block for _kind, block in demo_content.ARTICLE_BLOCKS)
    words = Counter(w for w in text.tokenizer().cut(seed, HMM=False) if text.CJK.match(w))
    for term in SHENZHEN_TERMS:
        if text.CJK.match(term):
            words[term] += 2
    return list(words), list(words.values())


def _sentences(rng, vocabulary, weights, count):
    pool = []
    for _ in range(count):
        clauses = []
        for _clause in range(rng.randint(1, 3)):
            clauses.append("".join(rng.choices(vocabulary, weights, k=rng.randint(4, 9))))
        pool.append("，".join(clauses) + "。")
    return pool


def _build(rng):
    from datetime import date

    from briefs.models import Article, Issue, Series
    from clusters.models import ArticleCluster, Cluster
    from clusters.services import search_index_rebuild

    vocabulary, weights = _vocabulary(rng)
    pool = _sentences(rng, vocabulary, weights, 6000)
    leaves = list(Cluster.objects.filter(children__isnull=True))
    series = [
        Series.objects.create(name="领军参阅", slug="lingjun", publisher_lines="苏州太湖书院 主办"),
        Series.objects.create(name="决策参考", slug="juece", publisher_lines="苏州太湖智库"),
    ]
    started = time.perf_counter()
    issues, totals = [], {s.pk: 0 for s in series}
    per_year: Counter = Counter()
    for i in range(ARTICLES // ARTICLES_PER_ISSUE):
        s = series[i % 2]
        year = 2015 + (i * 10) // (ARTICLES // ARTICLES_PER_ISSUE)
        per_year[(s.pk, year)] += 1
        totals[s.pk] += 1
        issues.append(
            Issue(
                series=s,
                year=year,
                number=per_year[(s.pk, year)],
                total_number=totals[s.pk],
                issue_date=date(year, 1 + (per_year[(s.pk, year)] % 12), 1 + (i % 28)),
                status=Issue.Status.RELEASED if rng.random() < 0.9 else Issue.Status.SIGNED,
            )
        )
    issues = Issue.objects.bulk_create(issues, batch_size=1000)
    articles = []
    for issue in issues:
        for position in range(1, ARTICLES_PER_ISSUE + 1):
            title = "".join(rng.choices(vocabulary, weights, k=rng.randint(3, 5)))
            if rng.random() < 0.5:
                title = rng.choice(leaves).name + title
            body = "".join(
                "<p>%s</p>" % "".join(rng.choices(pool, k=rng.randint(2, 4) * LENGTH))
                for _p in range(rng.randint(3, 6))
            )
            articles.append(Article(issue=issue, position=position, title=title[:200], body=body))
    articles = Article.objects.bulk_create(articles, batch_size=1000)
    tags = []
    for article in articles:
        for cluster in rng.sample(leaves, rng.randint(1, 2)):
            tags.append(ArticleCluster(article=article, cluster=cluster))
    ArticleCluster.objects.bulk_create(tags, batch_size=2000)
    created = time.perf_counter() - started
    started = time.perf_counter()
    indexed = search_index_rebuild(batch_size=2000)
    index_time = time.perf_counter() - started
    chars = sum(len(a.body) for a in articles)
    print(
        "data: %d articles (%d issues, %d tags, %.1f MB of HTML) created in %.1f s; index of %d built in %.1f s"
        % (len(articles), len(issues), len(tags), chars * 3 / 1e6, created, indexed, index_time)
    )


def _p95(samples):
    samples = sorted(samples)
    return samples[max(0, int(round(0.95 * len(samples))) - 1)] * 1000


def _time(fn, queries, runs=RUNS, before_each=None):
    samples, hits = [], []
    for q in queries:
        hits.append(fn(q))  # warm-up run, also counts the matches
        for _ in range(runs):
            if before_each:
                before_each()
            started = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - started)
    return samples, hits


def _search_page(q):
    """What the search page does: every match ranked, counted, faceted (or all that read from the
    cache); the first page's results."""
    from clusters import search

    found = search.search(q, page=1, page_size=PAGE)
    search.results(search=found, ids=found.ids)
    return found.total


def _next_pages(q):
    """Pages 2 to 5 of the same query, one after the other (what paging through results does)."""
    from clusters import search

    for number in range(2, 6):
        found = search.search(q, page=number, page_size=PAGE)
        search.results(search=found, ids=found.ids)
    return found.total


def _empty_cache():
    from django.core.cache import cache

    cache.clear()


def _icontains_ids(q):
    from django.db.models import Q

    from briefs.models import Article

    return list(
        Article.objects.filter(Q(title__icontains=q) | Q(body__icontains=q))
        .order_by("-issue__issue_date", "-id")
        .values_list("id", flat=True)
    )


def _icontains_page(q):
    """The same work with a plain scan: every match in the same order, counted; the first page read."""
    from briefs.models import Article

    ids = _icontains_ids(q)
    list(Article.objects.filter(id__in=ids[:PAGE]).select_related("issue__series"))
    return len(ids)


def _recall(queries):
    """Articles icontains finds for a single word that the search misses (should be none)."""
    from clusters import search

    missed = 0
    for q in queries:
        missed += len(set(_icontains_ids(q)) - set(search.search(q, facets=False, dedupe=False).ids))
    return missed


def _index_size():
    """(bytes of the search's tables and indexes, bytes of the articles' HTML, bytes of their plain
    text, the parts). The search keeps no copy of the text: on PostgreSQL its index is a GIN index on
    the article table (counted here), on SQLite an FTS5 table (its shadow tables are counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT SUM(octet_length(title) + octet_length(body)) FROM briefs_article")
            html_bytes = cursor.fetchone()[0]
            cursor.execute(
                "SELECT pg_total_relation_size('clusters_searchdocument'), pg_relation_size('clusters_article_search_gin')"
            )
            documents, gin = cursor.fetchone()
            parts = {"GIN on the articles": gin, "documents (narrow rows, word filters, indexes)": documents}
            cursor.execute("SELECT SUM(octet_length(clusters_text(title, body))) FROM briefs_article")
        else:
            cursor.execute("SELECT SUM(LENGTH(CAST(title AS BLOB)) + LENGTH(CAST(body AS BLOB))) FROM briefs_article")
            html_bytes = cursor.fetchone()[0]
            cursor.execute(
                "SELECT name LIKE 'clusters_searchterms%', SUM(pgsize) FROM dbstat WHERE name LIKE 'clusters_search%' "
                "OR name LIKE 'sqlite_autoindex_clusters_search%' GROUP BY 1"
            )
            sizes = dict(cursor.fetchall())
            parts = {"FTS5": sizes.get(1, 0), "documents (narrow rows, word filters, indexes)": sizes.get(0, 0)}
            cursor.execute("SELECT SUM(LENGTH(CAST(clusters_text(title, body) AS BLOB))) FROM briefs_article")
        text_bytes = cursor.fetchone()[0]
    return sum(parts.values()), html_bytes, text_bytes, parts


def _print_index_size(label):
    index_bytes, html_bytes, text_bytes, parts = _index_size()
    print(
        "index size%s: %.1f MB (%s) = %.2f× the articles' HTML (%.1f MB), %.2f× their plain text (%.1f MB)"
        % (
            label,
            index_bytes / 1e6,
            ", ".join("%s %.1f" % (name, size / 1e6) for name, size in parts.items()),
            index_bytes / html_bytes,
            html_bytes / 1e6,
            index_bytes / text_bytes,
            text_bytes / 1e6,
        ),
        flush=True,
    )
    return index_bytes / text_bytes


def _coverage_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clusters import selectors
    from clusters.models import Taxonomy

    taxonomy = Taxonomy.objects.get(name="深圳20+8")
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        selectors.coverage(taxonomy=taxonomy)
        elapsed = time.perf_counter() - started
    return len(ctx.captured_queries), elapsed * 1000


def main():
    from django.db import connection

    from bench.db import bench_database
    from clusters import text

    rng = random.Random(117)
    text.tokenizer()  # jieba's one-time dictionary load is not part of any figure
    with bench_database():
        print("database: %s (%s)" % (connection.vendor, connection.settings_dict["NAME"]), flush=True)
        small_queries, _ms = _coverage_queries()
        _build(rng)
        ratio = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE clusters_searchdocument")
                cursor.execute("VACUUM ANALYZE briefs_article")  # also empties the GIN's pending list
            _print_index_size(" (GIN grown by the inserts)")
            with connection.cursor() as cursor:
                cursor.execute("REINDEX INDEX clusters_article_search_gin")
            ratio = _print_index_size(" (GIN built at once, as migration 0006 or a restore builds it)")
        else:
            ratio = _print_index_size("")
        if os.environ.get("BENCH_SEARCH_SIZE_ONLY"):
            print("load average: %s" % open("/proc/loadavg").read().strip())
            return
        print(
            "search page p95 over %d runs × 5 queries per shape (limit: %.0f ms): first search (the cache emptied "
            "before each run: every match ranked, counted, faceted), the same search again (its ranked ids, "
            "total and facets from the cache), pages 2–5 in a row; icontains (same order, every match, "
            "counted, first page) over %d runs:" % (RUNS, TARGET_MS, BASELINE_RUNS)
        )
        failed = False
        for shape, queries in QUERIES.items():
            cold, hits = _time(_search_page, queries, before_each=_empty_cache)
            warm, _hits = _time(_search_page, queries)
            pages, _hits = _time(_next_pages, queries, runs=5)
            scan, scan_hits = _time(_icontains_page, queries, runs=BASELINE_RUNS)
            p95, cached, base = _p95(cold), _p95(warm), _p95(scan)
            failed |= p95 >= TARGET_MS or cached >= TARGET_MS
            print(
                "  %-5s %-34s first p95 %6.1f ms (median %5.1f) | again p95 %5.1f ms (median %4.1f) | "
                "pages 2–5 p95 %5.1f ms | icontains p95 %7.1f ms (median %6.1f) | icontains ÷ first %4.1f×, "
                "÷ again %5.1f× | hits %s (icontains %s)"
                % (
                    "%s-char" % shape if isinstance(shape, int) else shape,
                    "/".join(queries),
                    p95,
                    statistics.median(cold) * 1000,
                    cached,
                    statistics.median(warm) * 1000,
                    _p95(pages),
                    base,
                    statistics.median(scan) * 1000,
                    base / p95 if p95 else float("inf"),
                    base / cached if cached else float("inf"),
                    hits,
                    scan_hits,
                ),
                flush=True,
            )
        single = [q for shape, queries in QUERIES.items() if isinstance(shape, int) for q in queries]
        missed = _recall(single)
        print("recall: %d articles found by icontains for the %d single words and missed by the search" % (missed, len(single)))
        big_queries, ms = _coverage_queries()
        print(
            "coverage selector: %d queries on an empty archive, %d on %d articles (%.0f ms)"
            % (small_queries, big_queries, ARTICLES, ms)
        )
        ok = not failed and not missed and ratio <= 1.5
        print(
            "RESULT: %s"
            % (
                "first and repeated search p95 under %.0f ms for every shape, full recall, index ≤ 1.5× the text"
                % TARGET_MS
                if ok
                else "OVER target"
            )
        )
        print("load average: %s" % open("/proc/loadavg").read().strip())
