"""``/healthz`` for a load balancer: database, cache, queue and disk, as JSON; 200 or 503.

No login and no session: the balancer calls it every few seconds on every app server. It says
which part failed, never why in detail (the reason goes to the log, with the request id).
"""

import logging
import os
import shutil
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    # A value of our own, read back: proves the cache (Redis in production) takes and returns data.
    key, value = "healthz:%s" % uuid.uuid4().hex, uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just stored")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _queue() -> dict:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return {"mode": "in-process"}
    from kombu import Connection

    with Connection(url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1)
    return {"mode": "celery"}


def _disk() -> dict:
    folder = settings.MEDIA_ROOT
    os.makedirs(folder, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < settings.HEALTHZ_MIN_FREE_BYTES:
        raise RuntimeError("free space %d bytes is below %d" % (free, settings.HEALTHZ_MIN_FREE_BYTES))
    if not os.access(folder, os.W_OK):
        raise RuntimeError("media folder is not writable")
    return {"free_bytes": free}


CHECKS = {"database": _database, "cache": _cache, "queue": _queue, "disk": _disk}


@never_cache
@require_GET
def healthz(request):
    report, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
            entry = {"ok": True, **detail}
        except Exception:  # noqa: BLE001 - any failure of a dependency is "unhealthy", never a 500
            logger.exception("health check %s failed", name)
            entry, healthy = {"ok": False}, False
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        report[name] = entry
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": report}, status=200 if healthy else 503)
