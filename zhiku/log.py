"""Logging: one JSON object per line on stdout in production, each carrying the request id.

The request id lives in a context variable set by ``zhiku.request_id.RequestIdMiddleware``, so
every log line written while a request is handled (by Django, an app or a library) carries it,
and a line from nginx's access log (which sends the same id) can be matched with the app's.
This module imports nothing from Django: the settings import it.
"""

import contextvars
import json
import logging
import time

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("zhiku_request_id", default="-")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and goes into the line.
_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, level: str = "INFO", fmt: str = "plain") -> dict:
    """The LOGGING dict: ``fmt`` is "json" (production) or "plain" (development)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "zhiku.log.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "zhiku.log.JsonFormatter"},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["request_id"],
                "formatter": "json" if fmt == "json" else "plain",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request logger would repeat what zhiku.request says for every 4xx/5xx
            # without the traceback; keep its errors (with traceback), drop its warnings.
            "django.request": {"level": "ERROR"},
            "fontTools": {"level": "WARNING"},
            "weasyprint": {"level": "ERROR"},
            "jieba": {"level": "WARNING"},
        },
    }
