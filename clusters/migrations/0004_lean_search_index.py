"""A lean search index: the text stored once (with jieba's word boundaries), no token column.

The terms are derived from the stored text (see ``clusters.text``): on PostgreSQL by the SQL
function ``clusters_search_terms`` in a GIN expression index (no tsvector, hence no cap of 255
positions per word: positions are not used at all), on SQLite in a contentless FTS5 table with
``detail=none`` (it stores neither the text nor positions). The documents are built by 0006.
"""

import django.db.models.deletion
from django.db import migrations, models

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"

POSTGRES = [
    "DROP TRIGGER IF EXISTS clusters_searchdocument_vector ON clusters_searchdocument",
    "DROP FUNCTION IF EXISTS clusters_searchdocument_vector()",
    "DROP INDEX IF EXISTS clusters_searchdocument_vector_gin",
    "ALTER TABLE clusters_searchdocument DROP COLUMN IF EXISTS search_vector",
    # Characters, pairs of characters and Latin words/numbers of a text, each with a prefix.
    # Same rules as clusters.text._grams (tests compare the two).
    """CREATE FUNCTION clusters_search_grams(t text, prefix text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT prefix || substr(r.m[1], g.i, k.n)
        FROM regexp_matches(t, '%(cjk)s+', 'g') AS r(m)
        CROSS JOIN LATERAL generate_series(1, length(r.m[1])) AS g(i)
        CROSS JOIN (VALUES (1), (2)) AS k(n)
        WHERE g.i + k.n - 1 <= length(r.m[1])
        UNION ALL
        SELECT prefix || x.v
        FROM regexp_matches(t, '[a-z0-9]+(?:\\.[0-9]+)?%%?', 'g') AS l(m)
        CROSS JOIN LATERAL (VALUES (l.m[1]), (rtrim(l.m[1], '%%'))) AS x(v)
    $fn$""" % {"cjk": CJK},
    # Every term of a stored document: grams of title, headings and text; ^grams of title and
    # headings; ~words (runs of 2+ CJK characters between jieba's U+001F boundaries).
    """CREATE FUNCTION clusters_search_terms(heads text, body text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT coalesce(array_agg(DISTINCT t.term), '{}') FROM (
            SELECT clusters_search_grams(lower(replace(heads || E'\\n' || body, E'\\x1f', '')), '')
            UNION ALL
            SELECT clusters_search_grams(lower(replace(heads, E'\\x1f', '')), '^')
            UNION ALL
            SELECT '~' || w.m[1] FROM regexp_matches(lower(heads || E'\\n' || body), '%(cjk)s{2,}', 'g') AS w(m)
        ) AS t(term)
    $fn$""" % {"cjk": CJK},
]
# Text out of the row as soon as a row passes 128 bytes (compressed in TOAST): the heap a search
# scans holds only the small columns.
POSTGRES_TABLE = ["ALTER TABLE clusters_searchtext SET (toast_tuple_target = 128)"]
POSTGRES_INDEX = [
    'CREATE INDEX clusters_searchtext_terms_gin ON clusters_searchtext USING GIN (clusters_search_terms(heads, "text"))',
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS clusters_searchtext_terms_gin",
    "DROP FUNCTION IF EXISTS clusters_search_terms(text, text)",
    "DROP FUNCTION IF EXISTS clusters_search_grams(text, text)",
]

SQLITE = [
    "DROP TRIGGER IF EXISTS clusters_searchdocument_au",
    "DROP TRIGGER IF EXISTS clusters_searchdocument_ad",
    "DROP TRIGGER IF EXISTS clusters_searchdocument_ai",
    "DROP TABLE IF EXISTS clusters_searchfts",
    # tokenchars: ~ (whole word), ^ (title/heading), and . % inside numbers stay part of a term.
    """CREATE VIRTUAL TABLE clusters_searchterms USING fts5(
        terms, content='', detail='none', columnsize=0, tokenize="unicode61 tokenchars '~^.%'"
    )""",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS clusters_searchterms"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


def rebuild(apps, schema_editor):
    """Nothing: migration 0006 replaced this design and builds every article's search document.
    (This step called the services, whose search part has changed since; the tables it filled are
    dropped or rebuilt by 0006.)"""


class Migration(migrations.Migration):
    dependencies = [("clusters", "0003_shenzhen_20_8"), ("briefs", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES, "sqlite": SQLITE}), migrations.RunPython.noop),
        # Made anew (derived data): a narrow table to rank by, the text in a table of its own.
        migrations.DeleteModel(name="SearchDocument"),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="briefs.article",
                        verbose_name="Article",
                    ),
                ),
                (
                    "issue",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="briefs.issue",
                        verbose_name="Issue",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="Position")),
                ("fingerprint", models.CharField(blank=True, max_length=16, verbose_name="Fingerprint")),
                ("title", models.CharField(max_length=200, verbose_name="Title")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="Modified at")),
            ],
            options={
                "verbose_name": "Search document",
                "verbose_name_plural": "Search documents",
                "indexes": [models.Index(fields=["fingerprint"], name="clusters_search_fingerprint")],
            },
        ),
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="briefs.article",
                        verbose_name="Article",
                    ),
                ),
                ("heads", models.TextField(blank=True, verbose_name="Title and headings")),
                ("text", models.TextField(blank=True, verbose_name="Text")),
            ],
            options={"verbose_name": "Search text", "verbose_name_plural": "Search texts"},
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES_TABLE}), migrations.RunPython.noop),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
        migrations.RunPython(_run({"postgresql": POSTGRES_INDEX}), _run({"postgresql": POSTGRES_REVERSE})),
    ]
