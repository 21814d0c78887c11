"""import_recipients FILE [--dry-run] [--user NAME]: recipients from XLSX or CSV, on the same
validated path as the admin's import (all or nothing, Chinese messages naming row and column)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from circulation import jobs as circulation_jobs
from circulation import services
from circulation.exceptions import CirculationError
from jobs.models import Job
from jobs.runner import broker_url, job_run_inprocess


class Command(BaseCommand):
    help = _("Import recipients from an XLSX or CSV file (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help=_("Check the file and report; save nothing."))
        parser.add_argument("--user", help=_("Account to act as (circulation staff); default: the first superuser."))

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        users = get_user_model().objects
        user = (
            users.filter(username=options["user"]).first()
            if options.get("user")
            else users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError(_("No account to act as: name one with --user."))
        try:
            if options["dry_run"]:
                summary = services.recipients_import(data=path.read_bytes(), file_name=path.name, user=user, dry_run=True)
            else:
                summary = self._import(path, user)
        except CirculationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if summary is None:
            return
        message = _("%(total)s rows: %(created)s recipients added, %(updated)s updated.") % {
            "total": summary.total,
            "created": summary.created,
            "updated": summary.updated,
        }
        if options["dry_run"]:
            message = _("Checked, nothing saved: %(summary)s") % {"summary": message}
        self.stdout.write(message)

    def _import(self, path: Path, user):
        """Saved by a background job, recorded in the admin like the admin's large imports (on a
        worker when a broker is set; here, before this command returns, without one)."""
        job = circulation_jobs.recipients_file_import_start(data=path.read_bytes(), file_name=path.name, user=user)
        if not broker_url():
            job_run_inprocess(job.pk)  # now, even inside a transaction (a job that ran is not run again)
        job.refresh_from_db()
        if job.status == Job.Status.FAILED:
            raise CommandError(job.error)
        if job.status != Job.Status.SUCCEEDED:
            self.stdout.write(
                _("Queued as background job %(job)s; follow it in the admin at %(url)s")
                % {"job": job.pk, "url": job.get_absolute_url()}
            )
            return None
        return services.ImportSummary(created=job.result["created"], updated=job.result["updated"], total=job.result["total"])
