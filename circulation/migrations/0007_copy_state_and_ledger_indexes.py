"""Each copy's state (its latest movement's kind) as a column the ledger service keeps, filled
here from the movements; orderings by the issue's id and the indexes that serve the ledger lists."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_states(apps, schema_editor):
    """Copy.state = kind of the copy's newest movement, "" when it has none; one UPDATE."""
    Copy = apps.get_model("circulation", "Copy")
    CopyMovement = apps.get_model("circulation", "CopyMovement")
    latest = CopyMovement.objects.filter(copy=OuterRef("pk")).order_by("-created_at", "-id").values("kind")[:1]
    Copy.objects.update(state=Coalesce(Subquery(latest), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0006_scan_typed_by_content"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="copy",
            options={
                "ordering": ["issue_id", "serial"],
                "verbose_name": "Numbered copy",
                "verbose_name_plural": "Numbered copies",
            },
        ),
        migrations.AlterModelOptions(
            name="copymovement",
            options={
                "ordering": ["copy_id", "created_at", "id"],
                "verbose_name": "Copy movement",
                "verbose_name_plural": "Copy movements",
            },
        ),
        migrations.AddField(
            model_name="copy",
            name="state",
            field=models.CharField(blank=True, default="", editable=False, max_length=20, verbose_name="Status"),
        ),
        migrations.RunPython(fill_states, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="copy",
            index=models.Index(fields=["-issue", "serial"], name="copy_issue_desc_serial"),
        ),
        migrations.AddIndex(
            model_name="copy",
            index=models.Index(
                condition=models.Q(("state", "dispatched")), fields=["-issue", "serial"], name="copy_not_signed_for"
            ),
        ),
    ]
