"""Back-catalogue imports of more than a few files as a background job (jobs/): each file is
imported all or nothing as in the request (``services.issue_file_import``), and the job's page
moves a bar file by file and ends on the report of every file."""

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext

from jobs.models import Job
from jobs.runner import job_enqueue

from . import services, staging

KIND = "backcatalogue.jobs.staged_files_import_run"


def _report_line(report: services.FileReport) -> str:
    from .admin import _status_label

    line = "%s：%s" % (report.name, _status_label(report.status))
    return line + ("（%s）" % "；".join(report.errors) if report.errors else "")


def staged_files_import_run(*, files: list[dict], user_id: int, progress) -> dict:
    """Import the claimed files one by one. Idempotent: a file imported by an attempt that died is
    reported as already imported on the retry (its checksum is on record), never written twice;
    the staged copies are deleted only once every file has been through."""
    user = get_user_model().objects.get(pk=user_id)
    try:
        services.require_importer(user)
    except services.ImportNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    reports = []
    for done, entry in enumerate(files, start=1):
        data = staging.read_claimed(entry)
        if data is None:
            report = services.FileReport(name=entry["name"], errors=[gettext("This upload has expired; upload it again.")])
        else:
            report = services.issue_file_import(name=entry["name"], data=data, user=user)
        reports.append(report)
        progress(done, len(files), report.name)
    staging.discard_claimed(files)
    return {
        "summary": [_report_line(report) for report in reports],
        "reports": [report.as_dict() for report in reports],
        "url": reverse("admin:backcatalogue_importedfile_changelist"),
    }


def staged_files_import_start(request, tokens) -> Job:
    """Claim the previewed files of ``tokens`` from the session and import them in a job."""
    try:
        services.require_importer(request.user)
    except services.ImportNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    files = staging.claim(request, tokens)
    key = hashlib.sha256(" ".join(sorted(entry["token"] for entry in files)).encode()).hexdigest()
    return job_enqueue(
        KIND,
        params={"files": files, "user_id": request.user.pk},
        key="backcatalogue-import:%s" % key,
        label=gettext("Import %(count)s past issues") % {"count": len(files)},
        user=request.user,
    )
