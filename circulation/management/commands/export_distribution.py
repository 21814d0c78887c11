"""export_distribution ISSUE --format xlsx|csv --output PATH: the dispatch sheet of an issue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from briefs.models import Issue
from circulation import selectors


class Command(BaseCommand):
    help = _("Export the dispatch sheet of an issue, given by its total number.")

    def add_arguments(self, parser):
        parser.add_argument("issue", type=int, help=_("Total number of the issue, e.g. 117"))
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", required=True)
        parser.add_argument("--series", help=_("Series slug, when several series share the number"))

    def handle(self, *args, **options):
        issues = Issue.objects.filter(total_number=options["issue"]).select_related("series")
        if options.get("series"):
            issues = issues.filter(series__slug=options["series"])
        found = list(issues[:2])
        if not found:
            raise CommandError(_("No issue with total number %(number)s.") % {"number": options["issue"]})
        if len(found) > 1:
            raise CommandError(
                _("Several series have issue %(number)s; name one with --series.") % {"number": options["issue"]}
            )
        data = selectors.dispatch_sheet_export(found[0], options["format"])
        Path(options["output"]).write_bytes(data)
        self.stdout.write(_("Wrote %(path)s (%(size)s bytes).") % {"path": options["output"], "size": len(data)})
