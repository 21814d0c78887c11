"""Enqueue and run background jobs: on a Celery worker when a broker is set, else in-process.

A job is a plain function taking keyword arguments (JSON values), optionally ``progress``
(a callable ``progress(done, total, message="")``) and ``job_id`` (its own job, for a function
that records its result in the same transaction as its work). Its return value becomes the job's
result; a model instance with ``get_absolute_url`` also gives the result page its link, a dict
its ``url`` and its ``summary`` (lines the result page lists).

A refusal — ``PermissionDenied``, or an exception carrying ``messages`` (a ValidationError, the
apps' Chinese refusals) — is not retried: the job fails at once and its page shows the messages.

Every job must be idempotent: a worker that dies mid-job, or a retry after an error, runs the
same function again with the same arguments, and it must then write once, not twice.
"""

import inspect
import logging
import traceback
from enum import Enum

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .models import Job

logger = logging.getLogger(__name__)

# How long a progress report is kept in the cache: longer than any job runs.
PROGRESS_SECONDS = 24 * 3600


class Outcome(Enum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"


def broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def job_enqueue(kind: str, *, params: dict | None = None, key: str | None = None, label: str = "", user=None) -> Job:
    """Record a job and start it once the current transaction commits.

    With ``key``, enqueueing the same work twice gives the same job (a failed one is queued
    again). ``kind`` is the dotted path of the job function, fixed in code.
    """
    import_string(kind)  # a typo fails here, in the caller's test, not later on a worker
    defaults = {"kind": kind, "params": params or {}, "label": label[:200], "created_by": user}
    if key:
        job, created = Job.objects.get_or_create(key=key, defaults=defaults)
        if not created:
            if job.status != Job.Status.FAILED:
                return job
            Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, attempts=0, error="", finished_at=None)
    else:
        job = Job.objects.create(**defaults)
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id) -> None:
    if not broker_url():
        job_run_inprocess(job_id)
        return
    from .tasks import run_job

    try:
        run_job.delay(str(job_id))
    except Exception:  # noqa: BLE001 - the caller's work has committed; the job stays queued
        logger.exception("could not hand job %s to the broker; it stays queued", job_id)


def job_run_inprocess(job_id) -> Outcome:
    """Run a job here and now, retrying at once up to JOBS_MAX_ATTEMPTS (no broker to wait on)."""
    while True:
        outcome = job_execute_attempt(job_id)
        if outcome is not Outcome.RETRY:
            return outcome


def _progress_key(job_id) -> str:
    return "job-progress:%s" % job_id


class _Progress:
    """Writes progress to the job's row and to the cache. The cache is what a progress bar sees
    while the job's own transaction is open (an all-or-nothing import reports from inside one,
    where its row updates stay invisible to other connections until the end)."""

    def __init__(self, job_id):
        self.job_id = job_id

    def __call__(self, done: int, total: int, message: str = "") -> None:
        message = str(message)[:500]
        Job.objects.filter(pk=self.job_id).update(progress_done=done, progress_total=total, message=message)
        cache.set(_progress_key(self.job_id), (done, total, message), PROGRESS_SECONDS)


def job_progress(job: Job) -> tuple[int, int, str]:
    """(done, total, message) of ``job``: for a running job the latest report, wherever it was made."""
    if job.status == Job.Status.RUNNING:
        reported = cache.get(_progress_key(job.pk))
        if reported is not None:
            return reported
    return job.progress_done, job.progress_total, job.message


def _as_result(value) -> tuple[object, str]:
    """A JSON value and a link for what the job function returned."""
    url = ""
    if isinstance(value, models.Model):
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else ""
        return {"object": str(value), "id": value.pk}, url
    if isinstance(value, dict):
        url = str(value.get("url", ""))
        return value, url
    if value is None or isinstance(value, str | int | float | bool | list):
        return value, url
    return str(value), url


def _refusal_text(exc: Exception) -> str | None:
    """The user-facing text of a refusal (retrying cannot change it), or None for other errors."""
    messages = getattr(exc, "messages", None)
    if isinstance(messages, list | tuple) and messages:
        return "\n".join(str(m) for m in messages)[:2000]
    if isinstance(exc, PermissionDenied):
        return str(exc) or gettext("You may not do this.")
    return None


def job_execute_attempt(job_id) -> Outcome:
    """One attempt at a job. A job that already succeeded is not run again (redelivery)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == Job.Status.SUCCEEDED:
            return Outcome.SUCCEEDED
        if job.status == Job.Status.FAILED:
            return Outcome.FAILED
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    func = import_string(job.kind)
    kwargs = dict(job.params)
    parameters = inspect.signature(func).parameters
    if "progress" in parameters:
        kwargs["progress"] = _Progress(job.pk)
    if "job_id" in parameters:
        kwargs["job_id"] = str(job.pk)
    try:
        value = func(**kwargs)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; the caller decides on a retry
        refusal = _refusal_text(exc)
        if refusal is not None:
            logger.info("job %s (%s) refused: %s", job.pk, job.kind, refusal, extra={"job_id": str(job.pk)})
            Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=refusal, finished_at=timezone.now())
            return Outcome.FAILED
        final = job.attempts >= settings.JOBS_MAX_ATTEMPTS
        logger.warning(
            "job %s (%s) attempt %d failed: %s", job.pk, job.kind, job.attempts, exc, exc_info=final,
            extra={"job_id": str(job.pk), "attempt": job.attempts},
        )
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED if final else Job.Status.QUEUED,
            error="".join(traceback.format_exception_only(exc)).strip()[:2000],
            finished_at=timezone.now() if final else None,
        )
        return Outcome.FAILED if final else Outcome.RETRY
    result, url = _as_result(value)
    job.refresh_from_db(fields=["progress_total"])
    total = job.progress_total or 1
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED,
        result=result,
        result_url=url[:500],
        error="",
        progress_done=total,
        progress_total=total,
        finished_at=timezone.now(),
    )
    logger.info("job %s (%s) succeeded", job.pk, job.kind, extra={"job_id": str(job.pk), "attempt": job.attempts})
    return Outcome.SUCCEEDED
