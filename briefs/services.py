"""Writes for briefs. The admin, importers and commands call these; nothing else saves content."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from zhiku.sanitizer import sanitize_html

from .models import Article, Editor, Issue, Series


@transaction.atomic
def series_upsert(*, slug: str, **fields) -> Series:
    series, _created = Series.objects.get_or_create(slug=slug, defaults=fields)
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    return series


@transaction.atomic
def issue_create(
    *,
    series: Series,
    user=None,
    responsible_editor: Editor | None = None,
    classification: str = "",
    print_run: int | None = None,
    year: int | None = None,
    number: int | None = None,
    total_number: int | None = None,
    issue_date: date | None = None,
    status: str = Issue.Status.DRAFT,
) -> Issue:
    issue = Issue(
        series=series,
        created_by=user,
        responsible_editor=responsible_editor,
        classification=classification,
        print_run=print_run,
        year=year,
        number=number,
        total_number=total_number,
        issue_date=issue_date,
        status=status,
    )
    issue.full_clean()
    issue.save()
    return issue


@transaction.atomic
def article_create(
    *, issue: Issue, title: str, body: str, byline: str = "", position: int | None = None, user=None
) -> Article:
    from .workflow import assert_issue_editable

    assert_issue_editable(issue)
    if position is None:
        position = (issue.articles.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    article = Article(issue=issue, title=title, body=sanitize_html(body), byline=byline, position=position)
    article.full_clean()
    article.save()
    return article


def blocks_to_html(blocks) -> str:
    """Structured (kind, text) blocks as the editor's HTML; text is escaped, kinds are allowlisted."""
    from django.utils.html import escape

    allowed = {"p", "h2", "h3", "h4"}
    parts = []
    for kind, text in blocks:
        tag = kind if kind in allowed else "p"
        parts.append(f"<{tag}>{escape(text)}</{tag}>")
    return sanitize_html("".join(parts))


# --- edits with locking and stale-edit detection -------------------------------------------------
# Content changes only in 草稿 (briefs.workflow.assert_issue_editable), and only when nobody saved
# the row since the editor loaded it: the UPDATE matches the version the editor saw, so of two
# concurrent saves exactly one wins and the other gets StaleEdit instead of overwriting.

ARTICLE_FIELDS = ("title", "body", "byline", "position")
ISSUE_FIELDS = ("responsible_editor", "classification", "print_run", "issue_date")


def _claim_version(model, *, pk: int, seen_version: int) -> None:
    from django.db.models import F

    from .exceptions import StaleEdit

    claimed = model.objects.filter(pk=pk, version=seen_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(
            _("Somebody else saved this %(what)s after you opened it. Your changes were not saved; "
              "open the history to see what changed, then reload and edit again.")
            % {"what": model._meta.verbose_name}
        )


@transaction.atomic
def article_update(*, article: Article, seen_version: int, user=None, **fields) -> Article:
    from .workflow import assert_issue_editable

    assert_issue_editable(Issue.objects.select_for_update().get(pk=article.issue_id))
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"article_update: unknown fields {sorted(unknown)}")
    _claim_version(Article, pk=article.pk, seen_version=seen_version)
    for name, value in fields.items():
        setattr(article, name, sanitize_html(value) if name == "body" else value)
    article.version = seen_version + 1
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def issue_update(*, issue: Issue, seen_version: int, user=None, **fields) -> Issue:
    from .workflow import assert_issue_editable

    assert_issue_editable(Issue.objects.select_for_update().get(pk=issue.pk))
    unknown = set(fields) - set(ISSUE_FIELDS)
    if unknown:
        raise TypeError(f"issue_update: unknown fields {sorted(unknown)}")
    _claim_version(Issue, pk=issue.pk, seen_version=seen_version)
    for name, value in fields.items():
        setattr(issue, name, value)
    issue.version = seen_version + 1
    issue.full_clean()
    issue.save()
    return issue
