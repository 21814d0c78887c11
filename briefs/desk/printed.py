"""The issue as it will print, for the desk: the print view's HTML (the same IssueDocument and
renderer as 预览), with the PDF's page breaks marked.

Where the pages break is asked of WeasyPrint's layout of the very same document (what the PDF
prints), so the marks are where the paper breaks. A layout costs a few tenths of a second; it is
cached by the HTML's hash, so an unchanged issue is laid out once.
"""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from briefs.rendering.html import render_html
from briefs.rendering.pdf import layout
from briefs.rendering.selectors import issue_document

logger = logging.getLogger(__name__)
BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "table", "figure")
_BLOCK_OPEN = re.compile(r"<(?:p|h[1-4]|table|figure)[\s>]")
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_ROOT_SELECTOR = re.compile(r"(^|[\s}])(html|body)(\s*\{)", re.M)


@dataclass(frozen=True)
class PageBreak:
    page: int  # the page that starts here (2, 3, …)
    block: int  # index of the block element (in source order) the page starts with
    split: bool  # the page starts inside that block (a paragraph runs over the break)
    snippet: str = ""  # when split: the first characters of the page, to place the mark in the text


def _walk(box):
    if type(box).__name__ == "FootnoteAreaBox":  # the 版记 floats to the last page's foot
        return
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def page_breaks(document) -> list[PageBreak]:
    """Where each page after the first starts, from the PDF renderer's own layout."""
    pages = layout(document).pages
    order: dict[int, int] = {}  # id(element) → index in source order
    breaks: list[PageBreak] = []
    for number, page in enumerate(pages, start=1):
        first = None
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) not in BLOCK_TAGS or element is None:
                continue
            key = id(element)
            split = key in order
            if not split:
                order[key] = len(order)
            if first is None:
                first = (order[key], split, _first_text(box) if split else "")
        if number > 1 and first is not None:
            breaks.append(PageBreak(number, *first))
    return breaks


def _first_text(box) -> str:
    for inner in _walk(box):
        text = getattr(inner, "text", None)
        if isinstance(text, str) and text.strip():
            return text.strip()[:8]
    return ""


def _mark_inside(body: str, found: PageBreak) -> str:
    """Put the mark of a page that starts mid-paragraph where its first line starts."""
    if not (found.split and found.snippet):
        return body
    starts = [m.start() for m in _BLOCK_OPEN.finditer(body)]
    if found.block >= len(starts):
        return body
    at = body.find(escape(found.snippet), starts[found.block])
    if at < 0:
        return body
    mark = format_html(
        '<span class="desk-page-break inline" data-page="{}"><span>{}</span></span>',
        found.page,
        "第 %d 页" % found.page,
    )
    return body[:at] + mark + body[at:]


def _scoped_css(css: str) -> str:
    """The print CSS for a shadow root: ``html``/``body`` rules apply to the wrapper elements."""
    return _ROOT_SELECTOR.sub(lambda m: m.group(1) + ".print-" + m.group(2) + m.group(3), css)


@dataclass(frozen=True)
class PrintedIssue:
    css: str
    body: SafeString
    pages: int | None  # None when the layout failed (the text shows without page marks)


def printed_issue(issue) -> PrintedIssue:
    """The print HTML of ``issue`` split into its CSS (scoped for the desk's shadow root) and its
    body with a mark at every page break."""
    document = issue_document(issue)
    html = render_html(document).decode("utf-8")
    key = "desk-breaks:" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    breaks = cache.get(key)
    if breaks is None:
        try:
            breaks = page_breaks(document)
        except Exception:  # noqa: BLE001 - the desk still shows the text, only without the marks
            logger.exception("Page breaks of issue %s could not be laid out", issue.pk)
            breaks = None
        else:
            cache.set(key, breaks, 24 * 3600)
    style = _STYLE.search(html)
    body = _BODY.search(html).group(1)
    laid_out = breaks is not None
    breaks = breaks or []
    by_block = {b.block: b for b in breaks}
    counter = iter(range(10**6))

    def mark(match):
        index = next(counter)
        found = by_block.get(index)
        if found is None or (found.split and found.snippet):
            return match.group(0)  # marked inside the text below
        label = "第 %d 页" % found.page
        return format_html(
            '<div class="desk-page-break" data-page="{}"><span>{}</span></div>', found.page, label
        ) + match.group(0)

    body = _BLOCK_OPEN.sub(mark, body)
    for found in breaks:
        body = _mark_inside(body, found)
    return PrintedIssue(
        css=_scoped_css(style.group(1) if style else ""),
        body=mark_safe(body),
        pages=len(breaks) + 1 if laid_out else None,
    )
