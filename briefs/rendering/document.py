"""The printed issue as plain values: what the renderers may print, and nothing else.

Everything here is frozen and holds only strings, numbers and tuples, so a document can be
built once and handed to any renderer (or compared in tests) without touching the database.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """A stretch of text with one inline style (the sanitiser allows b/i/u/s/sub/sup/a)."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    vertical: str = ""  # "", "sub" or "sup"


@dataclass(frozen=True)
class Heading:
    """level 1 = 一、/举措 (黑体, from <h2>), 2 = （一） (楷体, <h3>), 3 = 1. （1） (仿宋, <h4>)."""

    level: int
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph. ``marker`` is a list item's printed number or bullet; ``quote`` a blockquote."""

    runs: tuple[Run, ...]
    marker: str = ""
    quote: bool = False

    @property
    def text(self) -> str:
        return self.marker + "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""

    @property
    def text(self) -> str:
        return "\n".join(" ".join(c.text for c in row) for row in self.rows)


@dataclass(frozen=True)
class Image:
    """``src`` as the web page shows it; ``path`` the local file when it lives in MEDIA_ROOT.

    Renderers that embed the bytes (PDF, DOCX) use only ``path``: remote images are never
    fetched while printing.
    """

    src: str
    path: str | None = None
    alt: str = ""
    caption: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def text(self) -> str:
        return self.caption


Block = Heading | Paragraph | Table | Image


@dataclass(frozen=True)
class Masthead:
    series_title: str
    tagline: str
    number_line: str  # "第 2 期"; a draft's is the number it would get if signed today
    total_line: str  # "(总第 117 期)", likewise
    publishers: tuple[str, ...]
    date_line: str  # "2024 年 1 月 19 日"; a draft's is the day it would be signed
    classification: str  # "内部资料", "秘密"… as printed, or ""


@dataclass(frozen=True)
class Article:
    title: str
    byline: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Footer:
    bao_line: str  # "报：…。", or "" when circulation provides none
    editor_line: str  # "责任编辑：郭书颖 联系电话：18610038942 65519639（传真）"
    address_line: str  # "地址：…"
    print_run_line: str  # "共印：70 份"


@dataclass(frozen=True)
class IssueDocument:
    masthead: Masthead
    articles: tuple[Article, ...]
    footer: Footer
    is_draft: bool = False  # prints a visible 草稿 marker; its numbers are provisional
    file_stem: str = "issue"  # download name without extension, e.g. "领军参阅-2024-第2期-总第117期"

    @property
    def title(self) -> str:
        numbers = " ".join(x for x in (self.masthead.number_line, self.masthead.total_line) if x)
        if self.is_draft:
            numbers = " ".join(x for x in ("草稿", numbers) if x)
        return f"{self.masthead.series_title} {numbers}"

    def plain_text(self) -> str:
        """The printed text in reading order; what a PDF read back must contain."""
        m, f = self.masthead, self.footer
        lines = [m.classification, m.tagline, m.series_title, m.number_line, m.total_line, *m.publishers, m.date_line]
        for article in self.articles:
            lines += [article.title, article.byline]
            lines += [block.text for block in article.blocks]
        lines += [f.bao_line, f.editor_line, f.address_line, f.print_run_line]
        return "\n".join(line for line in lines if line)
