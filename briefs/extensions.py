"""Extension points through which apps above ``briefs`` plug into it.

``briefs`` imports no other app of ours (DESIGN.md: apps depend downward). ``circulation`` and
``clusters`` register callables here from their ``AppConfig.ready``:

- a *distribution provider* gives the footer's 报 line and print run for an issue;
- *transition guards* may veto a workflow action (circulation refuses 印发 when the copies do
  not add up);
- *demo loaders* add their part of the demo data after ``load_demo`` built issue 117.

The workflow also announces every transition with ``briefs.signals.issue_transitioned``, sent
inside the transition's transaction.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DistributionFooter:
    """The distribution part of an issue's footer, as printed."""

    bao_line: str  # the whole line, e.g. "报：刘小涛书记、…；市发改委…。"
    print_run: int | None  # 共印 N 份; None when circulation has no figure


DistributionProvider = Callable[["object"], DistributionFooter | None]
TransitionGuard = Callable[..., list[str]]
DemoLoader = Callable[..., None]

_distribution_providers: list[DistributionProvider] = []
_transition_guards: dict[str, list[TransitionGuard]] = defaultdict(list)
_demo_loaders: list[DemoLoader] = []


def register_distribution_provider(provider: DistributionProvider) -> DistributionProvider:
    if provider not in _distribution_providers:
        _distribution_providers.append(provider)
    return provider


def distribution_footer(issue) -> DistributionFooter | None:
    """The first provider's answer for ``issue``, or None when no app provides one."""
    for provider in _distribution_providers:
        footer = provider(issue)
        if footer is not None:
            return footer
    return None


def register_transition_guard(action: str, guard: TransitionGuard) -> TransitionGuard:
    """``guard(issue=..., user=...)`` returns a list of Chinese error messages; empty means allowed."""
    if guard not in _transition_guards[action]:
        _transition_guards[action].append(guard)
    return guard


def transition_guard_errors(action: str, *, issue, user) -> list[str]:
    errors: list[str] = []
    for guard in _transition_guards.get(action, []):
        errors.extend(guard(issue=issue, user=user))
    return errors


def register_demo_loader(loader: DemoLoader) -> DemoLoader:
    """``loader(series=..., issues=[...], stdout=...)``; must be idempotent like load_demo."""
    if loader not in _demo_loaders:
        _demo_loaders.append(loader)
    return loader


def run_demo_loaders(**context) -> None:
    for loader in _demo_loaders:
        loader(**context)


# --- archive search ---------------------------------------------------------------------------
# clusters provides Chinese-aware full-text search; the briefs admin changelists use it for their
# search box when it is registered, and plain icontains otherwise.
ArticleSearch = Callable[[str], list[int]]
_article_search: list[ArticleSearch] = []


def register_article_search(search: ArticleSearch) -> ArticleSearch:
    """``search(term)`` returns the ids of matching articles, best first."""
    _article_search[:] = [search]
    return search


def article_search_ids(term: str) -> list[int] | None:
    """Ids of articles matching ``term``, or None when no search backend is registered."""
    if not _article_search:
        return None
    return _article_search[0](term)


# --- the admin pages of issues and articles ---------------------------------------------------------
# Apps above briefs add inlines, list filters, read-only fields and fieldsets to briefs' Issue and
# Article admins here, instead of unregistering briefs' admin class and registering a subclass.
# briefs' admin reads the registry on every request, so the order of app loading does not matter.


@dataclass(frozen=True)
class AdminExtension:
    """What one app adds to one of briefs' admin pages.

    - ``inlines``: inline classes shown after briefs' own;
    - ``list_filters``: filters added to the changelist;
    - ``readonly_fields``: callables ``f(obj)`` (decorated with ``admin.display``) the page may show;
    - ``fieldsets(request, obj, model_admin)``: extra fieldsets for the page (may name the callables);
    - ``save_formset(request, obj, formset)``: saves the formsets of this extension's own inlines
      (through the app's services); briefs never saves them itself;
    - ``save_related(request, obj)``: runs after briefs saved the object and its inlines, inside
      the same transaction;
    - ``reads``: the models whose rows the additions show (the inlines' models are counted
      already). The issue page is kept until something it shows is written (briefs.issue_page),
      so a write to any of them renders it afresh.
    """

    inlines: tuple = ()
    list_filters: tuple = ()
    readonly_fields: tuple = ()
    fieldsets: Callable[..., list] | None = None
    save_formset: Callable[..., None] | None = None
    save_related: Callable[..., None] | None = None
    reads: tuple = ()

    def owns(self, formset) -> bool:
        return any(formset.model is inline.model for inline in self.inlines)


ADMIN_PAGES = ("issue", "article")
_admin_extensions: dict[str, list[AdminExtension]] = defaultdict(list)


def register_admin_extension(page: str, extension: AdminExtension) -> AdminExtension:
    """Add ``extension`` to briefs' ``page`` admin ("issue" or "article")."""
    if page not in ADMIN_PAGES:
        raise ValueError(f"unknown admin page {page!r}; one of {ADMIN_PAGES}")
    if extension not in _admin_extensions[page]:
        _admin_extensions[page].append(extension)
    if page == "issue":
        from .issue_page import invalidate_on

        invalidate_on(*(inline.model for inline in extension.inlines), *extension.reads)
    return extension


def admin_extensions(page: str) -> list[AdminExtension]:
    return list(_admin_extensions.get(page, []))


# --- readiness for 签发 (the issue desk's checklist) ------------------------------------------
# circulation tells briefs whether the distribution is chosen and reconciled and whether the 报
# line has names; briefs.readiness adds its own items and decides, per series, which block 签发.


@dataclass(frozen=True)
class ReadinessResult:
    """One item of the checklist: ``key`` as in briefs.readiness_field.READINESS_ITEMS."""

    key: str
    label: str
    ok: bool
    detail: str = ""  # what is missing, in Chinese; empty when ok
    url: str = ""  # where to fix it, when the providing app has a page for that


ReadinessCheck = Callable[["object"], list[ReadinessResult]]
_readiness_checks: list[ReadinessCheck] = []


def register_readiness_check(check: ReadinessCheck) -> ReadinessCheck:
    """``check(issue)`` returns ReadinessResults for the items it knows about."""
    if check not in _readiness_checks:
        _readiness_checks.append(check)
    return check


def readiness_results(issue) -> list[ReadinessResult]:
    results: list[ReadinessResult] = []
    for check in _readiness_checks:
        results.extend(check(issue))
    return results


# --- 待我处理 contributed by other apps ---------------------------------------------------------
# ``waiting(user)`` returns a Q on Issue for the issues whose next step is that user's in the
# registering app (circulation: issues in review without a distribution), or None.
WaitingFilter = Callable[["object"], "object | None"]
_waiting_filters: list[WaitingFilter] = []


def register_waiting_filter(waiting: WaitingFilter) -> WaitingFilter:
    if waiting not in _waiting_filters:
        _waiting_filters.append(waiting)
    return waiting


def waiting_filters(user) -> list:
    return [q for q in (waiting(user) for waiting in _waiting_filters) if q is not None]
