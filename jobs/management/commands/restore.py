from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobs.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup`: every hash is checked first; the database is "
        "replaced, media files are copied back, and the row counts are compared with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database-url", help="restore into this database instead of the site's own")
        parser.add_argument("--media-root", help="copy media files here instead of MEDIA_ROOT")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the site's database")

    def handle(self, *args, **options):
        if not options["database_url"] and not options["yes"]:
            raise CommandError(_("This replaces the site's database. Run again with --yes to confirm."))
        try:
            counts = backup_restore(
                folder=options["folder"], database_url=options["database_url"], media_root=options["media_root"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored %(tables)d tables (%(rows)d rows); row counts match the backup.")
            % {"tables": len(counts), "rows": sum(counts.values())}
        )
