from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .extensions import article_search_ids
from .models import Article, Editor, Issue, Series

STATUS_COLOURS = {
    Issue.Status.DRAFT: "#6b7280",
    Issue.Status.IN_REVIEW: "#b45309",
    Issue.Status.SIGNED: "#15803d",
    Issue.Status.RELEASED: "#1d4ed8",
}


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "tagline", "default_print_run", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Editor)
class EditorAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "fax", "user", "is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "phone", "user__username"]
    list_filter = ["is_active"]
    autocomplete_fields = ["user"]


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0
    fields = ["position", "title", "byline", "body"]
    ordering = ["position", "id"]


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    list_display = ["numbers_display", "lead_title", "series", "issue_date", "status_badge", "responsible_editor"]
    list_display_links = ["numbers_display", "lead_title"]
    list_select_related = ["series", "responsible_editor"]
    list_filter = ["status", "series", "year", "classification"]
    search_fields = ["articles__title", "=total_number", "responsible_editor__name"]
    date_hierarchy = "issue_date"
    autocomplete_fields = ["responsible_editor"]
    inlines = [ArticleInline]
    fieldsets = [
        (None, {"fields": ["series", "responsible_editor", "classification", "print_run"]}),
        (_("Numbers and date"), {"fields": ["year", "number", "total_number", "issue_date"]}),
    ]

    def get_queryset(self, request):
        lead = Article.objects.filter(issue=OuterRef("pk")).order_by("position", "id").values("title")[:1]
        return super().get_queryset(request).annotate(lead_title_value=Subquery(lead))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        ids = article_search_ids(search_term) if search_term.strip() else None
        if ids:
            queryset |= self.model.objects.filter(articles__id__in=ids)
            may_have_duplicates = True
        return queryset, may_have_duplicates

    @admin.display(description=_("Number"), ordering="total_number")
    def numbers_display(self, obj):
        if obj.total_number:
            return "第 %s 期（总第 %s 期）" % (obj.number, obj.total_number)
        return _("Draft (not numbered)")

    @admin.display(description=_("Title"))
    def lead_title(self, obj):
        return getattr(obj, "lead_title_value", None) or "—"

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="zhiku-badge" style="background:{};color:#fff;padding:2px 8px;border-radius:8px">{}</span>',
            STATUS_COLOURS.get(obj.status, "#6b7280"),
            obj.get_status_display(),
        )

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issue", "position", "byline", "updated_at"]
    list_select_related = ["issue", "issue__series"]
    search_fields = ["title", "byline"]
    list_filter = ["issue__series", "issue__status"]
    autocomplete_fields = ["issue"]
    fields = ["issue", "position", "title", "byline", "body"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        ids = article_search_ids(search_term) if search_term.strip() else None
        if ids:
            queryset |= self.model.objects.filter(id__in=ids)
        return queryset, may_have_duplicates
