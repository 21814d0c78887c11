"""A paginator for the archive's big lists (copies, movements, articles, events) whose count does
not read the whole table: it counts at most ``CAP + 1`` rows of the list, in the list's own order,
so the count walks the same index as the page and stops there. Past the cap the list says
"more than 10,000" (templates/admin/pagination.html) and offers the first 100 pages; a filter or
the search narrows it to the rest."""

from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # A sliced queryset counts as SELECT COUNT(*) FROM (SELECT … ORDER BY … LIMIT cap + 1):
        # the ordering is kept, so the index that serves the page serves the count.
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def capped_label(self) -> str:
        return gettext("more than %(count)s") % {"count": number_format(self.cap, force_grouping=True)}

    def capped_results_label(self) -> str:
        return gettext("%(count)s results") % {"count": self.capped_label()}

    # The search bar's "N results" (templates/admin/search_form.html) and the action bar's "select
    # all N" (templates/admin/actions.html) would otherwise print cap + 1.
    def select_all_label(self) -> str:
        return gettext("Select all (%(count)s)") % {"count": self.capped_label()}

    def all_selected_label(self) -> str:
        return gettext("All (%(count)s) selected") % {"count": self.capped_label()}


class CappedCountAdminMixin:
    """``show_full_result_count = False`` only spares the second count; this caps the first one."""

    paginator = CappedCountPaginator
    show_full_result_count = False
