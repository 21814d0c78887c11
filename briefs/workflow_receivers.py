"""Keeping groups and review chains in step with the code after every migrate.

Connected from BriefsConfig.ready, not from briefs.workflow: the admin's autodiscovery imports
briefs.workflow before django.contrib.auth is ready, and this receiver must run after auth's
create_permissions for the same app, or the newest permissions would be missing from the groups.
"""

from django.apps import apps as django_apps
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from zhiku import roles

from . import workflow
from .models import Series


@receiver(post_migrate, dispatch_uid="briefs_sync_roles")
def sync_after_migrate(sender, app_config=None, using="default", **kwargs):
    # post_migrate is sent once per app; act after the last one so every app's permissions exist.
    configs = list(django_apps.get_app_configs())
    if app_config is None or app_config is not configs[-1]:
        return
    roles.sync_roles()
    for series in Series.objects.filter(~Q(review_stages__isnull=False)):
        workflow.review_chain_ensure(series=series)
