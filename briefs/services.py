"""Writes for briefs. The admin, importers and commands call these; nothing else saves content."""

from datetime import date

from django.db import transaction

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
        parts.append("<%s>%s</%s>" % (tag, escape(text), tag))
    return sanitize_html("".join(parts))
