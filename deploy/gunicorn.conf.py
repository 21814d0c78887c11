"""gunicorn settings for zhiku (``gunicorn -c deploy/gunicorn.conf.py``). Environment overrides:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT."""

import multiprocessing
import os

wsgi_app = "zhiku.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the work is database and PDF bound, and each worker holds one DB connection.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak (WeasyPrint's font caches) never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host talks to gunicorn; trust its X-Forwarded-* headers.
forwarded_allow_ips = "127.0.0.1"
# The app writes one JSON access line per request (zhiku.request) with the request id; gunicorn's
# own access log would only repeat it without the id.
accesslog = None
errorlog = "-"
# Several instances run on one host (one per port); the runtime control socket would be shared.
control_socket_disable = True
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zhiku.log.RequestIdFilter"}},
    "formatters": {"json": {"()": "zhiku.log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
