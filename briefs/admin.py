import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhiku.admin_mixins import ActiveChoicesAdminMixin, ReadOnlyAdminMixin, record_formset_changes
from zhiku.admin_paging import CappedCountAdminMixin

from . import extensions, issue_page, rules, selectors, services, workflow
from .desk.admin_display import RenderedBodyMixin
from .exceptions import BriefsError, StaleEdit
from .extensions import article_search_ids
from .models import Article, Editor, Issue, IssueEvent, Notification, PaperSignOff, ReviewStage, Series, copy_state
from .views import int_or_none
from .workflow.chains import is_final


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened; ``briefs.services`` compares it when saving.

    On django-simple-history's revert page the form's instance is an old record: the version
    that counts there is the live row's, which is what a restore would overwrite.
    """

    seen_version = forms.IntegerField(label=_("Version opened"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            version = self.instance.version
            if getattr(self.instance, "_history", None) is not None:
                version = (
                    type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
                )
            self.fields["seen_version"].initial = version


class ServiceWriteAdmin(SimpleHistoryAdmin):
    """An admin whose writes go through ``briefs.services``: save_model, the inlines, delete and
    bulk delete, and the history revert. A refusal of a service (locked, stale, not allowed)
    rolls the whole page back and comes back as a Chinese message, never as an error page."""

    # Which name the history link of a stale-edit message points at.
    what_changed_url_name = ""
    # The fields the admin's form hands to the services.
    content_fields: tuple = ()

    def _refusal_html(self, exc: BriefsError, object_id) -> str:
        if isinstance(exc, StaleEdit) and object_id:
            url = reverse(self.what_changed_url_name, args=[object_id])
            return format_html('{} <a href="{}">{}</a>', exc.message, url, gettext("See what changed"))
        return exc.message

    def _refused(self, request, exc: BriefsError, object_id, back: str):
        self.message_user(request, self._refusal_html(exc, object_id), messages.ERROR)
        return HttpResponseRedirect(back)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BriefsError as exc:
            return self._refused(request, exc, object_id, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except BriefsError as exc:
            return self._refused(request, exc, None, request.get_full_path())

    def save_model(self, request, obj, form, change):
        fields = _content(form, self.content_fields)
        if change:
            saved = self.update(obj, form.cleaned_data.get("seen_version"), request.user, fields)
        else:
            saved = self.create(form, request.user, fields)
        copy_state(obj, saved)

    def create(self, form, user, fields):
        """Create the object through its service; return the saved object."""
        raise NotImplementedError

    def update(self, obj, seen_version, user, fields):
        """Update the object through its service (stale check included); return it."""
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_service([obj], request.user)

    def delete_queryset(self, request, queryset):
        # Reached only when every row passed has_delete_permission; the service checks again
        # under a row lock, all or nothing (a row signed meanwhile refuses the batch).
        try:
            self.delete_service(list(queryset), request.user)
        except BriefsError as exc:
            raise PermissionDenied(exc.message) from exc

    def delete_service(self, objs, user):
        raise NotImplementedError

    # --- history: a restore is a content save of a draft, through the same service -----------

    def revert_disabled(self, request, obj=None):
        live = self.model.objects.filter(pk=obj.pk).first() if obj is not None else None
        return live is None or not self.has_change_permission(request, live) or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        live = self.get_object(request, unquote(object_id))
        history_id = int_or_none(version_id)
        if live is None or history_id is None or not live.history.filter(history_id=history_id).exists():
            raise Http404
        history_url = reverse(f"admin:briefs_{self.model._meta.model_name}_history", args=[live.pk])
        if not self.has_change_permission(request, live):
            return self._refused(request, BriefsError(self.revert_refused_message(live)), None, history_url)
        form = self.get_form(request, live, change=True)(request.POST, request.FILES, instance=live)
        if not form.is_valid():
            errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
            return self._refused(request, BriefsError("；".join(errors)), None, request.get_full_path())
        try:
            with transaction.atomic():
                self.save_model(request, form.instance, form, change=True)
        except BriefsError as exc:
            return self._refused(request, exc, live.pk, request.get_full_path())
        self.log_change(request, form.instance, self.construct_change_message(request, form, []))
        self.message_user(request, gettext("The earlier version was restored."), messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:briefs_{self.model._meta.model_name}_change", args=[live.pk]))

    def revert_refused_message(self, live) -> str:
        raise NotImplementedError


def _content(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


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
class EditorAdmin(ActiveChoicesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "fax", "user", "is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "phone", "user__username"]
    list_filter = ["is_active"]
    autocomplete_fields = ["user"]


class ArticleInline(RenderedBodyMixin, admin.StackedInline):
    model = Article
    form = VersionedForm
    extra = 0
    fields = ["position", "title", "byline", "body", "seen_version", "diff_link"]
    readonly_fields = ["diff_link"]
    ordering = ["position", "id"]

    @admin.display(description=_("Versions"))
    def diff_link(self, obj):
        return _diff_link(obj)

    # Outside 草稿 the articles are read-only here; the services and the model refuse every path.
    def has_add_permission(self, request, obj=None):
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        return _without_seen_version(super().get_fields(request, obj), self.has_change_permission(request, obj))


def _editable(issue) -> bool:
    return issue is None or rules.content_editable(issue)


def _without_seen_version(fields, may_change: bool) -> list:
    return list(fields) if may_change else [f for f in fields if f != "seen_version"]


class ExtensibleAdmin:
    """Reads ``briefs.extensions.admin_extensions(page)`` on every request: inlines, filters,
    read-only fields and fieldsets of the apps above briefs, and their formset saves."""

    extension_page = ""

    def _extensions(self):
        return extensions.admin_extensions(self.extension_page)

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *(i for e in self._extensions() for i in e.inlines)]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), *(f for e in self._extensions() for f in e.list_filters)]

    def get_readonly_fields(self, request, obj=None):
        extra = [f for e in self._extensions() for f in e.readonly_fields]
        return [*super().get_readonly_fields(request, obj), *extra]

    def get_fieldsets(self, request, obj=None):
        extra = [fs for e in self._extensions() if e.fieldsets for fs in e.fieldsets(request, obj, self)]
        return [*super().get_fieldsets(request, obj), *extra]

    def save_formset(self, request, form, formset, change):
        for extension in self._extensions():
            if extension.owns(formset):
                extension.save_formset(request, form.instance, formset)
                record_formset_changes(formset)
                return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for extension in self._extensions():
            if extension.save_related:
                extension.save_related(request, form.instance)


@admin.register(Issue)
class IssueAdmin(ExtensibleAdmin, ServiceWriteAdmin):
    form = VersionedForm
    extension_page = "issue"
    what_changed_url_name = "admin:briefs_issue_history"
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
    # The issue date as a filter with fixed choices (今天, 本月, 今年…), not a date hierarchy: that
    # reads the distinct years of every issue on each page (37 ms of 10,000 issues on SQLite); the
    # year filter below reads them from the numbering columns' index.
    list_filter = ["status", "current_stage__name", "series", "year", "issue_date", "classification"]
    search_fields = ["articles__title", "=total_number", "responsible_editor__name"]
    autocomplete_fields = ["responsible_editor"]
    inlines = [ArticleInline]
    # Numbers are given at 签发 by the workflow; the page shows them and never writes them.
    readonly_fields = ["year", "number", "total_number"]
    fieldsets = [
        (None, {"fields": ["series", "subject", "responsible_editor", "classification", "print_run", "seen_version"]}),
        (_("Numbers and date"), {"fields": ["year", "number", "total_number", "issue_date"]}),
    ]

    # --- locking: outside 草稿 the page is read-only for everyone -------------------------------

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        deletable = obj is None or rules.is_deletable(obj)
        return deletable and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        may_change = self.has_change_permission(request, obj)
        return [
            (name, {**opts, "fields": _without_seen_version(opts["fields"], may_change)})
            for name, opts in super().get_fieldsets(request, obj)
        ]

    # --- writes: through briefs.services --------------------------------------------------------

    content_fields = services.ISSUE_UPDATE_FIELDS

    def create(self, form, user, fields):
        return services.issue_create(user=user, **fields)

    def update(self, obj, seen_version, user, fields):
        return services.issue_update(issue=obj, seen_version=seen_version, user=user, **fields)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Article:
            return super().save_formset(request, form, formset, change)
        issue, user = form.instance, request.user
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        for article_form in formset.forms:
            if article_form in formset.deleted_forms or not article_form.has_changed():
                continue
            fields = _content(article_form, services.ARTICLE_UPDATE_FIELDS)
            if article_form.instance.pk:
                seen = article_form.cleaned_data.get("seen_version")
                services.article_update(article=article_form.instance, seen_version=seen, user=user, **fields)
            else:
                copy_state(article_form.instance, services.article_create(issue=issue, user=user, **fields))
        if deleted:
            services.articles_delete(articles=deleted, user=user)
        record_formset_changes(formset)

    def delete_service(self, objs, user):
        services.issues_delete(issues=objs, user=user)

    def revert_refused_message(self, live) -> str:
        return gettext("Only a draft can be restored to an earlier version; this issue is %(status)s.") % {
            "status": live.get_status_display()
        }

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
        generation = issue_page.generation(request)  # read before the issue: see briefs.issue_page
        issue = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        key = parts = None
        if issue is not None:
            if generation is not None and not form_url and self.has_view_or_change_permission(request, issue):
                key = issue_page.page_key(request, issue, generation)
                kept = issue_page.kept(key)
                if kept is not None:
                    return self._kept_page(request, kept)
                parts = extra_context["issue_page_keep"] = issue_page.collector()
            extra_context["workflow"] = workflow_panel_context(issue, request.user)
            if request.method in ("GET", "HEAD"):
                # Showing the page: the form shows the issue just read (a save reads it again).
                request._briefs_issue_shown = (unquote(object_id), issue)
        response = super().change_view(request, object_id, form_url, extra_context)
        if parts is not None and getattr(response, "context_data", None) is not None and response.status_code == 200:
            context = response.context_data

            def keep(rendered):
                issue_page.keep(key, parts, str(context.get("title") or ""), str(context.get("subtitle") or ""))

            response.add_post_render_callback(keep)
        return response

    def _kept_page(self, request, kept: dict):
        """The page from its kept parts (briefs.issue_page); the frame is rendered as on any page."""
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": kept["title"],
            "subtitle": kept["subtitle"],
            "opts": self.opts,
            "is_popup": False,
            "issue_page_kept": kept,
        }
        return TemplateResponse(request, self.change_form_template or "admin/briefs/issue/change_form.html", context)

    def get_object(self, request, object_id, from_field=None):
        shown = getattr(request, "_briefs_issue_shown", None)
        if shown is not None and from_field is None and shown[0] == object_id:
            return shown[1]
        return super().get_object(request, object_id, from_field)

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


def workflow_panel_context(issue: Issue, user) -> dict:
    """What the issue page's workflow panel shows to ``user``: buttons, numbers, timeline."""
    from .workflow_paper import PaperSignOffForm

    actions = [(action, workflow.ACTION_LABELS[action]) for action in workflow.allowed_actions(issue, user)]
    paper_form = None
    if (
        rules.is_in_review(issue)
        and user.has_perm("briefs.record_paper_sign_off")
        and issue.current_stage_id
        and is_final(issue.current_stage)
    ):
        paper_form = PaperSignOffForm(issue, prefix="wf_paper")
    return {
        "issue": issue,
        "actions": actions,
        "comment_required": sorted(workflow.COMMENT_REQUIRED),
        # The actions that move the issue forward get the primary button style.
        "forward_actions": {workflow.Action.SUBMIT, workflow.Action.APPROVE, workflow.Action.SIGN_OFF},
        "stages": list(issue.series.review_stages.select_related("group", "user").order_by("position")),
        "preview": None if rules.is_frozen(issue) else workflow.issue_number_preview(issue),
        "timeline": selectors.issue_timeline(issue),
        "transition_url": reverse("admin:briefs_issue_transition", args=[issue.pk]),
        "paper_url": reverse("admin:briefs_issue_paper_sign_off", args=[issue.pk]),
        "paper_form": paper_form,
        "editable": rules.content_editable(issue),
    }


@admin.register(Article)
class ArticleAdmin(CappedCountAdminMixin, RenderedBodyMixin, ExtensibleAdmin, ServiceWriteAdmin):
    form = VersionedForm
    extension_page = "article"
    what_changed_url_name = "admin:briefs_article_diff"
    list_display = ["title", "issue", "position", "byline", "updated_at"]
    list_select_related = ["issue", "issue__series"]
    search_fields = ["title", "byline"]
    list_filter = ["issue__series", "issue__status"]
    # Newest issue first, served by the article_issue_desc_position index; the count stops at
    # 10,000 (CappedCountAdminMixin) instead of reading every article.
    ordering = ["-issue_id", "position", "id"]
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
        return _editable(obj and obj.issue) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj and obj.issue) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        return _without_seen_version(super().get_fields(request, obj), self.has_change_permission(request, obj))

    def get_readonly_fields(self, request, obj=None):
        # An article stays in the issue it was written for.
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else ["issue", *readonly]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New articles go only into drafts.
        if db_field.name == "issue":
            kwargs["queryset"] = Issue.objects.filter(rules.editable_q())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    content_fields = services.ARTICLE_UPDATE_FIELDS

    def create(self, form, user, fields):
        return services.article_create(issue=form.cleaned_data["issue"], user=user, **fields)

    def update(self, obj, seen_version, user, fields):
        return services.article_update(article=obj, seen_version=seen_version, user=user, **fields)

    def delete_service(self, objs, user):
        services.articles_delete(articles=objs, user=user)

    def revert_refused_message(self, live) -> str:
        return gettext("Only an article of a draft can be restored to an earlier version; its issue is %(status)s.") % {
            "status": live.issue.get_status_display()
        }

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
        '<a href="{}">{}</a>',
        reverse("admin:briefs_article_diff", args=[article.pk]),
        gettext("Compare with previous version"),
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
class IssueEventAdmin(CappedCountAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "issue", "action", "stage_name", "actor", "comment"]
    list_select_related = ["issue__series", "actor"]
    # By date through fixed choices (today, past 7 days, this month, this year): a date hierarchy
    # would read the distinct dates of every event on each page.
    list_filter = ["action", "to_status", ("created_at", admin.DateFieldListFilter)]
    ordering = ["-id"]  # newest first, by the primary key: no join to the issue table, no sort


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipient", "email", "issue", "subject"]
    list_select_related = ["recipient", "issue__series"]
    date_hierarchy = "sent_at"


@admin.register(PaperSignOff)
class PaperSignOffAdmin(ReadOnlyAdmin):
    list_display = ["issue", "signer", "signed_on", "scan", "recorded_by", "recorded_at"]
    list_select_related = ["issue__series", "signer", "recorded_by"]
