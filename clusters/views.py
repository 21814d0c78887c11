"""The archive search, coverage and tag-suggestion views, inside the admin (admin_view: staff only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from briefs.models import Article, Issue, Series

from . import charts, search_cache, selectors, services
from . import search as archive
from .exceptions import ClustersError
from .forms import CoverageForm, SearchForm
from .models import Taxonomy

PAGE_SIZE = 20


def _require_view(request):
    if not request.user.has_perm("clusters.view_cluster"):
        raise PermissionDenied


def _facet_links(request, found) -> dict:
    """Facet entries as (label, count, url, active, depth); a click sets or clears that filter."""

    def link(name, value):
        query = request.GET.copy()
        query.pop("page", None)
        active = query.get(name) == str(value)
        if active:
            query.pop(name)
        else:
            query[name] = value
        return "?" + query.urlencode(), active

    def entries(name, items):
        out = []
        for value, label, count, depth in items:
            url, active = link(name, value)
            out.append({"label": label, "count": count, "url": url, "active": active, "depth": depth})
        return out

    facets = found.facets
    series = Series.objects.in_bulk([pk for pk, _n in facets.series])
    return {
        "clusters": entries("cluster", [(c.pk, c.name, n, depth) for c, depth, n in facets.clusters]),
        "years": entries("year", [(y, y or _("Undated"), n, 0) for y, n in facets.years if y]),
        "series": entries("series", [(pk, series[pk].name, n, 0) for pk, n in facets.series if pk in series]),
        "statuses": entries("status", [(s, Issue.Status(s).label, n, 0) for s, n in facets.statuses]),
    }


def search(request):
    """The archive search page. Its content (form, results, facets, pages) is kept beside the
    search's own results (``clusters.search_cache``: same generation, so the same writes make it
    render afresh), per query string and per view of the archive (the statuses the user may find)
    — nothing else in it depends on who asks."""
    _require_view(request)
    cache_key = None
    if search_cache.usable():
        statuses = archive.visible_statuses(request.user)
        view = None if statuses is None else sorted(statuses)
        cache_key = search_cache.key("page", request.GET.urlencode(), view, get_language())
    content = search_cache.get(cache_key) if cache_key else None
    if content is None:
        content = render_to_string("admin/clusters/_search_content.html", _search_content(request), request=request)
        if cache_key:
            search_cache.put(cache_key, content)
    context = {**admin.site.each_context(request), "title": _("Archive search"), "content": mark_safe(content)}
    return render(request, "admin/clusters/search.html", context)


def _search_content(request) -> dict:
    form = SearchForm(request.GET or None)
    found, results, page, facets = None, [], None, None
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = archive.SearchFilters(
            series_id=data["series"].pk if data["series"] else None,
            year=data["year"],
            cluster_id=data["cluster"].pk if data["cluster"] else None,
            status=data["status"] or None,
        )
        number = request.GET.get("page", "1")
        number = int(number) if number.isdigit() else 1
        found = selectors.search(data["q"], user=request.user, filters=filters, page=number, page_size=PAGE_SIZE)
        # The search returns one page and the exact total; the paginator only draws the links.
        page = Paginator(range(found.total), PAGE_SIZE).get_page(found.page)
        results = archive.results(search=found, ids=found.ids)
        facets = _facet_links(request, found)
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "found": found, "results": results, "page": page, "facets": facets, "query": query.urlencode()}


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
        "chart": charts.coverage_chart(report),
    }
    return render(request, "admin/clusters/coverage.html", context)


def _article_for_tags(request, pk):
    article = get_object_or_404(Article.objects.select_related("issue"), pk=pk)
    if not request.user.has_perm("briefs.view_article"):
        raise PermissionDenied
    return article


def suggestions(request, pk):
    """Tag suggestions for one article, as JSON, for the issue page's article forms."""
    _require_view(request)
    article = _article_for_tags(request, pk)
    may_tag = request.user.has_perm("clusters.add_articlecluster")
    return JsonResponse(
        {
            "may_tag": may_tag,
            "suggestions": [
                {"id": c.pk, "name": c.name, "mentions": score} for c, score in selectors.cluster_suggestions(article=article)
            ],
            "tags": list(article.cluster_tags.values_list("cluster__name", flat=True)),
        }
    )


@require_POST
def suggestions_accept(request, pk):
    """Accept the ticked suggestions (the service checks the permission)."""
    _require_view(request)
    article = _article_for_tags(request, pk)
    ids = [v for v in request.POST.getlist("cluster") if v.isdigit()]
    try:
        tags = services.article_tags_accept(article=article, cluster_ids=ids, user=request.user)
    except ClustersError as error:
        return JsonResponse({"error": str(error)}, status=403)
    return JsonResponse({"accepted": [tag.cluster.name for tag in tags]})
