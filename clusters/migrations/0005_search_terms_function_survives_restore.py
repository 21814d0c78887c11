"""clusters_search_terms calls clusters_search_grams by its bare name. pg_restore runs with an
empty search_path, so building the GIN index over clusters_search_terms failed on restore
("function clusters_search_grams(text, unknown) does not exist"). The function now carries the
search_path it was created with (pg_dump writes it out with the function), so the name resolves
wherever it is called from. The cost is one setting switched per call, small beside the regular
expressions the function runs.
"""

from django.db import migrations

FORWARD = "ALTER FUNCTION clusters_search_terms(text, text) SET search_path FROM CURRENT"
REVERSE = "ALTER FUNCTION clusters_search_terms(text, text) RESET search_path"


def _on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("clusters", "0004_lean_search_index")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(REVERSE))]
