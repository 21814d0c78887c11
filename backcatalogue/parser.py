"""A past issue's .docx → a ParsedIssue: masthead numbers, articles as the editor's HTML, footer.

Pure: no database, no storage. Images stay bytes until the importer stores them (``body_html``
takes the function that does), so a preview writes nothing. Every decision that is a guess (a
heading recognised from bold text, a title taken from the first paragraph) is written to
``guessed``; what the file lacks goes to ``missing``; the importer turns both into the report.

Zones: the masthead runs from the top to the line with the date (or the issue numbers); the
footer (版记) is the tail holding 报：/责任编辑/共印; the articles are what lies between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _

from briefs.models import Issue

from .docx_reader import Cell, Para, Picture, Table
from .text import find_date, find_numbers, fold, squeeze

CLASSIFICATION_WORDS = (
    ("机密", Issue.Classification.CONFIDENTIAL),
    ("秘密", Issue.Classification.SECRET),
    ("内部资料", Issue.Classification.INTERNAL),
    ("内部刊物", Issue.Classification.INTERNAL),
)
MASTHEAD_SCAN = 25  # elements: a masthead never runs longer
DATE_AFTER_NUMBERS = 6  # elements between the issue numbers and the date, at most
SHORT = 60  # characters: longer lines are paragraphs, whatever their formatting

# Heading prefixes after fold(): 一、 (一) 1. (1)
PREFIX_LEVELS = (
    (re.compile(r"^[一二三四五六七八九十]+、"), 1),
    (re.compile(r"^\([一二三四五六七八九十]+\)"), 2),
    (re.compile(r"^\d+\s*[.、]"), 3),
    (re.compile(r"^\(\d+\)"), 3),
)
HEADING_STYLE = re.compile(r"^(heading|标题)\s*(\d)", re.IGNORECASE)
CATEGORY_RE = re.compile(r"^(抄报|抄送|报|送|发)[:：]")
CATEGORIES = {"报": "bao", "抄报": "bao", "送": "song", "抄送": "song", "发": "fa"}
FOOTER_KEYS = ("责任编辑", "共印", "联系电话", "地址:", "地址：")
LIST_MARKER = re.compile(r"^(\d+\.|•)\s*$")


def _is_heading_font(font: str) -> bool:
    return any(key in font for key in ("黑", "Hei", "Sans"))


def _is_kai_font(font: str) -> bool:
    return any(key in font for key in ("楷", "Kai"))


@dataclass
class ParsedArticle:
    title: str
    byline: str = ""
    parts: list = field(default_factory=list)  # HTML strings and Picture objects, in order

    def body_html(self, store_picture=None) -> str:
        """The body as the editor's HTML; ``store_picture(picture)`` returns an image URL or ""."""
        out = []
        for part in self.parts:
            if isinstance(part, tuple):  # (picture, caption)
                picture, caption = part
                url = store_picture(picture) if store_picture else ""
                if url:
                    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
                    out.append(f'<figure class="image"><img src="{escape(url)}">{cap}</figure>')
            else:
                out.append(part)
        return "".join(out)

    @property
    def picture_count(self) -> int:
        return sum(1 for part in self.parts if isinstance(part, tuple))


@dataclass
class ParsedFooter:
    bao_line: str = ""
    # (category, sections) with sections → groups → printed names, as the line prints them
    distribution: list[tuple[str, list[list[list[str]]]]] = field(default_factory=list)
    editor_name: str = ""
    editor_phone: str = ""
    print_run: int | None = None

    @property
    def names(self) -> list[str]:
        return [n for _c, sections in self.distribution for groups in sections for names in groups for n in names]


@dataclass
class ParsedIssue:
    series_title: str = ""
    number: int | None = None
    total_number: int | None = None
    issue_date: object = None
    classification: str = ""
    articles: list[ParsedArticle] = field(default_factory=list)
    footer: ParsedFooter = field(default_factory=ParsedFooter)
    guessed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _lines(element) -> list[str]:
    """The text lines of an element: a paragraph's manual line breaks and a table's cells split it."""
    paras = element.paras if isinstance(element, Table) else [element]
    return [line for p in paras for line in p.text.split("\n")]


def _text(element) -> str:
    return "\n".join(_lines(element))


# --- masthead ------------------------------------------------------------------------------------


def _masthead(elements, parsed: ParsedIssue, series_names) -> int:
    """Read the masthead; return the index of its last element (-1 when none was found)."""
    end = -1
    lines: list[str] = []
    for index, element in enumerate(elements[:MASTHEAD_SCAN]):
        text = _text(element)
        number, total = find_numbers(text)
        if number is not None or total is not None:
            end = index
            parsed.number = parsed.number or number
            parsed.total_number = parsed.total_number or total
        if end >= 0 and index - end > DATE_AFTER_NUMBERS:
            break  # no date near the numbers: do not take one from the first article
        lines.extend(_lines(element))
        if end >= 0:
            day = find_date(text)
            if day is not None:
                parsed.issue_date = day
                end = index
                break
    if end < 0:
        return -1
    head = [squeeze(line) for line in lines]
    known = {squeeze(name): name for name in series_names}
    parsed.series_title = next((known[line] for line in head if line in known), "")
    if not parsed.series_title:
        # "领军参阅第2期" on one line, or a title the series table does not know yet.
        parsed.series_title = next((known[k] for k in known for line in head if line.startswith(k)), "")
    if not parsed.series_title:
        biggest = _largest_line(elements[: end + 1])
        parsed.series_title = biggest
        if biggest:
            parsed.guessed.append(_("Series title taken from the largest masthead line: %(title)s") % {"title": biggest})
    joined = "".join(head[:8])
    for word, value in CLASSIFICATION_WORDS:
        if word in joined:
            parsed.classification = value
            break
    return end


def _largest_line(elements) -> str:
    best, size = "", 0.0
    for element in elements:
        paras = element.paras if isinstance(element, Table) else [element]
        for p in paras:
            for run in p.runs:
                if run.size and run.size > size and squeeze(run.text):
                    best, size = squeeze(p.text), run.size
    return best


# --- footer --------------------------------------------------------------------------------------


def _is_footer(element) -> bool:
    lines = [fold(squeeze(line)) for line in _lines(element)]
    return any(CATEGORY_RE.match(line) or any(key in line for key in FOOTER_KEYS) for line in lines)


def _footer_start(elements, start: int) -> int:
    """Index of the first footer element: the earliest footer-like element among the trailing ones."""
    first = len(elements)
    index = len(elements) - 1
    gap = 0
    while index > start:
        element = elements[index]
        if _is_footer(element):
            first, gap = index, 0
        elif squeeze(_text(element)):
            gap += 1
            # A 报 line broken into paragraphs: its continuation lines sit between footer lines.
            if gap > 3:
                break
        index -= 1
    return first


def _split_names(text: str) -> list[list[list[str]]]:
    text = text.rstrip("。.")
    sections = []
    for section in re.split(r"[；;]", text):
        groups = []
        for group in re.split(r"[，,]", section):
            names = [n for n in re.split(r"[、]", group) if n]
            if names:
                groups.append(names)
        if groups:
            sections.append(groups)
    return sections


def _footer(elements, parsed: ParsedIssue) -> None:
    footer = parsed.footer
    lines = [fold(squeeze(line)) for element in elements for line in _lines(element)]
    raw_lines = [squeeze(line) for element in elements for line in _lines(element)]
    categories: list[tuple[str, str]] = []  # (prefix, text as printed)
    current = None
    for folded, raw in zip(lines, raw_lines, strict=True):
        if not folded:
            continue
        match = CATEGORY_RE.match(folded)
        if match:
            current = [match.group(1), raw[len(match.group(0)) :]]
            categories.append(current)
        elif current is not None and not any(key in folded for key in FOOTER_KEYS):
            current[1] += raw  # a continuation of the 报 line (a paragraph or a manual break)
        else:
            current = None
    printed = []
    for prefix, text in categories:
        text = text.replace(",", "，").replace(";", "；")
        if not text.endswith("。"):
            text = text.rstrip(".") + "。"
        printed.append(f"{prefix}：{text}")
        footer.distribution.append((CATEGORIES[prefix], _split_names(text)))
    footer.bao_line = "\n".join(printed)
    joined = "\n".join(fold(line) for element in elements for line in _lines(element))
    editor = re.search(r"责任编辑[:：]\s*([^\s:：,，;；(（]+)", joined)
    if editor:
        footer.editor_name = editor.group(1)
        phone = re.search(r"(?:联系)?电话[:：]\s*([0-9][0-9\- ]*[0-9])", joined[editor.end() :])
        footer.editor_phone = phone.group(1).strip() if phone else ""
    run = re.search(r"共印[:：]?\s*(\d+)\s*份", squeeze(joined))
    footer.print_run = int(run.group(1)) if run else None
    if not footer.bao_line:
        parsed.missing.append(_("No distribution line (报：…) in the footer."))
    if not footer.editor_name:
        parsed.missing.append(_("No responsible editor (责任编辑) in the footer."))
    if footer.print_run is None:
        parsed.missing.append(_("No print run (共印 N 份) in the footer."))


# --- articles ------------------------------------------------------------------------------------


def _sizes(p: Para) -> list[float]:
    return [r.size for r in p.runs if r.size and r.text.strip()]


def _all(p: Para, test) -> bool:
    runs = [r for r in p.runs if r.text.strip()]
    return bool(runs) and all(test(r) for r in runs)


def _is_title(p: Para) -> bool:
    if p.style.lower() in ("title", "标题"):
        return True
    if p.align != "center" or not squeeze(p.text) or len(squeeze(p.text)) > SHORT:
        return False
    if _heading_prefix_level(p) is not None:
        return False
    sizes = _sizes(p)
    return (bool(sizes) and max(sizes) >= 18) or (_all(p, lambda r: r.bold) and (not sizes or max(sizes) >= 16))


BYLINE_RE = re.compile(r"^[(（]?(作者|执笔|来源|撰稿|供稿)[:：]|课题组|研究院|研究中心")


def _is_byline(p: Para) -> bool:
    text = squeeze(p.text)
    if not text or len(text) > 50:
        return False
    return p.align == "center" or bool(BYLINE_RE.search(text))


def _heading_prefix_level(p: Para) -> int | None:
    text = fold(p.text).strip()
    for pattern, level in PREFIX_LEVELS:
        if pattern.match(text):
            return level
    return None


def _heading_level(p: Para, parsed: ParsedIssue) -> int | None:
    """1, 2 or 3 (h2, h3, h4) when ``p`` is a heading, else None."""
    text = squeeze(p.text)
    if not text:
        return None
    style = HEADING_STYLE.match(p.style or "")
    if style:
        return min(max(int(style.group(2)), 1), 3)
    short = len(text) <= SHORT
    prefix = _heading_prefix_level(p)
    if p.keep_next and short:
        # zhiku's own Word file: headings keep with the next line; the font tells the level.
        if _all(p, lambda r: _is_heading_font(r.font)):
            return 1
        if _all(p, lambda r: _is_kai_font(r.font)):
            return 2
        return prefix or 3
    bold = _all(p, lambda r: r.bold)
    body_sentence = "。" in text.rstrip("。")
    if bold and short and not body_sentence:
        parsed.guessed.append(_("Heading recognised from bold text: %(text)s") % {"text": text[:30]})
        return prefix or 1
    if prefix in (1, 2) and short and not text.endswith("。"):
        return prefix
    return None


def _runs_html(runs, *, plain=False) -> str:
    out = []
    for run in runs:
        html = escape(run.text).replace("\t", " ").replace("\n", "<br>")
        if not plain:
            for on, tag in (
                (run.vertical == "sup", "sup"),
                (run.vertical == "sub", "sub"),
                (run.strike, "s"),
                (run.underline, "u"),
                (run.italic, "em"),
                (run.bold, "strong"),
            ):
                if on and html.strip():
                    html = f"<{tag}>{html}</{tag}>"
        out.append(html)
    return "".join(out)


def _cell_html(cell: Cell, row_index: int, header_row: bool) -> str:
    tag = "th" if header_row else "td"
    attrs = ""
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    body = "<br>".join(_runs_html(p.runs, plain=True) for p in cell.paras if p.text.strip())
    return f"<{tag}{attrs}>{body}</{tag}>"


def _table_html(table: Table, caption: str) -> str:
    def header(cell):
        return all(_all(p, lambda r: r.bold or _is_heading_font(r.font)) for p in cell.paras if p.text.strip())

    first = table.rows[0] if table.rows else []
    header_row = bool(first) and all(header(c) and c.text.strip() for c in first)
    rows = []
    for r, row in enumerate(table.rows):
        rows.append("<tr>" + "".join(_cell_html(c, r, header_row and r == 0) for c in row) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<tbody>{''.join(rows)}</tbody></table>"


def _is_caption_for_table(p: Para, following) -> bool:
    return (
        isinstance(following, Table)
        and p.align == "center"
        and len(squeeze(p.text)) <= SHORT
        and _all(p, lambda r: _is_heading_font(r.font) and not r.bold)
    )


def _is_picture_caption(p: Para) -> bool:
    sizes = _sizes(p)
    return p.align == "center" and bool(sizes) and max(sizes) <= 12 and len(squeeze(p.text)) <= SHORT


def _list_item(p: Para) -> tuple[str, list] | None:
    """zhiku writes a list item as its marker ("1. " or "• ") in a run of its own, indented."""
    if p.left_indent <= 0 or len(p.runs) < 2 or not LIST_MARKER.match(p.runs[0].text.strip()):
        return None
    return ("ol" if p.runs[0].text.strip()[0].isdigit() else "ul", p.runs[1:])


def _blocks(elements, parsed: ParsedIssue) -> list:
    """Article content elements → HTML parts (and (picture, caption) tuples)."""
    parts: list = []
    open_list = None  # "ol" / "ul" while list items follow each other
    skip = set()
    for index, element in enumerate(elements):
        if index in skip:
            continue
        following = elements[index + 1] if index + 1 < len(elements) else None
        item = _list_item(element) if isinstance(element, Para) else None
        if open_list and (item is None or item[0] != open_list):
            parts.append(f"</{open_list}>")
            open_list = None
        if isinstance(element, Table):
            parts.append(_table_html(element, ""))
            continue
        p = element
        if item is not None:
            if open_list is None:
                open_list = item[0]
                parts.append(f"<{open_list}>")
            parts.append(f"<li>{_runs_html(item[1])}</li>")
            continue
        if _is_caption_for_table(p, following):
            parts.append(_table_html(following, p.text.strip()))
            skip.add(index + 1)
            continue
        if p.pictures:
            if squeeze(p.text):
                parts.append(f"<p>{_runs_html(p.runs)}</p>")
            for n, picture in enumerate(p.pictures):
                caption = ""
                last = n == len(p.pictures) - 1
                if last and isinstance(following, Para) and _is_picture_caption(following):
                    caption = following.text.strip()
                    skip.add(index + 1)
                parts.append((picture, caption))
            continue
        if not p.text.strip():
            continue
        level = _heading_level(p, parsed)
        if level is not None:
            tag = f"h{level + 1}"
            runs = [type(r)(**{**r.__dict__, "bold": False}) for r in p.runs]
            parts.append(f"<{tag}>{_runs_html(runs).strip()}</{tag}>")
        elif _all(p, lambda r: _is_kai_font(r.font)) and not p.keep_next and p.align != "center":
            parts.append(f"<blockquote><p>{_runs_html(p.runs)}</p></blockquote>")
        else:
            parts.append(f"<p>{_runs_html(p.runs)}</p>")
    if open_list:
        parts.append(f"</{open_list}>")
    return parts


def _articles(elements, parsed: ParsedIssue) -> None:
    current: ParsedArticle | None = None
    content: list = []

    def finish():
        if current is not None:
            current.parts = _blocks(content, parsed)
            parsed.articles.append(current)

    for element in elements:
        if isinstance(element, Para) and not squeeze(element.text) and not element.pictures:
            continue
        if isinstance(element, Para) and _is_title(element):
            if current is not None and not content and not current.byline:
                current.title += element.text.strip()  # a title set in two lines
                continue
            finish()
            current, content = ParsedArticle(title=element.text.strip()), []
            continue
        if current is None:
            text = element.text.strip() if isinstance(element, Para) else ""
            if text and len(squeeze(text)) <= SHORT * 2:
                current, content = ParsedArticle(title=squeeze(text)), []
                parsed.guessed.append(_("Article title taken from the first paragraph: %(title)s") % {"title": text[:30]})
                continue
            current, content = ParsedArticle(title=""), []
        if isinstance(element, Para) and not content and not current.byline and _is_byline(element):
            current.byline = element.text.strip()
            continue
        content.append(element)
    finish()
    if not parsed.articles:
        parsed.missing.append(_("No article was found between the masthead and the footer."))
    for article in parsed.articles:
        if not article.title:
            parsed.missing.append(_("An article has no title."))


def parse_issue(elements, *, series_names=()) -> ParsedIssue:
    """Everything the importer needs from one file's elements (see docx_reader.read_elements)."""
    parsed = ParsedIssue()
    end = _masthead(elements, parsed, series_names)
    if parsed.number is None:
        parsed.missing.append(_("No issue number (第N期) in the masthead."))
    if parsed.total_number is None:
        parsed.missing.append(_("No total number (总第M期) in the masthead."))
    if parsed.issue_date is None:
        parsed.missing.append(_("No date in the masthead."))
    if not parsed.classification:
        parsed.missing.append(_("No classification mark; the issue is recorded as not marked."))
    start = _footer_start(elements, end)
    _footer(elements[start:], parsed)
    _articles(elements[end + 1 : start], parsed)
    return parsed


__all__ = ["ParsedArticle", "ParsedFooter", "ParsedIssue", "Picture", "parse_issue"]
