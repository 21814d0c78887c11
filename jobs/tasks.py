"""The one Celery task: run a jobs.Job by id, retrying with a growing delay."""

from django.conf import settings

from zhiku.celery import app

from .models import Job
from .runner import Outcome, job_execute_attempt


@app.task(bind=True, name="jobs.run", max_retries=None)
def run_job(self, job_id: str):
    outcome = job_execute_attempt(job_id)
    if outcome is Outcome.RETRY:
        attempts = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=settings.JOBS_RETRY_DELAY_SECONDS * 2 ** (attempts - 1))
    return outcome.value
