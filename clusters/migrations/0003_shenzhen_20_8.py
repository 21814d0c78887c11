"""Ship Shenzhen's 20+8 as a ready taxonomy (idempotent; the demo loader runs the same service)."""

from django.db import migrations


def load(apps, schema_editor):
    from clusters.taxonomy_data import (
        FUTURE_CATEGORY,
        SHENZHEN_8,
        SHENZHEN_20,
        SHENZHEN_DESCRIPTION,
        SHENZHEN_TAXONOMY,
    )

    Taxonomy = apps.get_model("clusters", "Taxonomy")
    Cluster = apps.get_model("clusters", "Cluster")
    taxonomy, _ = Taxonomy.objects.get_or_create(name=SHENZHEN_TAXONOMY, defaults={"description": SHENZHEN_DESCRIPTION})
    position = 0

    def node(parent, name, kind, short="", aliases=()):
        nonlocal position
        position += 1
        obj, _ = Cluster.objects.get_or_create(
            taxonomy=taxonomy,
            parent=parent,
            name=name,
            defaults={"kind": kind, "short_name": short, "aliases": "\n".join(aliases), "position": position},
        )
        return obj

    for category, clusters in SHENZHEN_20:
        parent = node(None, category, "category")
        for name, short, aliases in clusters:
            node(parent, name, "cluster", short, aliases)
    future = node(None, FUTURE_CATEGORY, "category")
    for name, short, aliases in SHENZHEN_8:
        node(future, name, "future", short, aliases)


class Migration(migrations.Migration):
    dependencies = [("clusters", "0002_search_index")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
