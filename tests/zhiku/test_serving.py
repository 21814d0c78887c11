"""Production serving pieces: /healthz, the request id and JSON logs, protected file responses."""

import json
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from zhiku.log import JsonFormatter, RequestIdFilter, request_id_var
from zhiku.media import protected_file_response

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_part(client):
    """Anonymous, JSON, 200 when database, cache, queue and disk all answer."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["queue"]["mode"] == "in-process"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_cache_loses_data(client, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "ms": response.json()["checks"]["queue"]["ms"]}


def test_healthz_is_503_when_the_disk_is_full(client, settings):
    settings.HEALTHZ_MIN_FREE_BYTES = 1 << 62
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["disk"]["ok"] is False


def test_every_response_carries_a_request_id(client):
    """The proxy's id is kept when it is well-formed; otherwise a fresh one is made."""
    given = "0123456789abcdef0123456789abcdef"
    assert client.get(reverse("healthz"), HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    made = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert made != "bad id\nwith newline" and len(made) == 32


def test_access_log_line_is_json_with_the_request_id(client):
    """In JSON mode one line per request: method, path, status, duration and the request id."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("zhiku.request")
    logger.addHandler(handler)
    try:
        client.get(reverse("healthz"), HTTP_X_REQUEST_ID="req-0000-test-1234")
    finally:
        logger.removeHandler(handler)
    line = json.loads(records[-1])
    assert line["request_id"] == "req-0000-test-1234"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)
    assert request_id_var.get() == "-"  # reset once the request is over


def test_json_formatter_keeps_chinese_and_the_traceback():
    try:
        raise ValueError("坏了")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "签发失败 %s", ("117",), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "签发失败 117"
    assert "ValueError: 坏了" in line["exc"]
    assert "签发失败" in JsonFormatter().format(record)  # not \\u-escaped


def test_protected_file_goes_through_nginx_when_configured(settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = protected_file_response("archive/2024/领军参阅 117.pdf", download_name="117.pdf", inline=False)
    assert response["X-Accel-Redirect"] == "/protected-media/archive/2024/%E9%A2%86%E5%86%9B%E5%8F%82%E9%98%85%20117.pdf"
    assert response["Content-Disposition"] == 'attachment; filename="117.pdf"'
    assert (response["X-Content-Type-Options"], response["Content-Type"]) == ("nosniff", "application/pdf")
    assert response.content == b""


def test_protected_file_is_streamed_by_django_without_nginx(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("scans/a.pdf", ContentFile(b"%PDF-1.4 test"))
    response = protected_file_response(name, download_name="扫描件.pdf", inline=True)
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Disposition"].startswith("inline;")
