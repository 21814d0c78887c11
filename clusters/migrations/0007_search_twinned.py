"""Twins are marked on their narrow rows (``SearchDocument.twinned``), so a search looks for twins
among those only, instead of grouping every document by fingerprint on each search (4–6 ms of a
first search at 20,000 articles)."""

from django.db import migrations, models


def mark(apps, schema_editor):
    from clusters.services import twins_mark

    twins_mark(model=apps.get_model("clusters", "SearchDocument"))


class Migration(migrations.Migration):
    dependencies = [("clusters", "0006_index_from_articles")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="twinned",
            field=models.BooleanField(default=False, verbose_name="Has a twin"),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
