"""IssueDocument → PDF bytes, through WeasyPrint from the print HTML."""

import functools
import threading
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

from .document import IssueDocument
from .html import print_css, render_html


@functools.cache
def _fetcher_class():
    # Built on first use: importing WeasyPrint costs half a second, and this module is imported
    # by the URLconf of every manage.py command.
    from weasyprint.urls import URLFetcher

    class MediaOnlyFetcher(URLFetcher):
        """Only files under MEDIA_ROOT: a brief never pulls anything from the network while printing."""

        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                root = Path(settings.MEDIA_ROOT).resolve()
                path = Path(unquote(url[len("file://") :].split("?")[0])).resolve()
                if root in path.parents:
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url} while printing")

    return MediaOnlyFetcher


def url_fetcher():
    return _fetcher_class()(allowed_protocols={"file"}, timeout=5)


_local = threading.local()


def _font_config():
    """One FontConfiguration per thread: Pango's font lookups stay warm between renders (about a
    tenth of the layout time). Per thread because a Pango font map is not thread-safe; safe to
    share because the print CSS declares no @font-face, the only thing a configuration accumulates."""
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_local, "font_config", None) is None:
        _local.font_config = FontConfiguration()
    return _local.font_config


def _stylesheet(css: str):
    """The parsed print CSS, kept per thread with the font configuration it was parsed against.

    Parsing the print CSS (tinycss2, selector compilation) costs about 20 ms a render; its text
    only changes with the font stacks and the draft marker, so a handful of parsed sheets cover
    every issue. WeasyPrint does not change a CSS object while rendering with it.
    """
    from weasyprint import CSS

    sheets = getattr(_local, "stylesheets", None)
    if sheets is None:
        sheets = _local.stylesheets = {}
    sheet = sheets.get(css)
    if sheet is None:
        if len(sheets) >= 8:  # fonts changed at run time (tests): drop the old ones
            sheets.clear()
        sheet = sheets[css] = CSS(string=css, font_config=_font_config())
    return sheet


def layout(document: IssueDocument, *, fonts: dict | None = None):
    """The WeasyPrint layout (a weasyprint.Document) of ``document``."""
    from weasyprint import HTML

    html = render_html(document, for_pdf=True, fonts=fonts, inline_css=False)
    css = _stylesheet(print_css(is_draft=document.is_draft, fonts=fonts))
    return HTML(string=html.decode("utf-8"), url_fetcher=url_fetcher(), base_url=str(settings.MEDIA_ROOT)).render(
        stylesheets=[css], font_config=_font_config()
    )


def render_pdf(document: IssueDocument, *, fonts: dict | None = None) -> bytes:
    """``document`` as PDF bytes (A4, fonts subset and embedded)."""
    return layout(document, fonts=fonts).write_pdf()
