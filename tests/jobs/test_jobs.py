"""The jobs layer: queued after commit, run in-process without a broker, idempotent, retried."""

from datetime import date

import pytest
from django.core import mail
from django.db.models.query import QuerySet
from django.urls import reverse

from briefs.models import Issue
from jobs.mail import mail_enqueue
from jobs.models import Job, OutgoingMail
from jobs.runner import Outcome, job_enqueue, job_execute_attempt
from tests.factories import ArticleFactory, NumberedIssueFactory, UserFactory, announce_transition
from tests.jobs import job_functions

pytestmark = pytest.mark.django_db


def _first_update_of_dies(monkeypatch, field: str) -> None:
    """The first ``QuerySet.update()`` that writes ``field`` raises, as a worker lost mid-write."""
    real_update, failed = QuerySet.update, []

    def update_dies_once(self, **kwargs):
        if kwargs.get(field) and not failed:
            failed.append(1)
            raise OSError("worker lost")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_dies_once)


@pytest.fixture(autouse=True)
def _clear_calls():
    job_functions.CALLS.clear()


def test_job_runs_after_commit_and_records_its_result(django_capture_on_commit_callbacks):
    """Nothing runs before the caller's transaction commits; then the result and progress are kept."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_enqueue("tests.jobs.job_functions.add", params={"a": 2, "b": 3}, label="加法")
        assert job_functions.CALLS == []
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"sum": 5}
    assert (job.progress_done, job.progress_total, job.percent) == (2, 2, 100)
    assert job.attempts == 1 and job.finished_at is not None


def test_same_key_gives_the_same_job_and_runs_once(django_capture_on_commit_callbacks):
    """Enqueueing the same work twice (a double click, a redelivered signal) runs it once."""
    with django_capture_on_commit_callbacks(execute=True):
        first = job_enqueue("tests.jobs.job_functions.add", params={"a": 1, "b": 1}, key="sum-1-1")
    with django_capture_on_commit_callbacks(execute=True):
        second = job_enqueue("tests.jobs.job_functions.add", params={"a": 1, "b": 1}, key="sum-1-1")
    assert first.pk == second.pk
    assert job_functions.CALLS == [("add", 1, 1)]
    # A redelivered message for a finished job does not run it again either.
    assert job_execute_attempt(first.pk) is Outcome.SUCCEEDED
    assert job_functions.CALLS == [("add", 1, 1)]


def test_failing_job_is_retried_then_succeeds(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue("tests.jobs.job_functions.flaky", params={"fail_times": 2})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 3
    assert job.result == "ok"


def test_job_that_keeps_failing_ends_failed_with_its_error(settings, django_capture_on_commit_callbacks):
    settings.JOBS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue("tests.jobs.job_functions.flaky", params={"fail_times": 99})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3
    assert "temporary failure" in job.error
    assert len(job_functions.CALLS) == 3


def test_unknown_job_kind_fails_at_enqueue():
    with pytest.raises(ImportError):
        job_enqueue("tests.jobs.job_functions.no_such_job")
    assert not Job.objects.exists()


def _sign(issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        announce_transition(issue, "sign_off")


def test_sign_off_archives_the_pdf_in_a_job(django_capture_on_commit_callbacks):
    """签发 enqueues the archive job; it stores the PDF and its result links to the issue."""
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED, issue_date=date(2024, 1, 19))
    ArticleFactory(issue=issue, title="签发文章")
    _sign(issue, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="briefs.rendering.archive.issue_pdf_archive")
    assert job.status == Job.Status.SUCCEEDED
    assert job.params == {"issue_id": issue.pk}
    issue.refresh_from_db()
    assert issue.archived_pdf
    assert job.result_url == issue.get_absolute_url()


def test_a_retried_archive_writes_once(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """The first attempt dies after the file is stored, while recording it; the retry leaves exactly
    one issue PDF, and the same sign-off announced again adds no job and no render."""
    from briefs.rendering import archive

    settings.MEDIA_ROOT = str(tmp_path)
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED, issue_date=date(2024, 1, 19))
    ArticleFactory(issue=issue, title="重试文章")
    real_render, renders = archive.render_pdf, []

    def counting_render(document):
        renders.append(1)
        return real_render(document)

    monkeypatch.setattr(archive, "render_pdf", counting_render)
    _first_update_of_dies(monkeypatch, "archived_pdf")
    _sign(issue, django_capture_on_commit_callbacks)
    _sign(issue, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="briefs.rendering.archive.issue_pdf_archive")
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert len(renders) == 2
    issue.refresh_from_db()
    stored = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    # One issue PDF, plus the signed 审批单 stored beside it at the same 签发 (also once).
    assert stored == sorted([issue.archived_pdf.name, issue.archived_approval.name])
    assert issue.archived_approval.name.endswith("-approval.pdf")


def test_mail_is_sent_once_and_recorded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(to="chief@example.org", subject="请初审", body="第 2 期", key="notify:1:2")
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(to="chief@example.org", subject="请初审", body="第 2 期", key="notify:1:2")
    assert len(mail.outbox) == 1
    record = OutgoingMail.objects.get()
    assert (record.status, record.attempts, record.to) == (OutgoingMail.Status.SENT, 1, "chief@example.org")
    assert record.sent_at is not None


def test_on_sent_runs_once_after_the_mail_left(django_capture_on_commit_callbacks):
    """The caller's own record (e.g. the workflow's Notification row) is written once, with the send."""
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            mail_enqueue(to="a@example.org", subject="s", body="b", key="notify:5:6",
                         on_sent="tests.jobs.job_functions.record_sent", on_sent_params={"event": 5})
    assert job_functions.CALLS == [("sent", 5)]
    assert len(mail.outbox) == 1


def test_mail_server_failure_is_retried_and_recorded(monkeypatch, django_capture_on_commit_callbacks):
    """The first attempt's error is kept on the record; the retry sends the mail exactly once."""
    import jobs.mail

    real_send, attempts = jobs.mail.send_mail, []

    def send_fails_once(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionRefusedError("smtp down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(jobs.mail, "send_mail", send_fails_once)
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(to="leader@example.org", subject="已签发", body="…", key="notify:9:1")
    record = OutgoingMail.objects.get()
    assert (record.status, record.attempts) == (OutgoingMail.Status.SENT, 2)
    assert len(mail.outbox) == 1


def _staff(**fields):
    return UserFactory(is_staff=True, **fields)


def test_job_page_shows_progress_and_result(client, django_capture_on_commit_callbacks):
    owner = _staff()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue("tests.jobs.job_functions.add", params={"a": 4, "b": 5}, label="加法任务", user=owner)
    client.force_login(owner)
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<progress id="job-progress" max="100" value="100"' in text
    assert "成功" in text and "已算一半" in text and "加法任务" in text
    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    assert status["percent"] == 100 and status["finished"] is True


def test_running_job_reports_its_progress(client):
    owner = _staff()
    job = Job.objects.create(kind="tests.jobs.job_functions.add", created_by=owner, status=Job.Status.RUNNING,
                             progress_done=3, progress_total=12, message="第 3 行")
    client.force_login(owner)
    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    assert status == {"status": "running", "status_display": "运行中", "percent": 25, "done": 3, "total": 12,
                      "message": "第 3 行", "finished": False}
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert 'data-finished="0"' in page and "jobs/progress.js" in page


def test_progress_reported_inside_an_open_transaction_reaches_the_bar(client):
    """An all-or-nothing import reports from inside its transaction, where the row's update is not
    visible to anyone else until the end (rolled back here to stand for "not yet committed"): the
    status the bar polls comes from the cache while the job runs."""
    from django.db import transaction

    from jobs.runner import _Progress

    owner = _staff()
    job = Job.objects.create(kind="tests.jobs.job_functions.add", created_by=owner, status=Job.Status.RUNNING)
    with transaction.atomic():
        _Progress(job.pk)(30, 120, "已核对 30 行")
        transaction.set_rollback(True)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (0, 0)
    client.force_login(owner)
    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    assert (status["percent"], status["done"], status["total"], status["message"]) == (25, 30, 120, "已核对 30 行")
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert '<progress id="job-progress" max="100" value="25"' in page
    # Once the job has ended, its row is the truth again.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress_done=120, progress_total=120)
    assert client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()["done"] == 120


def test_other_staff_cannot_see_someone_elses_job(client):
    job = Job.objects.create(kind="tests.jobs.job_functions.add", created_by=_staff())
    client.force_login(_staff())
    assert client.get(reverse("admin:jobs_job_status", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 403
    listing = client.get(reverse("admin:jobs_job_changelist"))
    assert listing.status_code == 200 and str(job.pk) not in listing.content.decode()


def test_a_retried_approval_archive_writes_once(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """签发 archives the 审批单 in its own job; when the first attempt dies after storing the file,
    the retry leaves exactly one 审批单, and the same sign-off announced again adds no job."""
    settings.MEDIA_ROOT = str(tmp_path)
    issue = NumberedIssueFactory(status=Issue.Status.SIGNED, issue_date=date(2024, 1, 19))
    ArticleFactory(issue=issue, title="审批单重试")
    _first_update_of_dies(monkeypatch, "archived_approval")
    _sign(issue, django_capture_on_commit_callbacks)
    _sign(issue, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="briefs.rendering.approval_receivers.approval_archive")
    assert (job.status, job.attempts, job.params) == (Job.Status.SUCCEEDED, 2, {"issue_id": issue.pk})
    issue.refresh_from_db()
    assert job.result_url == issue.get_absolute_url()
    approvals = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*-approval.pdf"))
    assert approvals == [issue.archived_approval.name]
    assert str(job) == "归档签发的审批单"
