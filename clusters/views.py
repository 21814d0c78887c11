"""The archive search and coverage pages, shown inside the admin (admin_view: staff only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors
from .forms import CoverageForm, SearchForm
from .models import Taxonomy

PAGE_SIZE = 20


def _require_view(request):
    if not request.user.has_perm("clusters.view_cluster"):
        raise PermissionDenied


def search(request):
    _require_view(request)
    form = SearchForm(request.GET or None)
    total, results, page = 0, [], None
    term = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        term = data["q"].strip()
        filters = selectors.SearchFilters(
            series_id=data["series"].pk if data["series"] else None,
            year=data["year"],
            cluster_id=data["cluster"].pk if data["cluster"] else None,
            status=data["status"] or None,
        )
        ids = selectors.article_search_ids(term, filters=filters)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        total = len(ids)
        results = selectors.article_search_results(term=term, ids=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Archive search"),
        "form": form,
        "term": term,
        "total": total,
        "results": results,
        "page": page,
        "query": query.urlencode(),
        "limit": selectors.SEARCH_LIMIT,
    }
    return render(request, "admin/clusters/search.html", context)


def coverage(request):
    _require_view(request)
    form = CoverageForm(request.GET or None)
    taxonomy = None
    if form.is_valid():
        taxonomy = form.cleaned_data["taxonomy"]
    if taxonomy is None:
        taxonomy = Taxonomy.objects.filter(is_active=True).first()
        form = CoverageForm(initial={"taxonomy": taxonomy})
    report = selectors.coverage(taxonomy=taxonomy)
    context = {
        **admin.site.each_context(request),
        "title": _("Coverage by cluster"),
        "form": form,
        "report": report,
    }
    return render(request, "admin/clusters/coverage.html", context)
