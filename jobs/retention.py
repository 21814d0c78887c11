"""How long finished jobs and their files are kept.

A finished job's row (its result page) and the files it wrote under ``jobs/<job id>/`` (large
exports) are worth keeping for a while — whoever started an export comes back for it — but not for
ever: every draft PDF rendered, every export, every mail leaves a row, and exports can be large.
``jobs_purge`` removes what finished more than ``JOBS_KEEP_DAYS`` ago. Queued and running jobs are
never touched; the mail log (``OutgoingMail``) is the office's record of what was sent and stays.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .files import FOLDER
from .models import Job


@dataclass(frozen=True)
class Purged:
    jobs: int
    files: int


def _folder_delete(job_id) -> int:
    """Delete the files job ``job_id`` wrote (through the storage API, so S3 works too)."""
    folder = f"{FOLDER}/{job_id}"
    try:
        _dirs, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    return len(names)


def jobs_purge(*, keep_days: int | None = None, now=None) -> Purged:
    """Delete the jobs that finished more than ``keep_days`` (default JOBS_KEEP_DAYS) ago, with their files."""
    keep_days = settings.JOBS_KEEP_DAYS if keep_days is None else keep_days
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    with transaction.atomic():
        # Locked, so a job queued again by its key in the meantime is not deleted under it.
        old = Job.objects.select_for_update().filter(
            status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=cutoff
        )
        found = list(old.values_list("pk", "params"))
        jobs, _per_model = Job.objects.filter(pk__in=[pk for pk, _params in found]).delete()
    # The rows go first: a file without its job is unreachable (only the job's page serves it),
    # a job whose file is gone would offer a broken download.
    files = sum(_folder_delete(pk) + _staged_delete(params) for pk, params in found)
    return Purged(jobs=jobs, files=files)


def _staged_delete(params) -> int:
    """The upload a file import left for its job (``jobs/imports/…``): deleted by the job when it
    ends, but left behind by one that failed on an unexpected error."""
    staged = params.get("staged") if isinstance(params, dict) else None
    if not isinstance(staged, str) or not staged.startswith(f"{FOLDER}/imports/") or ".." in staged:
        return 0
    if not default_storage.exists(staged):
        return 0
    default_storage.delete(staged)
    return 1
