"""Admin of circulation. Writes go through circulation.services; what the admin hides is also
refused there (a hidden button is not a check)."""

import base64

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from briefs import rules
from zhiku import roles
from zhiku.admin_mixins import ReadOnlyAdminMixin, record_formset_changes

from . import selectors, services
from .exceptions import CirculationError, ImportRejected
from .models import (
    Copy,
    CopyMovement,
    DistributionGroup,
    DistributionList,
    DistributionSnapshot,
    GroupMember,
    Instruction,
    IssueDistribution,
    IssueList,
    IssueRecipient,
    LedgerRule,
    Recipient,
    SnapshotEntry,
)
from .resources import CSV, RECIPIENT_FIELDS, XLSX, RecipientResource


def _is_circulation(request) -> bool:
    return roles.user_has_role(request.user, roles.CIRCULATION)


def _export_response(data: bytes, file_format: str, filename: str) -> HttpResponse:
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % filename  # noqa: UP031
    return response


@admin.register(Recipient)
class RecipientAdmin(ImportExportModelAdmin):
    resource_classes = [RecipientResource]
    formats = [XLSX, CSV]
    # Row numbers and messages as the spreadsheet shows them (header = row 1).
    import_template_name = "admin/circulation/recipient/import.html"
    list_display = [
        "printed_name",
        "full_name",
        "kind",
        "category",
        "protocol_order",
        "channel",
        "default_copies",
        "is_active",
    ]
    list_filter = ["category", "kind", "channel", "is_active"]
    search_fields = ["printed_name", "full_name", "name", "short_name"]
    list_editable = []
    ordering = ["category", "protocol_order", "id"]
    fields = list(RECIPIENT_FIELDS)

    def has_import_permission(self, request):
        return _is_circulation(request) and super().has_import_permission(request)

    def has_export_permission(self, request):
        # Addresses and contacts of the city's leaders leave the building only through 发行.
        return _is_circulation(request) and super().has_export_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # All or nothing: a single bad row rolls the whole file back.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_dataset(self, dataset, form, request, **kwargs):
        services.require_circulation(request.user)
        return super().process_dataset(dataset, form, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            services.recipient_save(recipient=obj, user=request.user)
        except CirculationError as exc:
            raise PermissionDenied(exc.messages[0]) from exc


class GroupInline(admin.TabularInline):
    model = DistributionGroup
    extra = 0
    fields = ["section", "position", "label", "members_link"]
    readonly_fields = ["members_link"]
    show_change_link = True

    @admin.display(description=_("Members"))
    def members_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:circulation_distributiongroup_change", args=[obj.pk]),
            gettext("Edit members"),
        )


class CirculationWriteMixin:
    """Model admins whose writes only 发行 (or a superuser) may make."""

    def has_add_permission(self, request, *args):
        return _is_circulation(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return _is_circulation(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_circulation(request) and super().has_delete_permission(request, obj)


@admin.register(DistributionList)
class DistributionListAdmin(CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]
    inlines = [GroupInline]
    readonly_fields = ["line_preview"]
    fields = ["name", "description", "is_active", "line_preview"]

    @admin.display(description=_("Distribution line"))
    def line_preview(self, obj):
        if not obj.pk:
            return ""
        return selectors.list_line(obj)


class MemberInline(admin.TabularInline):
    model = GroupMember
    extra = 1
    autocomplete_fields = ["recipient"]
    fields = ["recipient", "position"]


@admin.register(DistributionGroup)
class DistributionGroupAdmin(CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["__str__", "distribution_list", "section", "position"]
    list_select_related = ["distribution_list"]
    list_filter = ["distribution_list"]
    inlines = [MemberInline]

    def has_module_permission(self, request):
        return False


class ReceiptsUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Signed dispatch sheet"),
        help_text=_("The dispatch sheet downloaded here, with the signature and date columns filled in (XLSX or CSV)."),
    )

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > services.MAX_RECEIPTS_UPLOAD:
            raise ValidationError(
                gettext("The file is too large: at most %(limit)s MB.")
                % {"limit": services.MAX_RECEIPTS_UPLOAD // (1024 * 1024)}
            )
        return sheet


class ReceiptsConfirmForm(forms.Form):
    """Carries the previewed file to the confirm step, signed so it cannot be swapped in between;
    the service validates it again anyway."""

    payload = forms.CharField(widget=forms.HiddenInput)

    MAX_AGE = 60 * 60

    @staticmethod
    def salt(request, dist) -> str:
        return "circulation.receipts.%s.%s" % (dist.pk, request.user.pk)  # noqa: UP031

    @classmethod
    def for_file(cls, request, dist, file_name: str, data: bytes):
        payload = signing.dumps(
            {"name": file_name, "data": base64.b64encode(data).decode("ascii")},
            salt=cls.salt(request, dist),
            compress=True,
        )
        return cls(initial={"payload": payload})

    def file(self, request, dist) -> tuple[str, bytes]:
        try:
            value = signing.loads(self.cleaned_data["payload"], salt=self.salt(request, dist), max_age=self.MAX_AGE)
        except signing.BadSignature as exc:
            raise ImportRejected(gettext("The preview has expired; upload the file again.")) from exc
        return value["name"], base64.b64decode(value["data"])


def _kept_forms(formset, key):
    """The inline's rows that stay: filled in and not marked for deletion."""
    return [f for f in formset.forms if key in getattr(f, "cleaned_data", {}) and f not in formset.deleted_forms]


class IssueListInline(admin.TabularInline):
    model = IssueList
    extra = 0
    fields = ["distribution_list", "position"]


class IssueRecipientInline(admin.TabularInline):
    model = IssueRecipient
    extra = 0
    autocomplete_fields = ["recipient"]
    fields = ["recipient", "included", "copies"]


@admin.register(IssueDistribution)
class IssueDistributionAdmin(CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["issue", "issue_status", "archive_copies", "reserve_copies", "updated_at"]
    list_select_related = ["issue", "issue__series"]
    list_filter = ["issue__series", "issue__status"]
    raw_id_fields = ["issue"]
    inlines = [IssueListInline, IssueRecipientInline]
    readonly_fields = ["reconciliation", "line_preview", "export_links"]
    fields = ["issue", "archive_copies", "reserve_copies", "reconciliation", "line_preview", "export_links"]
    actions = ["number_copies"]

    @admin.display(description=_("Status"))
    def issue_status(self, obj):
        return obj.issue.get_status_display()

    def has_change_permission(self, request, obj=None):
        if obj is not None and rules.is_frozen(obj.issue):
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("Reconciliation"))
    def reconciliation(self, obj):
        if not obj.pk:
            return ""
        dist = selectors.issue_distribution(obj.issue)
        rows = [
            (gettext("Allocated to recipients"), dist.allocated),
            (gettext("Archive copies"), dist.archive_copies),
            (gettext("Reserve copies"), dist.reserve_copies),
            (gettext("Needed"), dist.computed_print_run),
            (gettext("Print run"), dist.print_run),
        ]
        table = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        errors = selectors.release_errors(obj.issue)
        note = (
            format_html_join("", '<p class="errornote">{}</p>', ((e,) for e in errors))
            if errors
            else format_html("<p>{}</p>", gettext("The copies add up."))
        )
        frozen = format_html("<p>{}</p>", gettext("Frozen at sign-off.")) if dist.frozen else ""
        return format_html('<table class="reconciliation">{}</table>{}{}', table, note, frozen)

    @admin.display(description=_("Distribution line"))
    def line_preview(self, obj):
        if not obj.pk:
            return ""
        return selectors.issue_distribution(obj.issue).bao_line

    @admin.display(description=_("Export"))
    def export_links(self, obj):
        if not obj.pk:
            return ""
        links = [
            (reverse("admin:circulation_dispatch_sheet", args=[obj.pk, fmt]), label)
            for fmt, label in (("xlsx", gettext("Dispatch sheet (XLSX)")), ("csv", gettext("Dispatch sheet (CSV)")))
        ] + [
            (reverse("admin:circulation_distribution_export", args=[obj.pk, fmt]), label)
            for fmt, label in (("xlsx", gettext("Distribution (XLSX)")), ("csv", gettext("Distribution (CSV)")))
        ]
        exports = format_html_join(" | ", '<a class="export-link" href="{}">{}</a>', links)
        receipts = format_html(
            '<a class="receipts-link" href="{}">{}</a>',
            reverse("admin:circulation_receipts_import", args=[obj.pk]),
            gettext("Import the signed dispatch sheet (receipts)"),
        )
        return format_html("{}<br>{}", exports, receipts)

    def get_urls(self):
        return [
            path(
                "<int:pk>/dispatch-sheet/<str:file_format>/",
                self.admin_site.admin_view(self.dispatch_sheet_view),
                name="circulation_dispatch_sheet",
            ),
            path(
                "<int:pk>/distribution/<str:file_format>/",
                self.admin_site.admin_view(self.distribution_view),
                name="circulation_distribution_export",
            ),
            path(
                "<int:pk>/receipts/",
                self.admin_site.admin_view(self.receipts_import_view),
                name="circulation_receipts_import",
            ),
        ] + super().get_urls()

    def receipts_import_view(self, request, pk):
        """Upload a signed dispatch sheet, preview the receipts it records, confirm. The service
        checks the role again and records all receipts or none."""
        dist = get_object_or_404(IssueDistribution.objects.select_related("issue", "issue__series"), pk=pk)
        if not (_is_circulation(request) and self.has_view_permission(request, dist)):
            raise PermissionDenied
        issue = dist.issue
        upload_form = ReceiptsUploadForm()
        confirm_form = None
        plan = None
        errors: list[str] = []
        if request.method == "POST" and "confirm" in request.POST:
            form = ReceiptsConfirmForm(request.POST)
            try:
                if not form.is_valid():
                    raise ImportRejected(gettext("The preview has expired; upload the file again."))
                file_name, data = form.file(request, dist)
                count = services.dispatch_receipts_import(
                    issue=issue, data=data, file_name=file_name, user=request.user
                )
            except ImportRejected as exc:
                errors = exc.messages
            except CirculationError as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            else:
                self.message_user(
                    request,
                    gettext("%(issue)s: %(count)s receipts recorded.") % {"issue": issue, "count": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:circulation_issuedistribution_change", args=[dist.pk]))
        elif request.method == "POST":
            upload_form = ReceiptsUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                sheet = upload_form.cleaned_data["sheet"]
                data = sheet.read()
                try:
                    plan = services.dispatch_receipts_preview(
                        issue=issue, data=data, file_name=sheet.name, user=request.user
                    )
                except ImportRejected as exc:
                    errors = exc.messages
                except CirculationError as exc:
                    raise PermissionDenied(exc.messages[0]) from exc
                else:
                    if plan.receipts:
                        confirm_form = ReceiptsConfirmForm.for_file(request, dist, sheet.name, data)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import receipts: %(issue)s") % {"issue": issue},
            "opts": self.model._meta,
            "original": dist,
            "issue": issue,
            "upload_form": upload_form,
            "confirm_form": confirm_form,
            "plan": plan,
            "errors": errors,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/circulation/issuedistribution/receipts_import.html", context)

    def _export(self, request, pk, file_format, build, stem):
        if file_format not in ("xlsx", "csv"):
            raise PermissionDenied
        obj = get_object_or_404(IssueDistribution.objects.select_related("issue", "issue__series"), pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        number = obj.issue.total_number or "draft-%s" % obj.issue.pk  # noqa: UP031
        return _export_response(build(obj.issue, file_format), file_format, "%s-%s.%s" % (stem, number, file_format))  # noqa: UP031

    def dispatch_sheet_view(self, request, pk, file_format):
        return self._export(request, pk, file_format, selectors.dispatch_sheet_export, "dispatch")

    def distribution_view(self, request, pk, file_format):
        return self._export(request, pk, file_format, selectors.distribution_export, "distribution")

    def get_readonly_fields(self, request, obj=None):
        # The services key a distribution by its issue; moving it to another issue is not an edit.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["issue"] if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class DistributionForm(form_class):
            def clean(self):
                cleaned = super().clean()
                issue = obj.issue if obj is not None else cleaned.get("issue")
                if issue is not None:
                    try:
                        services.check_distribution_editable(issue=issue, user=user)
                    except CirculationError as exc:
                        raise ValidationError(exc.messages) from exc
                return cleaned

        return DistributionForm

    def save_model(self, request, obj, form, change):
        # Nothing is saved here: save_related hands the form and its inlines to the services in
        # one go, so the admin has the services' write path, checks and locking.
        pass

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        issue = obj.issue
        lists_formset = next((f for f in formsets if f.model is IssueList), None)
        changes_formset = next((f for f in formsets if f.model is IssueRecipient), None)
        try:
            if lists_formset is not None:
                chosen = sorted(
                    (f.cleaned_data["position"] or 0, index, f.cleaned_data["distribution_list"])
                    for index, f in enumerate(_kept_forms(lists_formset, "distribution_list"))
                )
                lists = [dlist for _position, _index, dlist in chosen]
            else:
                lists = [
                    chosen.distribution_list
                    for chosen in IssueList.objects.filter(distribution__issue=issue)
                    .select_related("distribution_list")
                    .order_by("position", "id")
                ]
            dist = services.issue_distribution_set(
                issue=issue,
                lists=lists,
                archive_copies=form.cleaned_data.get("archive_copies") or 0,
                reserve_copies=form.cleaned_data.get("reserve_copies") or 0,
                user=request.user,
            )
            obj.pk = dist.pk
            obj.updated_at = dist.updated_at
            if changes_formset is not None:
                self._save_changes(request, issue, changes_formset)
        except CirculationError as exc:
            # The form checked the same rules; this is a race (signed meanwhile): roll back.
            raise PermissionDenied(exc.messages[0]) from exc
        for formset in formsets:
            record_formset_changes(formset)

    def _save_changes(self, request, issue, formset):
        """Additions and removals row by row: clears first (a row may have moved to another
        recipient), then sets. Rows another user added meanwhile are left alone."""
        sets = []
        for form in formset.initial_forms + formset.extra_forms:
            instance = form.instance
            deleted = form in formset.deleted_forms
            if not deleted and (not form.has_changed() or "recipient" not in form.cleaned_data):
                continue
            # The form has already put its values on the instance; the stored row says whom it was for.
            stored = IssueRecipient.objects.select_related("recipient").get(pk=instance.pk) if instance.pk else None
            if deleted:
                if stored is not None:
                    services.issue_recipient_clear(issue=issue, recipient=stored.recipient, user=request.user)
                continue
            if stored is not None and stored.recipient_id != form.cleaned_data["recipient"].pk:
                services.issue_recipient_clear(issue=issue, recipient=stored.recipient, user=request.user)
            sets.append(form.cleaned_data)
        for data in sets:
            services.issue_recipient_set(
                issue=issue,
                recipient=data["recipient"],
                included=data.get("included", True),
                copies=data.get("copies"),
                user=request.user,
            )

    @admin.action(description=_("Number the copies (001…N)"))
    def number_copies(self, request, queryset):
        for dist in queryset.select_related("issue"):
            try:
                copies = services.copies_number(issue=dist.issue, user=request.user)
            except CirculationError as exc:
                self.message_user(request, exc.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(issue)s: %(count)s copies numbered.") % {"issue": dist.issue, "count": len(copies)},
                )


class SnapshotEntryInline(admin.TabularInline):
    model = SnapshotEntry
    extra = 0
    can_delete = False
    fields = ["position", "printed_name", "category", "section", "group", "copies", "channel"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DistributionSnapshot)
class DistributionSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone: snapshots are written by the workflow at 签发."""

    list_display = ["issue", "print_run", "allocated_copies", "created_at", "voided_at"]
    list_select_related = ["issue", "issue__series"]
    list_filter = ["issue__series"]
    inlines = [SnapshotEntryInline]
    readonly_fields = [
        "issue",
        "bao_line",
        "print_run",
        "allocated_copies",
        "archive_copies",
        "reserve_copies",
        "created_at",
        "created_by",
        "voided_at",
    ]
    fields = readonly_fields


@admin.register(LedgerRule)
class LedgerRuleAdmin(CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["series", "classification"]
    list_select_related = ["series"]


class SignedForFilter(admin.SimpleListFilter):
    title = _("Receipt")
    parameter_name = "receipt"

    def lookups(self, request, model_admin):
        return [("open", _("Dispatched, not yet signed for"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(pk__in=selectors.copies_not_signed_for().values("pk"))
        return queryset


class MovementInline(admin.TabularInline):
    model = CopyMovement
    extra = 0
    can_delete = False
    fields = ["kind", "signer", "date", "note", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Copy)
class CopyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["copy_number", "issue", "printed_name"]
    list_select_related = ["issue", "issue__series"]
    list_filter = [SignedForFilter, "issue__series"]
    search_fields = ["printed_name"]
    readonly_fields = ["issue", "serial", "recipient", "printed_name", "created_at"]
    fields = readonly_fields
    inlines = [MovementInline]

    @admin.display(description=_("Copy number"), ordering="serial")
    def copy_number(self, obj):
        return obj.label


class MovementForm(forms.ModelForm):
    class Meta:
        model = CopyMovement
        fields = ["copy", "kind", "signer", "date", "note"]

    def clean(self):
        cleaned = super().clean()
        copy = cleaned.get("copy")
        if copy is not None and selectors.copy_destroyed(copy):
            raise ValidationError(
                gettext("Copy %(copy)s was destroyed; nothing more can be recorded for it.") % {"copy": copy.label}
            )
        return cleaned


@admin.register(CopyMovement)
class CopyMovementAdmin(admin.ModelAdmin):
    """Movements are added, never changed or deleted."""

    form = MovementForm

    list_display = ["copy", "copy_issue", "kind", "signer", "date", "created_by", "created_at"]
    list_select_related = ["copy", "copy__issue", "copy__issue__series", "created_by"]
    list_filter = ["kind", "date"]
    raw_id_fields = ["copy"]
    fields = ["copy", "kind", "signer", "date", "note"]

    @admin.display(description=_("Issue"))
    def copy_issue(self, obj):
        return obj.copy.issue

    def has_add_permission(self, request):
        return _is_circulation(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        try:
            saved = services.copy_movement_add(
                copy=obj.copy, kind=obj.kind, date=obj.date, signer=obj.signer, note=obj.note, user=request.user
            )
        except CirculationError as exc:
            raise ValidationError(exc.messages[0]) from exc
        obj.pk = saved.pk


@admin.register(Instruction)
class InstructionAdmin(CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["__str__", "issue", "article", "date", "level", "kind"]
    list_select_related = ["leader", "issue", "issue__series", "article"]
    list_filter = ["date", "level", "kind", "issue__series"]
    search_fields = ["leader_name", "leader__printed_name", "text"]
    raw_id_fields = ["issue", "article"]
    autocomplete_fields = ["leader"]
    fields = [
        "leader",
        "leader_name",
        "level",
        "issue",
        "article",
        "date",
        "kind",
        "text",
        "scan",
        "follow_up_department",
        "feedback_sent_on",
        "feedback_note",
    ]

    def save_model(self, request, obj, form, change):
        services.instruction_save(instruction=obj, user=request.user)
