"""Writes of briefs' content: series, issues and articles. The admin, loaders and commands call
these; nothing else saves an Issue or an Article (workflow fields: ``briefs.workflow``).

Every write here takes the acting user (or ``zhiku.actors.SYSTEM``), checks the permission,
refuses a locked issue (``briefs.rules``), refuses a stale edit, and saves once inside one
transaction, which leaves one history row (django-simple-history) naming the actor. The article
body is sanitised by its model field on that save (``zhiku.fields.SanitizedRichTextField``), the
one sanitiser call every path shares. Two things these services keep that are not content, so
they are written with ``update()`` (no version, no history row): the issue's cached first-article
title, and the archive of a signed issue, which the system records after 签发.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from zhiku.actors import SYSTEM, as_user, is_system, require_actor

from . import rules
from .exceptions import IssueLocked, NotAllowed, StaleEdit
from .models import Article, Editor, Issue, Series, copy_state

ISSUE_UPDATE_FIELDS = rules.ISSUE_CONTENT_FIELDS
ARTICLE_UPDATE_FIELDS = rules.ARTICLE_CONTENT_FIELDS


def _require_perm(user, perm: str) -> None:
    require_actor(user)
    if not user.has_perm(perm):
        raise NotAllowed(_("You do not have permission to do this."))


def _save(obj: models.Model, user, **save_kwargs) -> None:
    """full_clean, then the one save, its history row attributed to ``user``."""
    obj.full_clean()
    obj._history_user = as_user(user)
    if is_system(user):
        obj._change_reason = _("Entered by the system")
    obj.save(**save_kwargs)


def _only(fields: dict, allowed: Iterable[str], service: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{service}: fields it does not write: {sorted(unknown)}")


def _claim_version(model, *, pk: int, seen_version: int | None) -> int:
    """The one stale-edit check: the row still has the version the editor opened, and it is
    claimed by this save in the same statement (of two concurrent saves exactly one wins)."""
    claimed = model.objects.filter(pk=pk, version=seen_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(
            _(
                "Somebody else saved this %(what)s after you opened it. Your changes were not saved; "
                "open the history to see what changed, then reload and edit again."
            )
            % {"what": model._meta.verbose_name}
        )
    return seen_version + 1


def _write_content(stored, *, caller, seen_version: int | None, fields: dict, user):
    """The one content write: claim the version, set the fields on the stored row (not on the
    caller's object, so whatever else that object carries — a form's instance, a historical
    record being restored — never reaches the database), save once, and show the result on
    the caller's object."""
    stored.version = _claim_version(type(stored), pk=stored.pk, seen_version=seen_version)
    for name, value in fields.items():
        setattr(stored, name, value)
    _save(stored, user)
    copy_state(caller, stored)
    return caller


def _refresh_first_article_title(issue_ids: Iterable[int]) -> None:
    """Copy each issue's first article's title onto the issue: the cached name lists, 待我处理 and
    e-mails show without a query per row. Every service that adds, changes, reorders or deletes an
    article calls this, so the cache has this one writer. It is a name, not content:
    ``update()`` neither bumps the version nor meets the lock on signed issues."""
    for issue_id in issue_ids:
        first = Article.objects.filter(issue_id=issue_id).order_by("position", "id").values_list("title", flat=True).first()
        Issue.objects.filter(pk=issue_id).exclude(first_article_title=first or "").update(first_article_title=first or "")


def _locked_issue(pk: int) -> Issue:
    """The issue row, locked until the transaction ends, refused unless it is a draft."""
    issue = Issue.objects.select_for_update().get(pk=pk)
    if not rules.content_editable(issue):
        raise IssueLocked(rules.locked_message(issue))
    return issue


# --- series ---------------------------------------------------------------------------------------


@transaction.atomic
def series_upsert(*, slug: str, user, **fields) -> Series:
    _require_perm(user, "briefs.change_series")
    series = Series.objects.filter(slug=slug).first() or Series(slug=slug)
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    return series


# --- issues ---------------------------------------------------------------------------------------


@transaction.atomic
def issue_create(
    *,
    series: Series,
    user,
    subject: str = "",
    responsible_editor: Editor | None = None,
    classification: str = "",
    print_run: int | None = None,
    issue_date: date | None = None,
    created_by=None,
) -> Issue:
    """A new draft. Numbers, status and stage are the workflow's (see ``issue_load_historical``
    for issues that were published before this system). ``created_by`` names the drafter when
    the system creates the draft for somebody (demo data); a person creates in their own name."""
    _require_perm(user, "briefs.add_issue")
    if created_by is not None and not is_system(user):
        raise NotAllowed(_("You can create drafts only in your own name."))
    issue = Issue(
        series=series,
        subject=subject,
        created_by=created_by or as_user(user),
        responsible_editor=responsible_editor,
        classification=classification,
        print_run=print_run,
        issue_date=issue_date,
    )
    _save(issue, user)
    return issue


@transaction.atomic
def issue_update(*, issue: Issue, seen_version: int | None, user, **fields) -> Issue:
    """Change a draft's content fields; refused when locked or when somebody saved meanwhile."""
    _require_perm(user, "briefs.change_issue")
    _only(fields, ISSUE_UPDATE_FIELDS, "issue_update")
    return _write_content(_locked_issue(issue.pk), caller=issue, seen_version=seen_version, fields=fields, user=user)


@transaction.atomic
def issues_delete(*, issues: Iterable[Issue], user) -> int:
    """Delete unnumbered drafts, all or none: one locked issue refuses the whole batch.

    The rule itself is the model's (``Issue.delete``, rules.is_deletable); the service takes the
    row locks first, so no issue is submitted or signed between the check and the delete."""
    _require_perm(user, "briefs.delete_issue")
    rows = list(Issue.objects.select_for_update().filter(pk__in=[issue.pk for issue in issues]).order_by("pk"))
    for issue in rows:
        issue._history_user = as_user(user)
        issue.delete()
    return len(rows)


# --- articles -------------------------------------------------------------------------------------


def _next_position(issue: Issue) -> int:
    return (issue.articles.order_by("-position").values_list("position", flat=True).first() or 0) + 1


def _article_add(issue: Issue, user, *, position: int | None, historical: bool = False, **content) -> Article:
    """The one insert of an article (the callers have checked who may add it where): at the end
    unless a position is given, saved once, the issue's cached title kept."""
    article = Article(issue=issue, position=position or _next_position(issue), **content)
    _save(article, user, historical=historical)
    _refresh_first_article_title([article.issue_id])
    return article


@transaction.atomic
def article_create(
    *, issue: Issue, title: str, body: str, user, byline: str = "", position: int | None = None
) -> Article:
    _require_perm(user, "briefs.add_article")
    _locked_issue(issue.pk)
    return _article_add(issue, user, title=title, body=body, byline=byline, position=position)


@transaction.atomic
def article_update(*, article: Article, seen_version: int | None, user, **fields) -> Article:
    """Change a draft's article; refused when its issue is locked or somebody saved meanwhile."""
    _require_perm(user, "briefs.change_article")
    _only(fields, ARTICLE_UPDATE_FIELDS, "article_update")
    stored = Article.objects.get(pk=article.pk)
    _locked_issue(stored.issue_id)
    _write_content(stored, caller=article, seen_version=seen_version, fields=fields, user=user)
    _refresh_first_article_title([stored.issue_id])
    return article


@transaction.atomic
def articles_delete(*, articles: Iterable[Article], user) -> int:
    """Delete articles of drafts, all or none (the rule is ``Article.delete``'s; the service locks
    the issue rows first, so none leaves 草稿 between the check and the delete)."""
    _require_perm(user, "briefs.delete_article")
    rows = list(Article.objects.filter(pk__in=[article.pk for article in articles]).order_by("pk"))
    list(Issue.objects.select_for_update().filter(pk__in={article.issue_id for article in rows}).order_by("pk"))
    for article in rows:
        article._history_user = as_user(user)
        article.delete()
    _refresh_first_article_title(sorted({article.issue_id for article in rows}))
    return len(rows)


# --- the archive of a signed issue ---------------------------------------------------------------
# The PDF and the 审批单 rendered at 签发 (briefs.rendering.archive, .approval_receivers) are
# recorded on the issue by the system. They are no content: ``update()`` neither bumps the
# version nor meets the lock on signed issues, and touches the archive fields only.

# Each archive field and its value when nothing is archived.
ARCHIVE_FIELD_BLANKS = {
    "archived_pdf": "",
    "archived_pdf_sha256": "",
    "archived_pdf_at": None,
    "archived_approval": "",
    "archived_approval_sha256": "",
}


def issue_archive_record(*, issue_id: int, expected: dict, **fields) -> bool:
    """Point a signed issue at its archived file, if the issue is still frozen and its archive
    still ``expected`` (what the caller saw before rendering): of two racing writers the first
    wins. Returns whether this call wrote."""
    _only(fields, ARCHIVE_FIELD_BLANKS, "issue_archive_record")
    _only(expected, ARCHIVE_FIELD_BLANKS, "issue_archive_record")
    frozen = Issue.objects.filter(pk=issue_id, status__in=rules.FROZEN_STATUSES, **expected)
    return bool(frozen.update(**fields))


def issue_archive_forget(*, issue_id: int, fields: Iterable[str]) -> None:
    """Blank the named archive fields (the sign-off was voided; the caller deletes the file)."""
    blanks = {name: ARCHIVE_FIELD_BLANKS[name] for name in fields}
    Issue.objects.filter(pk=issue_id).update(**blanks)


# --- historical issues ----------------------------------------------------------------------------
# Issues published before this system (issue 117 in the demo, the archive) are entered as they
# were printed: numbered, signed or released, with their articles. They never went through the
# workflow, so the loader writes the workflow fields itself, as the system and nobody else.


@dataclass(frozen=True)
class HistoricalArticle:
    title: str
    body: str
    byline: str = ""


def _require_system(actor) -> None:
    if not is_system(actor):
        raise NotAllowed(_("Historical issues are entered by the system loader only."))


@transaction.atomic
def issue_load_historical(
    *,
    series: Series,
    status: str,
    year: int | None,
    number: int | None,
    total_number: int | None,
    issue_date: date | None = None,
    articles: Sequence[HistoricalArticle] = (),
    responsible_editor: Editor | None = None,
    classification: str = "",
    print_run: int | None = None,
    created_by=None,
    actor=SYSTEM,
) -> Issue:
    """Enter a published issue as printed (numbers, date, status) with its articles.

    Only ``zhiku.actors.SYSTEM`` may call it (load_demo, archive imports, test factories).
    The numbers must be free in the series: duplicates are refused by full_clean in Chinese.
    """
    _require_system(actor)
    issue = Issue(
        series=series, status=status, year=year, number=number, total_number=total_number, issue_date=issue_date,
        responsible_editor=responsible_editor, classification=classification, print_run=print_run,
        created_by=created_by,
    )
    _save(issue, actor, transition=True)
    for position, article in enumerate(articles, start=1):
        article_load_historical(issue=issue, position=position, actor=actor, **vars(article))
    return issue


@transaction.atomic
def article_load_historical(
    *, issue: Issue, title: str, body: str, byline: str = "", position: int | None = None, actor=SYSTEM
) -> Article:
    """Add an article to an issue entered by ``issue_load_historical``.

    Refused for any issue that has been through the workflow (it has events): what was
    reviewed and signed is never added to.
    """
    _require_system(actor)
    if not rules.content_editable(issue) and issue.events.exists():
        raise IssueLocked(rules.articles_locked_message())
    return _article_add(issue, actor, title=title, body=body, byline=byline, position=position, historical=True)
