"""Settings for `make bench-load`: the production settings, with static files looked up without
a manifest (the load run measures pages, not static files, and so skips the minute of
collectstatic compression) and HTTPS assumed (wrk sends X-Forwarded-Proto: https, as nginx would)."""

from zhiku.settings.production import *  # noqa: F403
from zhiku.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# No Celery worker runs during the load run: jobs run in-process, so the warm-up request renders
# the draft PDF into the (Redis) cache by its document hash, and the load measures what every
# later request gets: the cached file. (With a broker and no worker it would answer 302 forever.)
CELERY_BROKER_URL = ""
