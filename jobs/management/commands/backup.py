from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobs.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database, the media folder and a SHA-256 manifest into BACKUP_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="folder that receives the backup (default BACKUP_ROOT)")
        parser.add_argument("--keep", type=int, default=0, help="keep only this many newest backups")

    def handle(self, *args, **options):
        try:
            result = backup_create(root=Path(options["output"]) if options["output"] else None, keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup written to %(folder)s: %(tables)d tables, %(files)d files.") % result
        )
        self.stdout.write(result["folder"])
