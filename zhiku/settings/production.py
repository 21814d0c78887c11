"""Production: PostgreSQL via DATABASE_URL, HTTPS only. Every secret comes from the environment.

Required: SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS. See README "Production".
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, logging_config

DEBUG = False

# WhiteNoise serves the collected, hashed static files straight from gunicorn.
# Right after SecurityMiddleware, as WhiteNoise asks (the request id middleware stays first).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE[: _security + 1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security + 1 :]]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# One JSON object per line on stdout, with the request id (journald or the log shipper reads it).
LOGGING = logging_config(level=os.environ.get("LOG_LEVEL", "INFO"), fmt=os.environ.get("LOG_FORMAT", "json"))
# The load balancer probes each app server over plain HTTP on its own port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload is off unless asked for: once browsers ship the domain in their preload list, removing
# it takes months, and every subdomain must then serve HTTPS. See README "Security".
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # security.W021 only says "you could submit to the preload list": off on purpose, see above.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Load the archive search's word dictionary (jieba) when the app starts, so with gunicorn's
# --preload it is loaded once before the workers fork, not on each worker's first search.
CLUSTERS_PRELOAD_TOKENIZER = env_bool("CLUSTERS_PRELOAD_TOKENIZER", True)
# Login throttling counts per client address: behind nginx that is the X-Forwarded-For entry
# nginx appended (one trusted proxy), not REMOTE_ADDR (which would be nginx itself).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
