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
