"""The yearly 批示 report (智库考核): counted instructions by level, by author or 课题组, by
industry cluster and by month, with charts, and the representative ones (省部级 and above).

Lives here, above circulation (where 批示 are recorded) and clusters (which tags articles), so
neither of those apps has to import the other. The figures come from one selector run in two
queries; the admin page, the XLSX and the PDF all print that one value.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from circulation.models import Instruction
from circulation.sheets import escape_formula
from clusters.models import ArticleCluster

L = Instruction.Level


@dataclass(frozen=True)
class Representative:
    date: object
    leader: str
    level: str
    kind: str
    article_title: str
    issue: str
    text: str
    follow_up_department: str


@dataclass
class ImpactReport:
    year: int
    recorded: int = 0
    counted: int = 0
    by_level: list[tuple[str, int]] = field(default_factory=list)
    by_author: list[tuple[str, int]] = field(default_factory=list)
    by_cluster: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    representative: list[Representative] = field(default_factory=list)
    feedback_sent: int = 0

    @property
    def not_counted(self) -> int:
        return self.recorded - self.counted


def _sorted(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def impact_report(year: int) -> ImpactReport:
    """The figures of ``year`` (two queries, whatever the number of 批示)."""
    instructions = list(
        Instruction.objects.filter(date__year=year).select_related("leader", "article", "issue__series")
    )
    counted = [i for i in instructions if i.is_counted]
    report = ImpactReport(year=year, recorded=len(instructions), counted=len(counted))
    levels = Counter(i.level for i in counted)
    report.by_level = [(label, levels.get(value, 0)) for value, label in L.choices]
    if levels.get(""):
        report.by_level.append((_("Level not recorded"), levels[""]))
    unsigned = _("Not signed")
    report.by_author = _sorted(Counter((i.article.byline if i.article else "") or unsigned for i in counted))
    article_ids = [i.article_id for i in counted if i.article_id]
    clusters_of: dict[int, list[str]] = {}
    for article_id, name in ArticleCluster.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "cluster__name"
    ):
        clusters_of.setdefault(article_id, []).append(name)
    # An article about two clusters counts once for each: the assessment asks per cluster.
    report.by_cluster = _sorted(
        Counter(name for i in counted for name in (clusters_of.get(i.article_id) or [_("No cluster")]))
    )
    months = Counter(i.date.month for i in counted)
    report.by_month = [(_("Month %(month)s") % {"month": m}, months.get(m, 0)) for m in range(1, 13)]
    report.feedback_sent = sum(1 for i in counted if i.feedback_sent_on)
    level_labels = dict(L.choices)
    kind_labels = dict(Instruction.Kind.choices)
    report.representative = [
        Representative(
            date=i.date,
            leader=i.leader_name or (i.leader.printed_name if i.leader else ""),
            level=str(level_labels.get(i.level, "")),
            kind=str(kind_labels.get(i.kind, "")),
            article_title=i.article.title if i.article else "",
            issue=str(i.issue),
            text=i.text,
            follow_up_department=i.follow_up_department,
        )
        for i in sorted(counted, key=lambda i: (i.date, i.pk))
        if i.level in Instruction.REPRESENTATIVE_LEVELS
    ]
    return report


# --- charts --------------------------------------------------------------------------------------


def bar_chart(rows: list[tuple[str, int]], *, title: str) -> str:
    """A horizontal bar chart as inline SVG: drawn on the server, so the page, the PDF and a
    browser without JavaScript show the same picture. Labels are escaped."""
    font = ", ".join("'%s'" % f for f in settings.ZHIKU_FONTS["body"])
    label_width, bar_width, row_height = 150, 300, 24
    height = 30 + row_height * max(len(rows), 1)
    biggest = max([value for _label, value in rows] or [0]) or 1
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="%s" font-size="13">' % (label_width + bar_width + 60, height, label_width + bar_width + 60,
                                              height, escape(font)),
        "<title>%s</title>" % escape(title),
        '<text x="0" y="16" font-weight="bold">%s</text>' % escape(title),
    ]
    for n, (label, value) in enumerate(rows):
        y = 30 + n * row_height
        width = round(bar_width * value / biggest)
        parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (label_width - 6, y + 16, escape(label)))
        parts.append('<rect x="%d" y="%d" width="%d" height="16" fill="#b22222"/>' % (label_width, y + 3, width))
        parts.append('<text x="%d" y="%d">%d</text>' % (label_width + width + 4, y + 16, value))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built here from escaped labels and numbers


def charts(report: ImpactReport) -> dict[str, str]:
    return {
        "level": bar_chart(report.by_level, title=_("Counted instructions by level")),
        "author": bar_chart(report.by_author[:15], title=_("By author or research group")),
        "cluster": bar_chart(report.by_cluster[:15], title=_("By industry cluster")),
        "month": bar_chart(report.by_month, title=_("By month")),
    }


# --- outputs -------------------------------------------------------------------------------------


def report_xlsx(report: ImpactReport) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = _("Summary of the year")
    summary.append([_("Year"), report.year])
    summary.append([_("Instructions recorded"), report.recorded])
    summary.append([_("Instructions counted"), report.counted])
    summary.append([_("Not counted (circled, agreed, forwarded)"), report.not_counted])
    summary.append([_("Feedback sent to the author"), report.feedback_sent])
    for title, rows in (
        (_("By level"), report.by_level),
        (_("By author"), report.by_author),
        (_("By cluster"), report.by_cluster),
        (_("By month"), report.by_month),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append([title, _("Counted instructions")])
        for label, value in rows:
            sheet.append([escape_formula(str(label)), value])
    sheet = workbook.create_sheet(_("Representative"))
    sheet.append(
        [_("Date"), _("Leader"), _("Level"), _("Kind"), _("Article"), _("Issue"), _("Instruction text"),
         _("Follow-up department")]
    )  # fmt: skip
    for r in report.representative:
        sheet.append(
            [r.date, *(escape_formula(v) for v in (r.leader, r.level, r.kind, r.article_title, r.issue, r.text,
                                                   r.follow_up_department))]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_pdf(report: ImpactReport) -> bytes:
    from weasyprint import HTML

    from briefs.rendering.pdf import url_fetcher

    html = render_to_string(
        "admin/backcatalogue/impact_print.html",
        {"report": report, "charts": charts(report), "fonts": settings.ZHIKU_FONTS},
    )
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(filename)
    return response


def report_response(request, context):
    """The admin page, or ``?format=xlsx|pdf`` for the files; ``?year=`` picks the year."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    report = impact_report(year)
    stem = _("Instructions %(year)s") % {"year": year}
    file_format = request.GET.get("format")
    if file_format == "xlsx":
        return _download(
            report_xlsx(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            stem + ".xlsx",
        )
    if file_format == "pdf":
        return _download(report_pdf(report), "application/pdf", stem + ".pdf")
    return TemplateResponse(
        request,
        "admin/backcatalogue/impact.html",
        context(
            request,
            _("Instructions report %(year)s") % {"year": year},
            report=report,
            charts=charts(report),
            years=range(timezone.localdate().year, timezone.localdate().year - 10, -1),
        ),
    )
