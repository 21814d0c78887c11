import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhiku.admin_mixins import ReadOnlyAdminMixin

from . import selectors, workflow
from .desk.admin_display import RenderedBodyMixin
from .extensions import article_search_ids
from .models import Article, Editor, Issue, IssueEvent, Notification, PaperSignOff, ReviewStage, Series


class VersionCheckedForm(forms.ModelForm):
    """Refuses a save when the row changed since the form was opened (no silent overwrite).

    The admin validates inside its transaction; the row is locked while comparing versions, so of
    two concurrent saves the second sees the first's new version and is refused.
    """

    seen_version = forms.IntegerField(label=_("Version opened"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def check_version(self) -> bool:
        # Unchanged inline forms are not saved, so they cannot overwrite anything.
        return self.instance.pk is not None and (self.has_changed() or not getattr(self, "_is_inline", False))

    def clean(self):
        cleaned = super().clean()
        if self.check_version():
            model = type(self.instance)
            current = model.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
            seen = cleaned.get("seen_version")
            if current is not None and seen != current:
                what_changed = "admin:briefs_article_diff" if model is Article else "admin:briefs_issue_history"
                history = reverse(what_changed, args=[self.instance.pk])
                raise ValidationError(
                    format_html(
                        '{} <a href="{}">{}</a>',
                        gettext(
                            "Somebody else saved this %(what)s after you opened it. Your changes were not saved; "
                            "open the history to see what changed, then reload and edit again."
                        )
                        % {"what": model._meta.verbose_name},
                        history,
                        gettext("See what changed"),
                    ),
                    code="stale",
                )
            self.instance.version = (seen or 0) + 1
        return cleaned


class ArticleInlineForm(VersionCheckedForm):
    _is_inline = True

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


class ArticleInline(RenderedBodyMixin, admin.StackedInline):
    model = Article
    form = ArticleInlineForm
    extra = 0
    fields = ["position", "title", "byline", "body", "seen_version", "diff_link"]
    readonly_fields = ["diff_link"]
    ordering = ["position", "id"]

    @admin.display(description=_("Versions"))
    def diff_link(self, obj):
        return _diff_link(obj)

    # Outside 草稿 the articles are read-only here; the model guard refuses every other path.
    def has_add_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj)) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [f for f in fields if f != "seen_version"]
        return fields


class IssueForm(VersionCheckedForm):
    pass


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    form = IssueForm
    list_display = [
        "numbers_display",
        "lead_title",
        "series",
        "issue_date",
        "status_badge",
        "current_stage",
        "responsible_editor",
    ]
    list_display_links = ["numbers_display", "lead_title"]
    list_select_related = ["series", "responsible_editor", "current_stage"]
    list_filter = ["status", "current_stage__name", "series", "year", "classification"]
    search_fields = ["articles__title", "=total_number", "responsible_editor__name"]
    date_hierarchy = "issue_date"
    autocomplete_fields = ["responsible_editor"]
    inlines = [ArticleInline]
    fieldsets = [
        (None, {"fields": ["series", "subject", "responsible_editor", "classification", "print_run", "seen_version"]}),
        (_("Numbers and date"), {"fields": ["year", "number", "total_number", "issue_date"]}),
    ]

    # --- locking: outside 草稿 the page is read-only for everyone -------------------------------

    def has_change_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        deletable = obj is None or (workflow.issue_is_editable(obj) and obj.total_number is None)
        return deletable and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        locked = queryset.exclude(status=Issue.Status.DRAFT, total_number__isnull=True)
        if locked.exists():
            messages.error(request, gettext("Only unnumbered drafts can be deleted."))
            return
        super().delete_queryset(request, queryset)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "seen_version"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Numbers are given at 签发; only an administrator types them, for historical issues.
        if not request.user.has_perm("briefs.set_issue_numbers"):
            readonly += ["year", "number", "total_number"]
        return readonly

    # --- the workflow panel and its URLs ----------------------------------------------------------

    def get_urls(self):
        from .views import issue_paper_sign_off_view, issue_transition_view

        extra = [
            path(
                "<int:pk>/transition/",
                self.admin_site.admin_view(issue_transition_view),
                name="briefs_issue_transition",
            ),
            path(
                "<int:pk>/paper-sign-off/",
                self.admin_site.admin_view(issue_paper_sign_off_view),
                name="briefs_issue_paper_sign_off",
            ),
        ]
        return extra + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if issue is not None:
            extra_context["workflow"] = workflow_panel_context(issue, request.user)
        return super().change_view(request, object_id, form_url, extra_context)

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
            return f"第 {obj.number} 期（总第 {obj.total_number} 期）"
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


def workflow_panel_context(issue: Issue, user) -> dict:
    """What the issue page's workflow panel shows to ``user``: buttons, numbers, timeline."""
    from .workflow_paper import PaperSignOffForm

    actions = [(action, workflow.ACTION_LABELS[action]) for action in workflow.allowed_actions(issue, user)]
    paper_form = None
    if (
        issue.status == Issue.Status.IN_REVIEW
        and user.has_perm("briefs.record_paper_sign_off")
        and issue.current_stage_id
        and not workflow.ReviewStage.objects.filter(
            series_id=issue.series_id, position__gt=issue.current_stage.position
        ).exists()
    ):
        paper_form = PaperSignOffForm(issue, prefix="wf_paper")
    return {
        "issue": issue,
        "actions": actions,
        "comment_required": sorted(workflow.COMMENT_REQUIRED),
        "stages": list(issue.series.review_stages.select_related("group", "user").order_by("position")),
        "preview": workflow.issue_number_preview(issue) if issue.status in (Issue.Status.DRAFT, Issue.Status.IN_REVIEW) else None,
        "timeline": selectors.issue_timeline(issue),
        "transition_url": reverse("admin:briefs_issue_transition", args=[issue.pk]),
        "paper_url": reverse("admin:briefs_issue_paper_sign_off", args=[issue.pk]),
        "paper_form": paper_form,
        "editable": workflow.issue_is_editable(issue),
    }


@admin.register(Article)
class ArticleAdmin(RenderedBodyMixin, SimpleHistoryAdmin):
    form = VersionCheckedForm
    list_display = ["title", "issue", "position", "byline", "updated_at"]
    list_select_related = ["issue", "issue__series"]
    search_fields = ["title", "byline"]
    list_filter = ["issue__series", "issue__status"]
    autocomplete_fields = ["issue"]
    fields = ["issue", "position", "title", "byline", "body", "seen_version", "diff_link"]
    readonly_fields = ["diff_link"]

    def get_search_results(self, request, queryset, search_term):
        # The archive search (clusters) finds words in bodies, Chinese-aware; title/byline stay icontains.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        ids = article_search_ids(search_term) if search_term.strip() else None
        if ids:
            queryset |= self.model.objects.filter(id__in=ids)
        return queryset, may_have_duplicates

    @admin.display(description=_("Versions"))
    def diff_link(self, obj):
        return _diff_link(obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj.issue)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or workflow.issue_is_editable(obj.issue)) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [f for f in fields if f != "seen_version"]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New articles go only into drafts.
        if db_field.name == "issue":
            kwargs["queryset"] = Issue.objects.filter(status=Issue.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        if queryset.exclude(issue__status=Issue.Status.DRAFT).exists():
            messages.error(request, gettext("This issue is no longer a draft; its articles are read-only."))
            return
        super().delete_queryset(request, queryset)

    def get_urls(self):
        extra = [
            path("<int:pk>/diff/", self.admin_site.admin_view(self.diff_view), name="briefs_article_diff"),
        ]
        return extra + super().get_urls()

    def diff_view(self, request, pk: int):
        """One version of the body beside the one before it (the latest by default)."""
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        records = list(article.history.select_related("history_user").order_by("-history_date", "-history_id"))
        chosen = 0
        wanted = request.GET.get("h")
        for index, record in enumerate(records):
            if str(record.history_id) == wanted:
                chosen = index
        current = records[chosen] if records else None
        previous = records[chosen + 1] if chosen + 1 < len(records) else None
        table = ""
        if current is not None:
            table = difflib.HtmlDiff(wrapcolumn=40).make_table(
                _body_lines(previous.body if previous else ""),
                _body_lines(current.body),
                gettext("Previous version"),
                gettext("This version"),
                context=False,
            )
            # difflib's navigation column has English letters and in-page anchors we do not use.
            table = re.sub(r'<td class="diff_next"[^>]*>.*?</td>', '<td class="diff_next"></td>', table)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Changes to %(title)s") % {"title": article.title},
            "article": article,
            "records": records,
            "current": current,
            "previous": previous,
            "title_changed": previous is not None and previous.title != current.title,
            "table": table,
        }
        return TemplateResponse(request, "briefs/workflow/article_diff.html", context)


def _diff_link(article) -> str:
    if not article or not article.pk:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:briefs_article_diff", args=[article.pk]), gettext("Compare with previous version")
    )


def _body_lines(html: str) -> list[str]:
    """The body as text, one paragraph per line, so the diff lines up paragraph by paragraph."""
    text = re.sub(r"</(p|h[1-6]|li|tr)>", "\n", html or "")
    return [line.strip() for line in strip_tags(text).splitlines() if line.strip()]


@admin.register(ReviewStage)
class ReviewStageAdmin(admin.ModelAdmin):
    list_display = ["series", "position", "name", "group", "user"]
    list_select_related = ["series", "group", "user"]
    list_filter = ["series"]
    ordering = ["series", "position"]


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Records are written by the workflow only."""


@admin.register(IssueEvent)
class IssueEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "issue", "action", "stage_name", "actor", "comment"]
    list_select_related = ["issue__series", "actor"]
    list_filter = ["action", "to_status"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipient", "email", "issue", "subject"]
    list_select_related = ["recipient", "issue__series"]
    date_hierarchy = "sent_at"


@admin.register(PaperSignOff)
class PaperSignOffAdmin(ReadOnlyAdmin):
    list_display = ["issue", "signer", "signed_on", "scan", "recorded_by", "recorded_at"]
    list_select_related = ["issue__series", "signer", "recorded_by"]
