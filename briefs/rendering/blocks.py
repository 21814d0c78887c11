"""Sanitised article HTML → document blocks.

The input has already been through zhiku.sanitizer, so only its allowlist can occur; anything
else is read for its text only. Headings, paragraphs, list items, quotes, tables and images
become blocks; inline b/i/u/s/sub/sup become runs; links print as their text.
"""

from html.parser import HTMLParser

from .document import Block, Cell, Heading, Image, Paragraph, Run, Table

HEADING_LEVELS = {"h2": 1, "h3": 2, "h4": 3}
INLINE_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "s": "strike",
    "sub": "sub",
    "sup": "sup",
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def _int(value, default=None):
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


class _BlockParser(HTMLParser):
    def __init__(self, resolve_image):
        super().__init__(convert_charrefs=True)
        self.resolve_image = resolve_image
        self.blocks: list[Block] = []
        self.styles: list[str] = []
        self.runs: list[Run] | None = None  # the open paragraph/heading/list item
        self.current: tuple | None = None  # ("p"|"h", level) of the open text block
        self.lists: list[list] = []  # stack of [ordered, counter]
        self.quote = 0
        self.table: list | None = None  # rows of cells while inside <table>
        self.cell: dict | None = None
        self.caption: list[str] | None = None
        self._table_caption = ""
        self.figure_image: Image | None = None
        self.figcaption: list[str] | None = None

    # text blocks ------------------------------------------------------------------------------
    def _open(self, kind, level=0):
        self._close()
        self.runs, self.current = [], (kind, level)

    def _close(self):
        if self.runs is None:
            return
        runs = _merge(self.runs)
        kind, level = self.current
        if runs:
            if kind == "h":
                self.blocks.append(Heading(level=level, runs=runs))
            else:
                marker = ""
                if kind == "li" and self.lists:
                    ordered, counter = self.lists[-1]
                    marker = f"{counter}. " if ordered else "• "
                self.blocks.append(Paragraph(runs=runs, marker=marker, quote=self.quote > 0))
        self.runs, self.current = None, None

    def _run(self, text):
        style = set(self.styles)
        vertical = "sup" if "sup" in style else "sub" if "sub" in style else ""
        return Run(
            text=text,
            bold="bold" in style,
            italic="italic" in style,
            underline="underline" in style,
            strike="strike" in style,
            vertical=vertical,
        )

    # parser callbacks -------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.cell is not None or self.caption is not None or self.figcaption is not None:
            if tag == "br" and self.cell is not None:
                self.cell["text"].append("\n")
            return
        if tag in INLINE_STYLES:
            self.styles.append(INLINE_STYLES[tag])
        elif tag == "br":
            if self.runs is not None:
                self.runs.append(self._run("\n"))
        elif tag in HEADING_LEVELS:
            self._open("h", HEADING_LEVELS[tag])
        elif tag == "p":
            if not (self.current and self.current[0] == "li"):
                self._open("p")
        elif tag in ("ul", "ol"):
            self._close()
            self.lists.append([tag == "ol", _int(attrs.get("start"), 1) - 1])
        elif tag == "li":
            if self.lists:
                self.lists[-1][1] += 1
            self._open("li")
        elif tag == "blockquote":
            self._close()
            self.quote += 1
        elif tag == "table":
            self._close()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            if not self.table:
                self.table.append([])
            self.cell = {
                "text": [],
                "header": tag == "th",
                "colspan": _int(attrs.get("colspan"), 1),
                "rowspan": _int(attrs.get("rowspan"), 1),
            }
        elif tag == "caption" and self.table is not None:
            self.caption = []
        elif tag == "figcaption":
            self.figcaption = []
        elif tag == "img":
            self._close()
            src = attrs.get("src") or ""
            image = Image(
                src=src,
                path=self.resolve_image(src),
                alt=attrs.get("alt") or "",
                width=_int(attrs.get("width")),
                height=_int(attrs.get("height")),
            )
            self.figure_image = image
            self.blocks.append(image)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            c = self.cell
            self.table[-1].append(
                Cell(text="".join(c["text"]).strip(), header=c["header"], colspan=c["colspan"], rowspan=c["rowspan"])
            )
            self.cell = None
        elif tag == "caption" and self.caption is not None:
            self._table_caption = "".join(self.caption).strip()
            self.caption = None
        elif tag == "figcaption" and self.figcaption is not None:
            text = "".join(self.figcaption).strip()
            self.figcaption = None
            if self.figure_image is not None and self.blocks and self.blocks[-1] is self.figure_image:
                img = self.figure_image
                self.blocks[-1] = Image(img.src, img.path, img.alt, text, img.width, img.height)
        elif self.cell is not None or self.caption is not None or self.figcaption is not None:
            return
        elif tag == "table" and self.table is not None:
            rows = tuple(tuple(r) for r in self.table if r)
            if rows:
                self.blocks.append(Table(rows=rows, caption=self._table_caption))
            self.table, self._table_caption = None, ""
        elif tag in INLINE_STYLES:
            style = INLINE_STYLES[tag]
            if style in self.styles:
                del self.styles[len(self.styles) - 1 - self.styles[::-1].index(style)]
        elif tag in HEADING_LEVELS or tag in ("p", "li"):
            if tag == "p" and self.current and self.current[0] == "li":
                return
            self._close()
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.quote = max(0, self.quote - 1)
        elif tag == "figure":
            self.figure_image = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"].append(data)
        elif self.caption is not None:
            self.caption.append(data)
        elif self.figcaption is not None:
            self.figcaption.append(data)
        elif self.runs is not None:
            self.runs.append(self._run(data))
        elif data.strip() and self.table is None:
            # Bare text between blocks (the sanitiser keeps it): print it as a paragraph.
            self._open("p")
            self.runs.append(self._run(data))

    def close(self):
        super().close()
        self._close()


def _merge(runs: list[Run]) -> tuple[Run, ...]:
    """Join neighbouring runs of one style; trim the block's outer whitespace."""
    merged: list[Run] = []
    for run in runs:
        if merged and (
            merged[-1].bold,
            merged[-1].italic,
            merged[-1].underline,
            merged[-1].strike,
            merged[-1].vertical,
        ) == (
            run.bold,
            run.italic,
            run.underline,
            run.strike,
            run.vertical,
        ):
            last = merged.pop()
            run = Run(last.text + run.text, run.bold, run.italic, run.underline, run.strike, run.vertical)
        merged.append(run)
    if merged:
        first, last = merged[0], merged[-1]
        merged[0] = Run(first.text.lstrip(), first.bold, first.italic, first.underline, first.strike, first.vertical)
        last = merged[-1]
        merged[-1] = Run(last.text.rstrip(), last.bold, last.italic, last.underline, last.strike, last.vertical)
    return tuple(r for r in merged if r.text)


def html_to_blocks(html: str, resolve_image=lambda src: None) -> tuple[Block, ...]:
    """Blocks of one article body. ``resolve_image(src)`` returns a local path or None."""
    parser = _BlockParser(resolve_image)
    parser.feed(html or "")
    parser.close()
    return tuple(parser.blocks)
