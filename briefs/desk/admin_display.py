"""Read-only rich text in the admin shown as text, not as HTML source.

Outside 草稿 the article pages are read-only, and Django prints a read-only field's value escaped,
so reviewers saw ``<p>…<strong>`` instead of the text. This mixin swaps the body for its rendered
form wherever the page is read-only; the HTML is sanitised again on the way out (one allowlist,
zhiku.sanitizer), so nothing the editor cannot make reaches the page.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from zhiku.sanitizer import sanitize_html


class RenderedBodyMixin:
    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ["body_rendered" if name == "body" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly.append("body_rendered")
        return readonly

    @admin.display(description=_("Body"))
    def body_rendered(self, article):
        if article is None or not article.pk:
            return "—"
        return format_html('<div class="zhiku-rendered-body">{}</div>', mark_safe(sanitize_html(article.body)))
