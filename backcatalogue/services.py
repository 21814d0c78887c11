"""Import of past issues from .docx: preview (no writes) and import (all or nothing, per file).

Each file is read, checked and either refused with Chinese messages or written in one
transaction: the issue as released and frozen, its articles (sanitised like every other write),
the printed 报 line as the issue's frozen distribution, the responsible editor, the print run,
an event 导入 naming the file and its SHA-256, and the ImportedFile row that makes importing the
same file again a no-op.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import asdict, dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from briefs.models import Editor, Issue, IssueEvent, Series
from briefs.rendering.services import issue_document_ensure_frozen
from briefs.services import HistoricalArticle, issue_load_historical
from circulation import historical
from zhiku.actors import SYSTEM
from zhiku.sanitizer import sanitize_html
from zhiku.uploads import ALLOWED_FORMATS, detect_image_format

from .docx_reader import read_elements
from .exceptions import ImportNotAllowed
from .models import ImportedFile
from .parser import ParsedIssue, Picture, parse_issue

MAX_FILE_BYTES = 20 * 1024 * 1024
OLD_FORMATS = (".doc", ".wps", ".dot", ".wpt", ".rtf")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .wps


class Status:
    READY = "ready"  # preview: would be imported
    IMPORTED = "imported"
    UNCHANGED = "unchanged"  # this very file was imported before
    REFUSED = "refused"


@dataclass
class FileReport:
    """What happened to one file: what was read, what was guessed, what is missing, and why it
    was refused (``errors``); plain values, so the admin can keep it in the session."""

    name: str
    sha256: str = ""
    status: str = Status.REFUSED
    title: str = ""
    read: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)
    issue_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def require_importer(user) -> None:
    if not (user and user.is_active and user.has_perm("backcatalogue.import_back_issues")):
        raise ImportNotAllowed(_("Only an administrator may import past issues."))


# --- reading and checking ------------------------------------------------------------------------


@dataclass
class _Analysis:
    report: FileReport
    parsed: ParsedIssue | None = None
    series: Series | None = None
    editor: Editor | None = None


def _refuse(report: FileReport, message: str) -> _Analysis:
    report.status = Status.REFUSED
    report.errors.append(message)
    return _Analysis(report)


def _picture_format(picture: Picture) -> str | None:
    return detect_image_format(io.BytesIO(picture.blob))


def _analyse(name: str, data: bytes, *, claimed: set | None = None) -> _Analysis:
    """Everything short of writing. ``claimed`` holds (series id, kind, value) keys already taken
    by earlier files of the same batch, so a batch's preview shows its own clashes too."""
    report = FileReport(name=os.path.basename(name))
    extension = os.path.splitext(name)[1].lower()
    if extension in OLD_FORMATS or data[:8] == OLE_MAGIC:
        return _refuse(
            report,
            _("%(name)s is an old binary Word or WPS file: open it in Word or WPS and save it as .docx.")
            % {"name": report.name},
        )
    if extension != ".docx":
        return _refuse(report, _("Only Word files (.docx) can be imported."))
    if len(data) > MAX_FILE_BYTES:
        return _refuse(report, _("The file is too large: at most %(limit)s MB.") % {"limit": MAX_FILE_BYTES >> 20})
    report.sha256 = hashlib.sha256(data).hexdigest()
    done = ImportedFile.objects.filter(sha256=report.sha256).select_related("issue__series").first()
    if done is not None:
        report.status = Status.UNCHANGED
        report.issue_id = done.issue_id
        report.title = str(done.issue)
        report.read.append(_("This file was imported before as %(issue)s; nothing changes.") % {"issue": done.issue})
        return _Analysis(report)
    try:
        elements = read_elements(data)
    except ValueError:
        return _refuse(report, _("The file cannot be read as a Word document (.docx)."))
    series_names = list(Series.objects.values_list("name", flat=True))
    parsed = parse_issue(elements, series_names=series_names)
    report.guessed.extend(parsed.guessed)
    report.missing.extend(parsed.missing)
    analysis = _Analysis(report, parsed)
    errors = []
    series = Series.objects.filter(name=parsed.series_title).first() if parsed.series_title else None
    if series is None:
        errors.append(
            _("No series is called “%(title)s”: create the series first, then import its issues.")
            % {"title": parsed.series_title or "?"}
        )
    else:
        report.read.append(_("Series: %(name)s") % {"name": series.name})
    if parsed.number is None or parsed.total_number is None or parsed.issue_date is None:
        errors.append(_("The masthead must show 第N期, 总第M期 and the date; see what is missing below."))
    else:
        report.read.append(
            _("No. %(number)s (total No. %(total)s), dated %(date)s")
            % {"number": parsed.number, "total": parsed.total_number, "date": parsed.issue_date.isoformat()}
        )
    if parsed.classification:
        report.read.append(
            _("Classification: %(mark)s") % {"mark": Issue.Classification(parsed.classification).label}
        )
    if series is not None and not errors:
        errors.extend(_clashes(series, parsed, claimed))
    if not parsed.articles:
        errors.append(_("No article was found between the masthead and the footer."))
    for article in parsed.articles:
        report.read.append(
            _("Article “%(title)s”%(byline)s: %(parts)s blocks, %(pictures)s pictures")
            % {
                "title": article.title,
                "byline": "（%s）" % article.byline if article.byline else "",
                "parts": len(article.parts),
                "pictures": article.picture_count,
            }
        )
        unreadable = sum(1 for part in article.parts if isinstance(part, tuple) and not _picture_format(part[0]))
        if unreadable:
            report.missing.append(
                _("%(count)s pictures of “%(title)s” are not JPEG, PNG, GIF or WebP and are left out.")
                % {"count": unreadable, "title": article.title}
            )
    _footer_report(analysis)
    if errors:
        report.errors.extend(errors)
        report.status = Status.REFUSED
        return analysis
    analysis.series = series
    report.status = Status.READY
    report.title = "%s 第%s期（总第%s期）" % (series.name, parsed.number, parsed.total_number)
    return analysis


def _clashes(series: Series, parsed: ParsedIssue, claimed: set | None) -> list[str]:
    year = parsed.issue_date.year
    keys = {(series.pk, "number", year, parsed.number), (series.pk, "total", parsed.total_number)}
    existing = (
        Issue.objects.filter(series=series)
        .filter(Q(year=year, number=parsed.number) | Q(total_number=parsed.total_number))
        .first()
    )
    if existing is not None or (claimed is not None and keys & claimed):
        return [
            _(
                "%(series)s already has No. %(number)s of %(year)s or total No. %(total)s%(existing)s; "
                "this file was not imported."
            )
            % {
                "series": series.name,
                "number": parsed.number,
                "year": year,
                "total": parsed.total_number,
                "existing": "（%s）" % existing if existing is not None else _(" (an earlier file of this upload)"),
            }
        ]
    if claimed is not None:
        claimed |= keys
    return []


def _footer_report(analysis: _Analysis) -> None:
    report, footer = analysis.report, analysis.parsed.footer
    names = footer.names
    if names:
        known = historical.recipients_by_printed_name(names)
        report.unknown_names = [n for n in dict.fromkeys(names) if n not in known]
        report.read.append(
            _("Distribution line: %(count)s names, %(matched)s matched to recipients")
            % {"count": len(names), "matched": len(names) - len([n for n in names if n not in known])}
        )
        if report.unknown_names:
            report.missing.append(
                _("Names no recipient matches (for circulation to link or create): %(names)s")
                % {"names": "、".join(report.unknown_names)}
            )
    if footer.editor_name:
        analysis.editor = Editor.objects.filter(name=footer.editor_name).order_by("id").first()
        if analysis.editor is not None:
            report.read.append(_("Responsible editor: %(name)s") % {"name": footer.editor_name})
        else:
            report.guessed.append(
                _("Responsible editor %(name)s is not on file and will be added.") % {"name": footer.editor_name}
            )
    if footer.print_run:
        report.read.append(_("Print run: %(count)s copies") % {"count": footer.print_run})
    elif analysis.report.status != Status.UNCHANGED:
        report.guessed.append(_("Print run taken from the series default."))


def issue_file_preview(*, name: str, data: bytes, user, claimed: set | None = None) -> FileReport:
    """What importing this file would do; writes nothing."""
    require_importer(user)
    return _analyse(name, data, claimed=claimed).report


# --- writing -------------------------------------------------------------------------------------


def issue_file_import(*, name: str, data: bytes, user) -> FileReport:
    """Import one file, all or nothing. A refused file leaves no row and no stored picture."""
    require_importer(user)
    stored: list[str] = []
    try:
        with transaction.atomic():
            analysis = _analyse(name, data)
            if analysis.report.status != Status.READY:
                return analysis.report
            # Two imports of numbers of one series queue here, so the clash check above holds.
            Series.objects.select_for_update().filter(pk=analysis.series.pk).first()
            if _clashes(analysis.series, analysis.parsed, None):
                return _analyse(name, data).report
            issue = _write(analysis, name=name, data=data, user=user, stored=stored)
    except IntegrityError:
        # The same file or the same numbers, committed by someone else a moment ago.
        for path in stored:
            default_storage.delete(path)
        report = FileReport(name=os.path.basename(name), errors=[_("Another import took these numbers first.")])
        return report
    except Exception:
        for path in stored:
            default_storage.delete(path)
        raise
    analysis.report.status = Status.IMPORTED
    analysis.report.issue_id = issue.pk
    return analysis.report


def _store_picture(stored: list[str]):
    def store(picture: Picture) -> str:
        image_format = _picture_format(picture)
        if image_format is None:
            return ""
        now = timezone.localtime()
        name = "richtext/%04d/%02d/%s.%s" % (now.year, now.month, uuid.uuid4().hex, ALLOWED_FORMATS[image_format])
        path = default_storage.save(name, ContentFile(picture.blob))
        stored.append(path)
        return default_storage.url(path)

    return store


def _write(analysis: _Analysis, *, name: str, data: bytes, user, stored: list[str]) -> Issue:
    parsed, report, series = analysis.parsed, analysis.report, analysis.series
    footer = parsed.footer
    editor = analysis.editor
    if editor is None and footer.editor_name:
        editor = Editor(name=footer.editor_name[:30], phone=footer.editor_phone[:100])
        editor.full_clean()
        editor.save()
    print_run = footer.print_run or series.default_print_run
    store = _store_picture(stored)
    articles = [
        {"title": a.title[:200], "byline": a.byline[:200], "body": sanitize_html(a.body_html(store))}
        for a in parsed.articles
    ]
    issue = issue_enter_historical(
        series=series,
        fields={
            "year": parsed.issue_date.year,
            "number": parsed.number,
            "total_number": parsed.total_number,
            "issue_date": parsed.issue_date,
            "classification": parsed.classification,
            "responsible_editor": editor,
            "print_run": print_run,
        },
        articles=articles,
        user=user,
    )
    if footer.bao_line:
        historical.snapshot_record_printed(
            issue=issue, bao_line=footer.bao_line, distribution=footer.distribution, print_run=print_run, user=user
        )
    IssueEvent.objects.create(
        issue=issue,
        action=IssueEvent.IMPORT,
        from_status=Issue.Status.RELEASED,
        to_status=Issue.Status.RELEASED,
        actor=user,
        comment=_("Imported from %(file)s, SHA-256 %(sha256)s") % {"file": report.name, "sha256": report.sha256},
    )
    # Its outputs come from a frozen document, like a signed issue's.
    issue_document_ensure_frozen(issue=issue)
    report.status = Status.IMPORTED
    ImportedFile.objects.create(
        sha256=report.sha256, file_name=report.name[:255], issue=issue, imported_by=user, report=report.as_dict()
    )
    return issue


def issue_enter_historical(*, series: Series, fields: dict, articles: list[dict], user) -> Issue:
    """Enter a past issue as printed (released, with its articles) through briefs' historical
    loader. The importer has checked ``user``'s permission; the loader writes as the system."""
    return issue_load_historical(
        series=series,
        status=Issue.Status.RELEASED,
        created_by=user,
        articles=[HistoricalArticle(**article) for article in articles],
        actor=SYSTEM,
        **fields,
    )


def issues_import_paths(paths, *, user, progress=None) -> list[FileReport]:
    """Import every .docx/.doc/.wps under ``paths`` (files or folders), file by file.
    ``progress(done, total, report)`` is called after each file."""
    files = collect_files(paths)
    reports = []
    for done, path in enumerate(files, start=1):
        with open(path, "rb") as handle:
            report = issue_file_import(name=path, data=handle.read(), user=user)
        reports.append(report)
        if progress is not None:
            progress(done, len(files), report)
    return reports


def collect_files(paths) -> list[str]:
    wanted = (".docx", *OLD_FORMATS)
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, _dirs, names in os.walk(path):
                files.extend(
                    os.path.join(root, n)
                    for n in names
                    if n.lower().endswith(wanted) and not n.startswith("~$")  # Word's lock files
                )
        else:
            files.append(path)
    return sorted(files)
