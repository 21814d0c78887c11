"""Roles as groups, and the default review chain 初审 → 复审 → 终审/签发 for every series.

Permissions created later (by other apps, or on a fresh database where post_migrate has not run
yet) are added by the post_migrate receiver in briefs.workflow, which calls sync_roles again.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from zhiku import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.sync_roles(group_model=Group, permission_model=Permission)

    Series = apps.get_model("briefs", "Series")
    ReviewStage = apps.get_model("briefs", "ReviewStage")
    default_chain = [
        ("初审", roles.role_group_name(roles.CHIEF_EDITOR)),
        ("复审", roles.role_group_name(roles.REVIEWER)),
        ("终审/签发", roles.role_group_name(roles.SIGNER)),
    ]
    for series in Series.objects.all():
        if ReviewStage.objects.filter(series=series).exists():
            continue
        for position, (name, group_name) in enumerate(default_chain, start=1):
            ReviewStage.objects.create(
                series=series, position=position, name=name, group=Group.objects.get(name=group_name)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("briefs", "0002_workflow"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
