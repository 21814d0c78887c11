"""The one rich-text sanitiser. Every write path (admin, import, service, API) calls
``sanitize_html`` before an article body reaches the database.

The allowlist matches the CKEditor 5 toolbar in settings.CKEDITOR_5_CONFIGS: paragraphs,
headings h2–h4, bold/italic/underline, lists, tables, images and links. Anything else (scripts,
event handlers, styles pasted from Word, ``javascript:`` URLs) is removed.
"""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "colgroup",
    "col",
    "figure",
    "figcaption",
    "img",
    "a",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "figure": {"class"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Word pastes wrap runs in spans and add <o:p>; the text survives, the markup goes.
CLEAN_CONTENT_TAGS = {"script", "style", "template", "iframe", "object", "embed", "noscript"}


def sanitize_html(html: str | None) -> str:
    """Return ``html`` reduced to the allowlist. Idempotent: cleaning twice changes nothing."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
