"""The Celery application: ``celery -A zhiku.celery worker`` (see docs/deploy.md).

Configured from Django's settings (the ``CELERY_*`` names); the one task is ``jobs.run``.
Nothing imports this module unless a broker is configured, so ``make run`` never loads Celery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiku.settings.production")

app = Celery("zhiku")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["jobs"])
