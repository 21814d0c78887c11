"""The search keeps no copy of the text: its index is derived from the articles' own title and body.

Before, ``clusters_searchtext`` held every article's text a second time (with jieba's word
boundaries) and the index was derived from that copy: 3.2× the text on PostgreSQL, 2.1× on SQLite.
Now:

- PostgreSQL: a GIN expression index on ``briefs_article`` over ``clusters_search_vector(title,
  body)`` — a tsvector without positions of pairs of CJK characters, run ends (``字$``, so a
  one-character query is the prefix query ``字:*``), Latin words and numbers, and ``^`` terms of the
  title and headings. The SQL functions below turn the HTML into the index text by the same rules as
  ``clusters.text.index_text`` / ``index_heads`` (a test compares the terms).
- SQLite: the FTS5 table is made anew with these terms (``$`` is now part of a term).
- Single characters and ``~word`` terms are no longer index keys; whole words are ranked through a
  Bloom filter per document (``SearchDocument.words``).

Irreversible: the old text table is dropped. To go back, restore a backup taken before, or revert
the code and run ``rebuild_search_index`` on a database migrated from scratch.
"""

import importlib

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
SPACES = "[ \t\r\f\v\u00a0\u3000]+"
BLOCK_TAG = r"<\s*/?\s*(p|h[1-6]|li|tr|td|th|div|blockquote|br|table|ul|ol)\y[^>]*>"
HEADING = r"<\s*h[1-6]\y[^>]*>((?:[^<]|<(?!\s*/\s*h[1-6]))*)<\s*/\s*h[1-6]\s*>"

DROP_OLD = {
    "postgresql": [
        "DROP INDEX IF EXISTS clusters_searchtext_terms_gin",
        "DROP FUNCTION IF EXISTS clusters_search_terms(text, text)",
        "DROP FUNCTION IF EXISTS clusters_search_grams(text, text)",
    ],
    "sqlite": ["DROP TABLE IF EXISTS clusters_searchterms"],
}


def _literal(value: str) -> str:
    return "'%s'" % value.replace("'", "''")


POSTGRES_FUNCTIONS = [
    # The body as plain text: block tags become line breaks, other tags go, a few entities are
    # decoded, spaces collapse (clusters.text.index_plain).
    """CREATE FUNCTION clusters_plain(body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT regexp_replace(
            replace(replace(replace(replace(replace(replace(
                regexp_replace(regexp_replace(body, %(block)s, E'\\n', 'gi'), '<[^>]*>', '', 'g'),
            '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&'),
            %(spaces)s, ' ', 'g')
    $fn$"""
    % {"block": _literal(BLOCK_TAG), "spaces": _literal(SPACES)},
    # Title, then the body (clusters.text.index_text).
    """CREATE FUNCTION clusters_text(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT lower(title || E'\\n' || clusters_plain(body))
    $fn$""",
    # Title and headings (clusters.text.index_heads).
    """CREATE FUNCTION clusters_heads(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT lower(concat_ws(E'\\n', title, (
            SELECT string_agg(clusters_plain(h.m[1]), E'\\n') FROM regexp_matches(body, %(heading)s, 'gi') AS h(m)
        )))
    $fn$"""
    % {"heading": _literal(HEADING)},
    # Pairs of CJK characters, the last character of each run followed by $, Latin words/numbers
    # (clusters.text._grams).
    """CREATE FUNCTION clusters_grams(t text, prefix text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT prefix || CASE WHEN g.i < length(r.m[1]) THEN substr(r.m[1], g.i, 2) ELSE substr(r.m[1], g.i, 1) || '$' END
        FROM regexp_matches(t, %(cjk)s, 'g') AS r(m)
        CROSS JOIN LATERAL generate_series(1, length(r.m[1])) AS g(i)
        UNION ALL
        SELECT prefix || x.v
        FROM regexp_matches(t, '[a-z0-9]+(?:\\.[0-9]+)?%%?', 'g') AS l(m)
        CROSS JOIN LATERAL (VALUES (l.m[1]), (rtrim(l.m[1], '%%'))) AS x(v)
    $fn$"""
    % {"cjk": _literal(CJK + "+")},
    # Every term of an article (clusters.text.document_terms), as a tsvector without positions; a
    # run end 字$ is left out when a pair starts with 字 (the prefix query 字:* finds the pair).
    """CREATE FUNCTION clusters_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT array_to_tsvector(coalesce(array_agg(u.term), '{}')) FROM (
            SELECT d.term, count(*) OVER (PARTITION BY left(d.term, -1)) AS starting
            FROM (
                SELECT DISTINCT t.term FROM (
                    SELECT clusters_grams(clusters_text(title, body), '')
                    UNION ALL
                    SELECT clusters_grams(clusters_heads(title, body), '^')
                ) AS t(term)
            ) AS d
        ) AS u
        WHERE NOT (right(u.term, 1) = '$' AND u.starting > 1)
    $fn$""",
    # pg_restore runs with an empty search_path: the functions that call others carry theirs.
    "ALTER FUNCTION clusters_text(text, text) SET search_path FROM CURRENT",
    "ALTER FUNCTION clusters_heads(text, text) SET search_path FROM CURRENT",
    "ALTER FUNCTION clusters_search_vector(text, text) SET search_path FROM CURRENT",
]
POSTGRES_INDEX = [
    "CREATE INDEX clusters_article_search_gin ON briefs_article USING GIN (clusters_search_vector(title, body))",
]
SQLITE_TABLE = [
    # tokenchars: ^ (title/heading), $ (run end), and . % inside numbers stay part of a term.
    """CREATE VIRTUAL TABLE clusters_searchterms USING fts5(
        terms, content='', detail='none', columnsize=0, tokenize="unicode61 tokenchars '^$.%'"
    )""",
]


# Runs each vendor's statements (the helper of migration 0004, not copied).
_run = importlib.import_module("clusters.migrations.0004_lean_search_index")._run


def rebuild(apps, schema_editor):
    """Every article's search document made anew (and on SQLite its terms in the new FTS5 table)."""
    from clusters.services import cluster_closures, document_fields, fts_write

    Article = apps.get_model("briefs", "Article")
    SearchDocument = apps.get_model("clusters", "SearchDocument")
    closures = cluster_closures(
        tag_model=apps.get_model("clusters", "ArticleCluster"), cluster_model=apps.get_model("clusters", "Cluster")
    )
    SearchDocument.objects.all().delete()
    articles = Article.objects.only("id", "issue_id", "position", "title", "body").order_by("id")
    batch = []

    def flush():
        SearchDocument.objects.bulk_create(
            SearchDocument(
                article_id=a.pk,
                issue_id=a.issue_id,
                position=a.position,
                clusters=closures.get(a.pk, ""),
                **document_fields(title=a.title, body=a.body),
            )
            for a in batch
        )
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                fts_write(cursor, added=[(a.pk, a.title, a.body) for a in batch])
        batch.clear()

    for article in articles.iterator(chunk_size=500):
        batch.append(article)
        if len(batch) >= 500:
            flush()
    if batch:
        flush()


def irreversible(apps, schema_editor):
    raise IrreversibleError(
        "clusters 0006 dropped the search's copy of the text: restore a backup taken before it."
    )


class Migration(migrations.Migration):
    dependencies = [("clusters", "0005_search_terms_function_survives_restore"), ("briefs", "0001_initial")]

    operations = [
        migrations.RunPython(_run(DROP_OLD), irreversible),
        migrations.DeleteModel(name="SearchText"),
        migrations.RemoveField(model_name="searchdocument", name="title"),  # the article's is read
        migrations.RemoveField(model_name="searchdocument", name="updated_at"),
        *(
            migrations.AddField(model_name="searchdocument", name=name, field=field)
            for name, field in (
                ("words", models.BinaryField(default=b"", verbose_name="Words")),
                ("verbatim", models.BooleanField(default=False, verbose_name="Text as in the HTML")),
                ("clusters", models.TextField(blank=True, default="", verbose_name="Clusters with their ancestors")),
            )
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES_FUNCTIONS, "sqlite": SQLITE_TABLE}), migrations.RunPython.noop),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
        migrations.RunPython(_run({"postgresql": POSTGRES_INDEX}), migrations.RunPython.noop),
    ]
