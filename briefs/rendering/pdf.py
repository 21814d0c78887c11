"""IssueDocument → PDF bytes, through WeasyPrint from the print HTML."""

from pathlib import Path

from django.conf import settings

from .document import IssueDocument
from .html import render_html


def _url_fetcher(url, *args, **kwargs):
    """Only files under MEDIA_ROOT: a brief never pulls anything from the network while printing."""
    from weasyprint import default_url_fetcher

    if url.startswith("file://"):
        root = Path(settings.MEDIA_ROOT).resolve()
        path = Path(url[len("file://") :]).resolve()
        if root in path.parents:
            return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"refused to fetch {url} while printing")


def layout(document: IssueDocument, *, fonts: dict | None = None):
    """The WeasyPrint layout (a weasyprint.Document) of ``document``."""
    from weasyprint import HTML

    html = render_html(document, for_pdf=True, fonts=fonts)
    return HTML(string=html.decode("utf-8"), url_fetcher=_url_fetcher, base_url=str(settings.MEDIA_ROOT)).render()


def render_pdf(document: IssueDocument, *, fonts: dict | None = None) -> bytes:
    """``document`` as PDF bytes (A4, fonts subset and embedded)."""
    return layout(document, fonts=fonts).write_pdf()
