"""Tests: fast hashing, in-memory email, media in a temporary folder. DATABASE_URL still picks
SQLite (default) or PostgreSQL, so the same suite runs on both."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="zhiku-test-media-")
ALLOWED_HOSTS = ["*"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory database: shared-cache SQLite fails a second
    # writer at once ("table is locked") instead of queueing it, so the concurrent sign-off tests
    # could not run on SQLite. With a file, WAL + IMMEDIATE behave as in production.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), "zhiku-test-%d.sqlite3" % os.getpid())}  # noqa: F405

# Jobs run in-process, the cache is per process, whatever the shell running the tests exports.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
JOBS_RETRY_DELAY_SECONDS = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SHARED_CACHE = True  # one process: its memory cache is shared by everything that writes
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MEDIA_ACCEL_REDIRECT_PREFIX = ""
BACKUP_ROOT = tempfile.mkdtemp(prefix="zhiku-test-backups-")
