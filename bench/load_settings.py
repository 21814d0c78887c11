"""Settings for `make bench-load`: the production settings, with static files looked up without
a manifest (the load run measures pages, not static files, and so skips the minute of
collectstatic compression) and HTTPS assumed (wrk sends X-Forwarded-Proto: https, as nginx would)."""

from zhiku.settings.production import *  # noqa: F403
from zhiku.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
