"""Many past issues at once: the commit hands the previewed files to a background job, whose page
moves file by file and ends on every file's report; a retried job writes each issue once."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backcatalogue import jobs as backcatalogue_jobs
from backcatalogue.models import ImportedFile
from briefs.models import Issue
from jobs.models import Job
from jobs.runner import job_execute_attempt

from .shapes import build_issue_docx

pytestmark = pytest.mark.django_db
UPLOAD = "admin:backcatalogue_importedfile_upload"
COMMIT = "admin:backcatalogue_importedfile_commit"


def _preview(client, totals):
    files = [SimpleUploadedFile("%d.docx" % t, build_issue_docx(number=t - 115, total=t)) for t in totals]
    page = client.post(reverse(UPLOAD), {"files": files})
    return page, [row["token"] for row in page.context["ready"]]


def test_many_files_are_committed_by_a_job_with_a_report_per_file(client, series, importer, media, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.BACKCATALOGUE_IMPORT_JOB_FILES = 2
    client.force_login(importer)
    page, tokens = _preview(client, [116, 117, 118])
    assert 'data-background="1"' in page.content.decode()  # the form posts to the job, not file by file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(COMMIT), {"token": tokens})
    job = Job.objects.get(kind=backcatalogue_jobs.KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.created_by, job.progress_done, job.progress_total) == (Job.Status.SUCCEEDED, importer, 3, 3)
    assert sorted(Issue.objects.values_list("total_number", flat=True)) == [116, 117, 118]
    result_page = client.get(job.get_absolute_url()).content.decode()
    assert result_page.count("：已导入") == 3 and "导入 3 期往期简报" in result_page
    assert not list(media.rglob("*.bin")), "the staged copies are gone"
    # The tokens were handed to the job: posting them again imports nothing.
    again = client.post(reverse(COMMIT), {"token": [tokens[0]], "one": "1"})
    assert again.json()["status"] == "refused" and ImportedFile.objects.count() == 3


def test_few_files_keep_the_per_file_progress_in_the_page(client, series, importer, media, settings):
    settings.BACKCATALOGUE_IMPORT_JOB_FILES = 2
    client.force_login(importer)
    page, tokens = _preview(client, [116, 117])
    assert 'data-background="1"' not in page.content.decode()
    assert client.post(reverse(COMMIT), {"token": tokens}).status_code == 200
    assert not Job.objects.exists() and Issue.objects.count() == 2


def test_a_retried_import_job_writes_each_issue_once(client, series, importer, media, settings, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    """The first attempt dies after the second file was imported; the retry reports those two as
    already imported and imports the third: three issues, three records."""
    from backcatalogue import services

    settings.BACKCATALOGUE_IMPORT_JOB_FILES = 2
    client.force_login(importer)
    _page, tokens = _preview(client, [116, 117, 118])
    real_import, calls = services.issue_file_import, []

    def import_dies_after_two(**kwargs):
        calls.append(kwargs["name"])
        report = real_import(**kwargs)
        if len(calls) == 2:
            raise OSError("worker lost")
        return report

    monkeypatch.setattr(services, "issue_file_import", import_dies_after_two)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(COMMIT), {"token": tokens})
    job = Job.objects.get(kind=backcatalogue_jobs.KIND)
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert Issue.objects.count() == 3 and ImportedFile.objects.count() == 3
    assert [line.split("：")[1] for line in job.result["summary"]] == ["此前已导入，未作改动", "此前已导入，未作改动", "已导入"]


def test_the_job_checks_the_importer_permission_again(client, series, importer, media, settings):
    settings.BACKCATALOGUE_IMPORT_JOB_FILES = 0
    client.force_login(importer)
    _page, tokens = _preview(client, [116])
    client.post(reverse(COMMIT), {"token": tokens})  # queued: the callbacks are not run here
    job = Job.objects.get(kind=backcatalogue_jobs.KIND)
    importer.groups.clear()
    job_execute_attempt(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1) and "管理员" in job.error
    assert Issue.objects.count() == 0
    assert default_storage.exists("backcatalogue/staging/%d/%s.bin" % (importer.pk, tokens[0]))
