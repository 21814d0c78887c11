"""The issue page's rendered parts, kept per user until something they show is written (issue 14).

An issue's admin page cost twelve times the login page's CPU: its ~16 fields, each through
Django's widget, label and error templates, the articles with their CKEditor widgets, the workflow
panel (the actions this user may take, the numbers it would get, the timeline). What it shows
changes only when one of these is written: the issue itself, any issue of its series (the numbers
if signed today), an article, a series (the series to choose from), a review chain, a
responsible editor, a workflow event or paper sign-off, a person (names in the chain and the
timeline), their groups or permissions — or what an admin extension on the page reads. Every such
write moves one *generation* on (``zhiku.generations``: when made and again at commit), and the
parts are kept under the generation read before the issue was read, so the next page after a
write renders afresh, in every process.

What is kept: the page's ``extrahead`` (the form's scripts), ``breadcrumbs`` and ``content`` blocks
(the form, the articles, the workflow panel, the output links) with its title. The frame around
them — the header, the navigation, the messages — is rendered on every request. The key holds:

- the generation, and the issue's own row as read on this request (a write through
  ``QuerySet.update()`` — a version claimed, an archived PDF recorded — changes it without a signal);
- the user, with their permissions and role groups (``zhiku.admin_site.permission_key``): a part
  is only ever served to the user it was rendered for, after the page's own permission check;
- the language, time zone and today's date (the numbers "if signed today"), the path with its query;
- this process's start: a deployment (new templates, new code) never serves an older render.

The CSRF token is never kept: the parts are rendered with a random placeholder in its place, which
each request replaces with its own token.

Only a cache every process shares is used (``SHARED_CACHE``, on with Redis); without it each page
renders in full, as do pages with query parameters other than the changelist's filters (popups).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from zhiku.admin_site import permission_key
from zhiku.generations import Generation

from .models import Article, Editor, Issue, IssueEvent, PaperSignOff, ReviewStage, Series

GENERATION = Generation("briefs:issue_page:generation")
# The parts the page template marks with {% issue_page_part %}; all are kept or none.
PARTS = ("extrahead", "breadcrumbs", "content")
# Query parameters the kept page may carry (the changelist's filters, for the links back to it).
KEPT_QUERY_PARAMETERS = frozenset({"_changelist_filters"})
# Different in every process start: a new deployment renders its own pages.
_PROCESS = secrets.token_hex(8)


def invalidate() -> None:
    """Forget every kept issue page, now and again when the current transaction commits."""
    GENERATION.move_on()


def invalidate_on(*models) -> None:
    """Forget the kept pages whenever a row of ``models`` is saved or deleted (an admin extension
    on the issue page names what its additions read: ``AdminExtension.reads``)."""
    GENERATION.follow(*models)


def connect() -> None:
    """What the page reads in briefs and auth (from BriefsConfig.ready)."""
    GENERATION.follow(Issue, Article, Series, ReviewStage, Editor, IssueEvent, PaperSignOff)
    GENERATION.follow_people()


def generation(request) -> int | None:
    """The generation to keep this request's page under, read *before* the issue is read; None
    when the page is not to be kept (no shared cache, a write of this connection not committed
    yet, a popup or other query parameters, not a GET)."""
    if request.method not in ("GET", "HEAD") or not set(request.GET) <= KEPT_QUERY_PARAMETERS:
        return None
    if not GENERATION.usable():
        return None
    return GENERATION.current()


def page_key(request, issue: Issue, generation_read: int) -> str:
    # Read through the fields (a file field always as its FieldFile), so the key does not depend
    # on whether something looked at a field before.
    row = [(field.attname, getattr(issue, field.attname)) for field in Issue._meta.concrete_fields]
    user = request.user
    parts = (
        _PROCESS,
        generation_read,
        issue.pk,
        row,
        user.pk,
        # Sets spelt in sorted order: a set's repr follows how it was built (read from the
        # database or from the cache), and the key must not.
        [sorted(part) if isinstance(part, frozenset | set) else part for part in permission_key(user)],
        get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        get_script_prefix(),
        request.get_full_path(),
    )
    return "briefs:issue_page:%s" % hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def kept(key: str) -> dict | None:
    return cache.get(key)


def keep(key: str, parts: dict, title: str, subtitle: str) -> None:
    if set(PARTS) <= set(parts) and not GENERATION.pending():
        entry = {"parts": {name: parts[name] for name in PARTS}, "placeholder": parts["placeholder"]}
        cache.set(key, {**entry, "title": title, "subtitle": subtitle}, settings.ISSUE_PAGE_CACHE_SECONDS)


def collector() -> dict:
    """Where the template puts the parts it renders, with the placeholder it used for the token."""
    return {"placeholder": "zhiku-csrf-" + secrets.token_hex(16)}


def render_part(name: str, nodelist, context) -> str:
    """One part of the page: the kept HTML with this request's CSRF token in it, or rendered now
    (and handed to the collector with the placeholder in the token's place)."""
    token = context.get("csrf_token")
    token = "" if token is None else str(token)
    served = context.get("issue_page_kept")
    if served is not None:
        return mark_safe(served["parts"][name].replace(served["placeholder"], token))
    parts = context.get("issue_page_keep")
    if parts is None:
        return nodelist.render(context)
    with context.push(csrf_token=parts["placeholder"]):
        html = nodelist.render(context)
    parts[name] = html
    return mark_safe(html.replace(parts["placeholder"], token))
