"""Finished jobs and the files they wrote are deleted after JOBS_KEEP_DAYS; nothing else is."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from jobs.files import job_file_save
from jobs.models import Job, OutgoingMail
from jobs.retention import jobs_purge

pytestmark = pytest.mark.django_db


def _job(status, *, finished_days_ago=None, with_file=False, key=None) -> Job:
    finished_at = None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    job = Job.objects.create(kind="tests.jobs.job_functions.add", status=status, finished_at=finished_at, key=key)
    if with_file:
        job.result = job_file_save(job_id=str(job.pk), file_name="名单.csv", data=b"a,b\n", content_type="text/csv")
        job.save(update_fields=["result"])
    return job


def test_old_finished_jobs_go_with_their_files_recent_and_unfinished_ones_stay(settings):
    settings.JOBS_KEEP_DAYS = 30
    old_export = _job(Job.Status.SUCCEEDED, finished_days_ago=31, with_file=True)
    old_failure = _job(Job.Status.FAILED, finished_days_ago=45)
    recent_export = _job(Job.Status.SUCCEEDED, finished_days_ago=29, with_file=True)
    queued = _job(Job.Status.QUEUED)
    # A job queued again by its key keeps the finish time of its failed attempt; it is not finished.
    retried = _job(Job.Status.QUEUED, finished_days_ago=90, key="retry-me")
    running = _job(Job.Status.RUNNING, finished_days_ago=90)
    staged = default_storage.save("jobs/imports/left-behind.bin", ContentFile(b"\xef\xbb\xbf\xe5\x90\x8d"))
    failed_import = _job(Job.Status.FAILED, finished_days_ago=40)
    failed_import.params = {"staged": staged, "file_name": "名单.csv"}
    failed_import.save(update_fields=["params"])
    mail = OutgoingMail.objects.create(key="m1", subject="领军参阅", to="a@example.org", body="正文")

    purged = jobs_purge()

    assert (purged.jobs, purged.files) == (3, 2)
    assert not default_storage.exists(staged)
    assert set(Job.objects.values_list("pk", flat=True)) == {recent_export.pk, queued.pk, retried.pk, running.pk}
    assert not default_storage.exists(old_export.result["file"])
    assert default_storage.exists(recent_export.result["file"])
    assert OutgoingMail.objects.filter(pk=mail.pk).exists()
    assert old_failure.pk not in set(Job.objects.values_list("pk", flat=True))


def test_the_command_reports_in_chinese_and_refuses_a_nonsense_period():
    _job(Job.Status.SUCCEEDED, finished_days_ago=8, with_file=True)
    out = io.StringIO()
    call_command("purge_jobs", "--days", "7", stdout=out)
    assert out.getvalue().strip() == "已删除 1 个已结束的后台任务和 1 个文件。"
    assert not Job.objects.exists()
    with pytest.raises(CommandError, match="--days 至少为 1。"):
        call_command("purge_jobs", "--days", "0")
