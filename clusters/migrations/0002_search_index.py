"""The database's own full-text index over SearchDocument.tokens, kept in step by triggers.

PostgreSQL: a ``search_vector`` tsvector column ('simple' config: the words are already cut by
jieba), a GIN index, and a trigger filling it. SQLite: an FTS5 table using the search table as its
content, with insert/update/delete triggers. Neither is in Django's model state on purpose.
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE clusters_searchdocument ADD COLUMN search_vector tsvector",
    "CREATE INDEX clusters_searchdocument_vector_gin ON clusters_searchdocument USING GIN (search_vector)",
    """CREATE FUNCTION clusters_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := to_tsvector('simple', coalesce(NEW.tokens, ''));
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER clusters_searchdocument_vector BEFORE INSERT OR UPDATE OF tokens
    ON clusters_searchdocument FOR EACH ROW EXECUTE FUNCTION clusters_searchdocument_vector()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS clusters_searchdocument_vector ON clusters_searchdocument",
    "DROP FUNCTION IF EXISTS clusters_searchdocument_vector()",
    "DROP INDEX IF EXISTS clusters_searchdocument_vector_gin",
    "ALTER TABLE clusters_searchdocument DROP COLUMN IF EXISTS search_vector",
]

SQLITE = [
    """CREATE VIRTUAL TABLE clusters_searchfts USING fts5(
        tokens, content='clusters_searchdocument', content_rowid='article_id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER clusters_searchdocument_ai AFTER INSERT ON clusters_searchdocument BEGIN
        INSERT INTO clusters_searchfts(rowid, tokens) VALUES (new.article_id, new.tokens);
    END""",
    """CREATE TRIGGER clusters_searchdocument_ad AFTER DELETE ON clusters_searchdocument BEGIN
        INSERT INTO clusters_searchfts(clusters_searchfts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens);
    END""",
    """CREATE TRIGGER clusters_searchdocument_au AFTER UPDATE ON clusters_searchdocument BEGIN
        INSERT INTO clusters_searchfts(clusters_searchfts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens);
        INSERT INTO clusters_searchfts(rowid, tokens) VALUES (new.article_id, new.tokens);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS clusters_searchdocument_au",
    "DROP TRIGGER IF EXISTS clusters_searchdocument_ad",
    "DROP TRIGGER IF EXISTS clusters_searchdocument_ai",
    "DROP TABLE IF EXISTS clusters_searchfts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("clusters", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
            elidable=False,
        ),
    ]
