"""Large recipients imports and large XLSX exports run as background jobs: all or nothing,
idempotent, permission checked inside the job, a progress page ending on the result."""

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from circulation import jobs as circulation_jobs
from circulation.models import IssueDistribution, PendingImport, Recipient
from jobs.models import Job
from jobs.runner import job_execute_attempt
from tests.factories import UserFactory, role_user
from zhiku import roles

from .files import bad_category_csv, make_csv, make_xlsx, person_row

pytestmark = pytest.mark.django_db
IMPORT = "admin:circulation_recipient_import"


def _preview(client, data, name="r.xlsx"):
    response = client.post(reverse(IMPORT), {"import_file": SimpleUploadedFile(name, data), "preview": "1"})
    return response.context["preview"].token


def test_a_large_admin_import_runs_in_a_job_and_ends_on_its_result(client, clerk, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.RECIPIENTS_IMPORT_JOB_ROWS = 5
    client.force_login(clerk)
    token = _preview(client, make_xlsx([person_row(n) for n in range(1, 8)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(IMPORT), {"token": token, "confirm": "1"})
    job = Job.objects.get(kind=circulation_jobs.IMPORT_KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.created_by, job.label) == (Job.Status.SUCCEEDED, clerk, "导入 7 位收文对象")
    assert Recipient.objects.count() == 7 and not PendingImport.objects.exists()
    assert job.result_url == reverse("admin:circulation_recipient_changelist")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成：新增 7 位收文对象，更新 0 位。" in page
    # Redelivered: the import is not run again.
    job_execute_attempt(job.pk)
    assert Recipient.objects.count() == 7


def test_a_small_admin_import_stays_in_the_request(client, clerk, settings):
    settings.RECIPIENTS_IMPORT_JOB_ROWS = 5
    client.force_login(clerk)
    token = _preview(client, make_xlsx([person_row(n) for n in range(1, 6)]))
    response = client.post(reverse(IMPORT), {"token": token, "confirm": "1"})
    assert response["Location"] == reverse("admin:circulation_recipient_changelist")
    assert Recipient.objects.count() == 5 and not Job.objects.exists()


def test_an_attempt_that_died_after_the_import_committed_is_not_imported_again(clerk, settings, monkeypatch):
    """The worker is lost after the import's transaction committed, before the runner recorded
    the job's success; the redelivered job answers from the result written with the import."""
    from circulation import services

    settings.RECIPIENTS_IMPORT_JOB_ROWS = 1
    preview = services.recipients_import_preview(data=make_csv([person_row(1), person_row(2)]), file_name="r.csv",
                                                 user=clerk)
    job = circulation_jobs.recipients_import_start(token=preview.token, user=clerk)
    circulation_jobs.recipients_import_run(token=preview.token, user_id=clerk.pk, job_id=str(job.pk),
                                           progress=lambda *args: None)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and Recipient.objects.count() == 2  # the worker died here
    calls = []
    monkeypatch.setattr(services, "recipients_import_confirm", lambda **kwargs: calls.append(kwargs))
    job_execute_attempt(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and calls == []
    assert Recipient.objects.count() == 2 and job.result["created"] == 2


def test_a_large_import_reports_its_progress_as_it_checks_the_rows(clerk, settings):
    """The bar moves during the import, not 0 → done: every 2 % of the rows is reported while
    they are checked, before anything is written (all or nothing)."""
    from circulation import services

    settings.RECIPIENTS_IMPORT_JOB_ROWS = 1
    preview = services.recipients_import_preview(data=make_csv([person_row(n) for n in range(1, 101)]),
                                                 file_name="r.csv", user=clerk)
    job = circulation_jobs.recipients_import_start(token=preview.token, user=clerk)
    reports = []

    def progress(done, total, message=""):
        reports.append((done, total, str(message), Recipient.objects.count()))

    circulation_jobs.recipients_import_run(token=preview.token, user_id=clerk.pk, job_id=str(job.pk),
                                           progress=progress)
    assert reports[0][:2] == (0, 100)
    checked = reports[1:]
    assert [done for done, *_rest in checked] == list(range(2, 101, 2))
    assert checked[-1][2] == "已核对 100 行中的 100 行"
    assert all(written == 0 for *_rest, written in checked)  # reported before the rows are written
    assert Recipient.objects.count() == 100


def test_the_job_checks_the_permission_of_whoever_started_it(clerk, settings):
    """The clerk lost the circulation role between the confirm and the job: nothing is imported."""
    from circulation import services

    settings.RECIPIENTS_IMPORT_JOB_ROWS = 1
    preview = services.recipients_import_preview(data=make_csv([person_row(1), person_row(2)]), file_name="r.csv",
                                                 user=clerk)
    job = circulation_jobs.recipients_import_start(token=preview.token, user=clerk)
    clerk.groups.clear()
    job_execute_attempt(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "发行" in job.error
    assert Recipient.objects.count() == 0


def test_import_command_runs_as_a_job(tmp_path, clerk):
    path = tmp_path / "r.csv"
    path.write_bytes(make_csv([person_row(1), person_row(2)], encoding="gbk"))
    out = io.StringIO()
    call_command("import_recipients", str(path), "--user", clerk.username, stdout=out)
    job = Job.objects.get(kind=circulation_jobs.FILE_IMPORT_KIND)
    assert (job.status, job.created_by, job.result["created"]) == (Job.Status.SUCCEEDED, clerk, 2)
    assert "2 行：新增 2 位收文对象" in out.getvalue() and Recipient.objects.count() == 2
    assert not default_storage.exists(job.params["staged"])  # the staged copy is gone
    bad = tmp_path / "bad.csv"
    bad.write_bytes(bad_category_csv())
    with pytest.raises(CommandError) as exc:
        call_command("import_recipients", str(bad), "--user", clerk.username, stdout=out)
    assert "第 2 行“类别”列" in str(exc.value) and Recipient.objects.count() == 2
    refused = Job.objects.filter(kind=circulation_jobs.FILE_IMPORT_KIND).exclude(pk=job.pk).get()
    # All or nothing; a refusal is not retried, and its Chinese messages are the job's error.
    assert (refused.status, refused.attempts) == (Job.Status.FAILED, 1)
    assert "第 2 行“类别”列" in refused.error and "Traceback" not in refused.error
    assert not default_storage.exists(refused.params["staged"])


# --- large exports -------------------------------------------------------------------------------


def test_a_large_xlsx_export_is_built_by_a_job_and_downloaded_by_its_starter_only(
    client, demo, clerk, settings, django_capture_on_commit_callbacks
):
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    settings.EXPORT_JOB_ROWS = 3
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "xlsx"]))
    job = Job.objects.get(kind=circulation_jobs.EXPORT_KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.SUCCEEDED and job.result_url == reverse("admin:jobs_job_file", args=[job.pk])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "下载 领军参阅-2024年第2期-发文签收单.xlsx" in page
    download = client.get(job.result_url)
    data = b"".join(download.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row > 3 and "发文签收单" in str(sheet["A1"].value)

    # Nobody else gets the file, not even a superuser who may see every job.
    for other in (role_user(roles.CIRCULATION, username="clerk-other"), UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(other)
        assert client.get(job.result_url).status_code == 403

    # CSV is streamed in the request whatever its size; small XLSX too.
    client.force_login(clerk)
    assert client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "csv"])).streaming
    settings.EXPORT_JOB_ROWS = 10_000
    assert client.get(reverse("admin:circulation_dispatch_sheet", args=[dist.pk, "xlsx"])).content[:2] == b"PK"
    assert Job.objects.filter(kind=circulation_jobs.EXPORT_KIND).count() == 1


def test_the_export_job_refuses_someone_who_lost_the_right_to_contacts(demo, clerk):
    dist = IssueDistribution.objects.get(issue=demo["issue_117"])
    job = circulation_jobs.distribution_export_start(distribution=dist, what="distribution", file_format="xlsx",
                                                     user=clerk)
    clerk.groups.clear()
    job_execute_attempt(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result is None and job.error
