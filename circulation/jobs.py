"""Long circulation work as background jobs (jobs/): a recipients import of more than a few hundred
rows, and a large dispatch sheet or distribution list in XLSX.

Each job records who started it and checks that user's permission again inside, as the request
did: the job may run later, on another server, after the user lost the role. Smaller work stays
in the request, as before.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from jobs.files import FOLDER as JOB_FOLDER
from jobs.files import job_file_save
from jobs.models import Job
from jobs.runner import job_enqueue

from . import selectors, services, sheets
from .exceptions import CirculationError, ImportRejected
from .models import IssueDistribution, PendingImport

IMPORT_KIND = "circulation.jobs.recipients_import_run"
FILE_IMPORT_KIND = "circulation.jobs.recipients_file_import_run"
EXPORT_KIND = "circulation.jobs.distribution_export_run"


def _user(user_id: int):
    return get_user_model().objects.get(pk=user_id)


def _import_result(summary) -> dict:
    return {
        "created": summary.created,
        "updated": summary.updated,
        "total": summary.total,
        "summary": [
            gettext("Import done: %(created)s recipients added, %(updated)s updated.")
            % {"created": summary.created, "updated": summary.updated}
        ],
        "url": reverse("admin:circulation_recipient_changelist"),
    }


def recipients_import_run(*, token: str, user_id: int, job_id: str, progress) -> dict:
    """Import the rows a preview checked (``services.recipients_import_confirm``: all or nothing).

    Idempotent: the job's result is written in the import's own transaction, so an attempt that
    died after the import committed is answered from that record, never imported twice.
    """
    recorded = Job.objects.filter(pk=job_id).values_list("result", flat=True).first()
    if recorded:
        return recorded
    rows = PendingImport.objects.filter(token=token).values_list("rows", flat=True).first()
    total = len(rows["rows"]) if rows else 0
    progress(0, total, gettext("Importing %(total)s rows") % {"total": total})
    with transaction.atomic():
        result = _import_result(services.recipients_import_confirm(token=token, user=_user(user_id), progress=progress))
        Job.objects.filter(pk=job_id).update(result=result)
    return result


def recipients_file_import_run(*, staged: str, file_name: str, user_id: int, job_id: str, progress) -> dict:
    """Import a whole file in one pass (``services.recipients_import``: checked and saved, all or
    nothing), from the copy ``import_recipients`` left in the media store. Idempotent like
    ``recipients_import_run``; the copy is deleted once the file is imported or refused."""
    recorded = Job.objects.filter(pk=job_id).values_list("result", flat=True).first()
    if recorded:
        return recorded
    if not default_storage.exists(staged):
        raise ImportRejected(gettext("The file to import is gone; run the import again."))
    with default_storage.open(staged, "rb") as handle:
        data = handle.read()
    progress(0, 1, gettext("Reading %(name)s") % {"name": file_name})
    try:
        with transaction.atomic():
            summary = services.recipients_import(data=data, file_name=file_name, user=_user(user_id), progress=progress)
            result = _import_result(summary)
            Job.objects.filter(pk=job_id).update(result=result)
    except CirculationError:
        default_storage.delete(staged)
        raise
    default_storage.delete(staged)
    return result


def recipients_file_import_start(*, data: bytes, file_name: str, user) -> Job:
    services.require_circulation(user)
    staged = default_storage.save("%s/imports/%s.bin" % (JOB_FOLDER, uuid.uuid4().hex), ContentFile(data))
    return job_enqueue(
        FILE_IMPORT_KIND,
        params={"staged": staged, "file_name": file_name[:200], "user_id": user.pk},
        key="recipients-file-import:%s" % staged,
        label=gettext("Import recipients from %(name)s") % {"name": file_name[:100]},
        user=user,
    )


def recipients_import_start(*, token: str, user):
    """Confirm a checked recipients file: at once when small (an ImportSummary), in a job when it
    holds more than RECIPIENTS_IMPORT_JOB_ROWS rows (the Job)."""
    services.require_circulation(user)
    pending = None
    if _uuid(token):
        pending = PendingImport.objects.filter(token=token, user=user).values_list("rows", flat=True).first()
    if pending is None or len(pending["rows"]) <= settings.RECIPIENTS_IMPORT_JOB_ROWS:
        return services.recipients_import_confirm(token=token, user=user)  # refuses an expired token
    return job_enqueue(
        IMPORT_KIND,
        params={"token": token, "user_id": user.pk},
        key="recipients-import:%s" % token,
        label=gettext("Import %(total)s recipients") % {"total": len(pending["rows"])},
        user=user,
    )


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


# --- large exports -------------------------------------------------------------------------------

EXPORTS = {
    "dispatch": (lambda issue: selectors.dispatch_sheet(issue), lambda: gettext("Dispatch sheet")),
    "distribution": (
        lambda issue: selectors.distribution_sheet(issue, with_contacts=True),
        lambda: gettext("Distribution sheet"),
    ),
}


def may_export(user) -> bool:
    """What the admin's export views ask: may view the distribution and see contacts."""
    may_view = user.has_perm("circulation.view_issuedistribution") or user.has_perm(
        "circulation.change_issuedistribution"
    )
    return bool(user.is_active and user.is_staff and may_view and selectors.may_see_contacts(user))


def export_in_background(sheet, file_format: str) -> bool:
    """XLSX is built whole by openpyxl: above EXPORT_JOB_ROWS rows it is built by a job."""
    return file_format == "xlsx" and len(sheet.rows) > settings.EXPORT_JOB_ROWS


def distribution_export_run(*, distribution_id: int, what: str, file_format: str, user_id: int, job_id: str,
                            progress) -> dict:
    """Build the sheet and store the file for the job's page. Idempotent: a retry rebuilds the
    same file and replaces the earlier attempt's."""
    user = _user(user_id)
    if not may_export(user):
        raise PermissionDenied(gettext("Only circulation staff or an administrator may export contacts."))
    build, label = EXPORTS[what]
    distribution = IssueDistribution.objects.select_related("issue", "issue__series").get(pk=distribution_id)
    sheet = build(distribution.issue)
    progress(0, len(sheet.rows), gettext("Writing %(rows)s rows") % {"rows": len(sheet.rows)})
    data = sheets.render(sheet, file_format)
    name = selectors.sheet_file_name(distribution.issue, label(), file_format)
    stored = job_file_save(job_id=job_id, file_name=name, data=data, content_type=sheets.CONTENT_TYPES[file_format])
    return {**stored, "summary": [gettext("%(rows)s rows written to %(name)s.") % {"rows": len(sheet.rows), "name": name}]}


def distribution_export_start(*, distribution: IssueDistribution, what: str, file_format: str, user) -> Job:
    """Queue the export; each request is its own job (the data may have changed since the last)."""
    if not may_export(user):
        raise PermissionDenied
    return job_enqueue(
        EXPORT_KIND,
        params={"distribution_id": distribution.pk, "what": what, "file_format": file_format, "user_id": user.pk},
        label="%s %s" % (EXPORTS[what][1](), distribution.issue),
        user=user,
    )
