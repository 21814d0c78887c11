"""The search index rebuild as a job: started by a superuser from the jobs page, checked again
inside, idempotent (a second run leaves the same index)."""

import pytest
from django.urls import reverse

from clusters import jobs as cluster_jobs
from clusters.models import SearchDocument
from jobs.models import Job
from jobs.runner import job_execute_attempt
from tests.factories import ArticleFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_rebuilds_the_index_in_a_job(client, django_capture_on_commit_callbacks):
    issue = IssueFactory()
    for n in range(3):
        ArticleFactory(issue=issue, title="重建%d" % n)
    SearchDocument.objects.all().delete()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert "重建检索索引" in client.get(reverse("admin:jobs_job_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:jobs_job_search_index"))
    job = Job.objects.get(kind=cluster_jobs.KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.result["count"]) == (Job.Status.SUCCEEDED, 3)
    assert SearchDocument.objects.count() == 3
    assert "已为 3 篇文章建立索引。" in client.get(job.get_absolute_url()).content.decode()
    # Run again (a redelivery after a lost worker): the same index, not a second one.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    assert job_execute_attempt(job.pk).value == "succeeded"
    assert SearchDocument.objects.count() == 3


def test_other_staff_may_not_start_or_run_a_rebuild(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.post(reverse("admin:jobs_job_search_index")).status_code == 403
    assert "重建检索索引" not in client.get(reverse("admin:jobs_job_changelist")).content.decode()
    # A job recorded for a user who is no superuser (any more) refuses inside.
    job = Job.objects.create(kind=cluster_jobs.KIND, params={"user_id": UserFactory(is_staff=True).pk})
    job_execute_attempt(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1) and "管理员" in job.error
