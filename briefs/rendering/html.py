"""IssueDocument → the print view as HTML (also the input of the PDF renderer)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .document import Heading, Image, IssueDocument, Paragraph, Run, Table

RUN_TAGS = (("bold", "strong"), ("italic", "em"), ("underline", "u"), ("strike", "s"))


def font_stacks(fonts: dict | None = None) -> dict[str, str]:
    """settings.ZHIKU_FONTS as CSS font-family values; licensed fonts first, free ones after."""
    fonts = fonts or settings.ZHIKU_FONTS
    return {
        key: ", ".join('"{}"'.format(name.replace('"', "")) for name in names) + ", serif"
        for key, names in fonts.items()
    }


def _runs(runs: tuple[Run, ...]) -> str:
    parts = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br>")
        for attr, tag in RUN_TAGS:
            if getattr(run, attr):
                text = f"<{tag}>{text}</{tag}>"
        if run.vertical:
            text = f"<{run.vertical}>{text}</{run.vertical}>"
        parts.append(text)
    return "".join(parts)


def _block(block, image_src) -> str:
    if isinstance(block, Heading):
        return '<h{0} class="h{1}">{2}</h{0}>'.format(block.level + 1, block.level, _runs(block.runs))
    if isinstance(block, Paragraph):
        classes = ["quote"] if block.quote else []
        marker = format_html('<span class="marker">{}</span>', block.marker) if block.marker else ""
        if block.marker:
            classes.append("item")
        return format_html(
            "<p{}>{}{}</p>",
            mark_safe(' class="{}"'.format(" ".join(classes))) if classes else "",
            marker,
            mark_safe(_runs(block.runs)),
        )
    if isinstance(block, Table):
        rows = []
        for row in block.rows:
            cells = format_html_join(
                "",
                "<{} colspan={} rowspan={}>{}</{}>",
                (
                    (
                        "th" if c.header else "td",
                        c.colspan,
                        c.rowspan,
                        mark_safe(escape(c.text).replace("\n", "<br>")),
                        "th" if c.header else "td",
                    )
                    for c in row
                ),
            )
            rows.append(format_html("<tr>{}</tr>", cells))
        caption = format_html("<caption>{}</caption>", block.caption) if block.caption else ""
        return format_html('<table class="grid">{}{}</table>', caption, mark_safe("".join(rows)))
    if isinstance(block, Image):
        src = image_src(block)
        if not src:
            return format_html('<p class="missing-image">[{}]</p>', block.alt or block.caption or "图")
        caption = format_html("<figcaption>{}</figcaption>", block.caption) if block.caption else ""
        return format_html('<figure><img src="{}" alt="{}">{}</figure>', src, block.alt, caption)
    raise TypeError(f"unknown block {block!r}")


def _web_src(image: Image) -> str:
    return image.src


def _file_src(image: Image) -> str:
    # WeasyPrint embeds local files only; remote images are never fetched while printing.
    return "file://" + image.path if image.path else ""


def print_css(*, is_draft: bool, fonts: dict | None = None) -> str:
    """The print CSS (GB/T 9704 geometry) with the font stacks filled in; a draft's adds the
    草稿 in every page's corner. The same text for every issue of a kind, so the PDF renderer
    parses it once per process (``pdf._stylesheet``)."""
    return render_to_string("briefs/print/print.css", {"fonts": font_stacks(fonts), "is_draft": is_draft})


def render_html(
    document: IssueDocument, *, for_pdf: bool = False, fonts: dict | None = None, inline_css: bool = True
) -> bytes:
    """The print view of ``document`` as UTF-8 HTML bytes.

    ``for_pdf`` points images at their local files instead of their URLs; the markup and print
    CSS are otherwise the same, so the browser preview shows what the PDF prints. Without
    ``inline_css`` the page has no <style>: the caller supplies ``print_css()`` itself.
    """
    image_src = _file_src if for_pdf else _web_src
    articles = [
        {
            "title": article.title,
            "byline": article.byline,
            "body": mark_safe("\n".join(_block(b, image_src) for b in article.blocks)),
        }
        for article in document.articles
    ]
    css = print_css(is_draft=document.is_draft, fonts=fonts) if inline_css else ""
    html = render_to_string(
        "briefs/print/issue.html",
        {
            "doc": document,
            "m": document.masthead,
            "f": document.footer,
            "articles": articles,
            # Raw text inside <style>: never HTML-escaped (the font names' quotes must stay quotes).
            "css": mark_safe(css),
            "for_pdf": for_pdf,
        },
    )
    return html.encode("utf-8")
