"""Hostile requests get a 400, a 404 or a message, never a 500 (issue 10, finding 4).

One place for what every view would otherwise have to check:

* a query string carrying a NUL byte (PostgreSQL refuses it inside a query) or bytes that are not
  UTF-8 → 400;
* an integer beyond 64 bits in a query parameter other than the search box (an admin filter, a
  date-hierarchy year: SQLite overflows, ``datetime`` overflows) → 400;
* a search term longer than ``SEARCH_MAX_WORDS`` words / ``SEARCH_MAX_CHARS`` characters is cut
  to that, with a message on admin pages (a thousand words make SQLite's expression tree too deep);
* an admin URL whose object id (or history id) cannot be a key of that model → 404 (the history
  pages of django-simple-history would pass it to the database and fail with a 500).
"""

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.utils.translation import gettext as _

SEARCH_PARAMETERS = ("q", "term")
HUGE_INTEGER = re.compile(r"^[+-]?0*\d{19,}$")
INT64_MAX = 2**63 - 1


def search_limits() -> tuple[int, int]:
    return getattr(settings, "SEARCH_MAX_WORDS", 20), getattr(settings, "SEARCH_MAX_CHARS", 200)


def _bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _query_string_problem(raw: str) -> str | None:
    data = unquote_to_bytes(raw.replace("+", " "))
    if b"\x00" in data:
        return _("The address contains a NUL character.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _("The address is not valid UTF-8.")
    return None


def _cut_search_term(value: str) -> str | None:
    """The term cut to the limits, or None when it is within them."""
    max_words, max_chars = search_limits()
    words = value.split()
    if len(words) <= max_words and len(value) <= max_chars:
        return None
    return " ".join(words[:max_words])[:max_chars]


def _model_for_admin_url(url_name: str):
    """The registered model whose admin URL this is ("briefs_issue_simple_history" → Issue)."""
    for model in admin.site._registry:
        prefix = "%s_%s_" % (model._meta.app_label, model._meta.model_name)
        if url_name.startswith(prefix):
            return model
    return None


def _is_int64(value: str) -> bool:
    try:
        return abs(int(value)) <= INT64_MAX and value.strip().lstrip("+-").isdigit()
    except ValueError:
        return False


class RejectMalformedRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _query_string_problem(request.META.get("QUERY_STRING", ""))
        if problem:
            return _bad_request(problem)
        for name, values in request.GET.lists():
            if name not in SEARCH_PARAMETERS and any(HUGE_INTEGER.match(value) for value in values):
                return _bad_request(_("The value of %(name)s is out of range.") % {"name": name})
        self._limit_search_terms(request)
        return self.get_response(request)

    def _limit_search_terms(self, request):
        cut = {name: _cut_search_term(request.GET[name]) for name in SEARCH_PARAMETERS if name in request.GET}
        cut = {name: value for name, value in cut.items() if value is not None}
        if not cut:
            return
        request.GET = request.GET.copy()
        for name, value in cut.items():
            request.GET[name] = value
        if "q" in cut and hasattr(request, "_messages"):
            max_words, max_chars = search_limits()
            messages.warning(
                request,
                _("The search was too long: only its first %(words)d words (at most %(chars)d characters) were used.")
                % {"words": max_words, "chars": max_chars},
            )

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != "admin" or not match.url_name:
            return None
        ids = list(view_args)
        if "object_id" in view_kwargs:
            ids.insert(0, view_kwargs["object_id"])
        if not ids:
            return None
        model = _model_for_admin_url(match.url_name)
        if model is None:
            return None
        try:
            model._meta.pk.to_python(unquote(ids[0]))
        except (ValidationError, ValueError, TypeError):
            raise Http404 from None
        # Further positional ids are history records' keys: integers.
        if not all(_is_int64(str(value)) for value in ids[1:]):
            raise Http404
        return None
