"""Reads for printing: the one place that turns an Issue into an IssueDocument."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.utils import timezone

from briefs import rules
from briefs.extensions import distribution_footer
from briefs.models import Issue
from briefs.workflow import issue_number_preview

from .blocks import html_to_blocks
from .document import Article, Footer, IssueDocument, Masthead

# As printed in the top-left corner; the brief's own format, not UI text.
CLASSIFICATION_MARKS = {
    Issue.Classification.INTERNAL: "内部资料",
    Issue.Classification.SECRET: "秘密",
    Issue.Classification.CONFIDENTIAL: "机密",
}


def _media_path(src: str) -> str | None:
    """The file behind an uploaded image's URL, or None for anything outside MEDIA_ROOT."""
    path = unquote(urlparse(src).path)
    media_url = settings.MEDIA_URL
    if not media_url or not path.startswith(media_url):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    candidate = (root / path[len(media_url) :]).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return str(candidate)


def _date_line(day) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if day else ""


def _editor_line(issue: Issue, series) -> str:
    editor = issue.responsible_editor
    if editor is None:
        return ""
    line = f"责任编辑：{editor.name}"
    phone = editor.phone or series.phone
    fax = editor.fax or series.fax
    contacts = " ".join(x for x in (phone, f"{fax}（传真）" if fax else "") if x)
    if contacts:
        line += f" 联系电话：{contacts}"
    return line


def issue_document(issue: Issue, *, today=None) -> IssueDocument:
    """Everything printed for ``issue``, as a frozen value.

    A draft (草稿 or 送审) prints the numbers and date it would get if it were signed ``today``
    (``workflow.issue_number_preview``, what the issue page shows as 如今日签发…), and the document
    is marked as a draft, which the renderers print as a visible 草稿: the numbers may still
    change if another issue is signed first. A signed or released issue prints its own numbers.
    The 报 line and print run come from the distribution provider (circulation); without one, the
    报 line is left out and the print run is the issue's own or the series default.
    """
    series = issue.series
    numbered = issue.total_number is not None
    is_draft = not numbered or not rules.is_frozen(issue)
    if is_draft:
        preview = issue_number_preview(issue, on=today)
        number, total = preview.number, preview.total_number
        # Signing keeps a date already set and otherwise takes the day of signing.
        day = issue.issue_date or today or timezone.localdate()
    else:
        number, total, day = issue.number, issue.total_number, issue.issue_date
    masthead = Masthead(
        series_title=series.name,
        tagline=series.tagline,
        number_line=f"第 {number} 期" if number else "",
        total_line=f"(总第 {total} 期)" if total else "",
        publishers=tuple(series.publishers),
        date_line=_date_line(day),
        classification=CLASSIFICATION_MARKS.get(issue.classification, ""),
    )
    articles = tuple(
        Article(title=a.title, byline=a.byline, blocks=html_to_blocks(a.body, _media_path))
        for a in issue.articles.order_by("position", "id")
    )
    distribution = distribution_footer(issue)
    print_run = (distribution.print_run if distribution else None) or issue.effective_print_run
    footer = Footer(
        bao_line=distribution.bao_line if distribution else "",
        editor_line=_editor_line(issue, series),
        address_line=f"地址：{series.address}" if series.address else "",
        print_run_line=f"共印：{print_run} 份",
    )
    if not is_draft:
        stem = f"{series.name}-{issue.year}-第{issue.number}期-总第{issue.total_number}期"
    else:
        stem = f"{series.name}-草稿-{issue.pk}"
    return IssueDocument(
        masthead=masthead,
        articles=articles,
        footer=footer,
        is_draft=is_draft,
        file_stem=stem,
    )
