from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobs.retention import jobs_purge


class Command(BaseCommand):
    help = "Delete background jobs that finished more than JOBS_KEEP_DAYS days ago, with the files they wrote."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep jobs finished within this many days")

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        purged = jobs_purge(keep_days=days)
        self.stdout.write(
            _("Deleted %(jobs)d finished jobs and %(files)d files.") % {"jobs": purged.jobs, "files": purged.files}
        )
