"""Files a job writes for its starter to download (large exports): kept in the media store under
``jobs/<job id>/``, outside every folder the /media/ view serves, and fetched only through the
job's page (``JobAdmin.file_view``), which checks who started the job."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.http import content_disposition_header

FOLDER = "jobs"


def job_file_save(*, job_id: str, file_name: str, data: bytes, content_type: str) -> dict:
    """Store ``data`` as the file of job ``job_id``, replacing an earlier attempt's (idempotent);
    return the result fields that the job's page turns into a download link."""
    path = f"{FOLDER}/{job_id}/file"
    if default_storage.exists(path):
        default_storage.delete(path)
    stored = default_storage.save(path, ContentFile(data))
    return {
        "file": stored,
        "file_name": file_name,
        "content_type": content_type,
        "url": reverse("admin:jobs_job_file", args=[job_id]),
    }


def job_file_response(job) -> FileResponse:
    result = job.result if isinstance(job.result, dict) else {}
    path = result.get("file", "")
    if not path.startswith(f"{FOLDER}/{job.pk}/") or not default_storage.exists(path):
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"), content_type=result.get("content_type"))
    response["Content-Disposition"] = content_disposition_header(True, result.get("file_name") or "export")
    return response
