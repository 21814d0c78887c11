"""Admin of circulation. Writes go through circulation.services; what the admin hides is also
refused there (a hidden button is not a check)."""

import base64

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from briefs import rules
from jobs.models import Job
from zhiku import roles
from zhiku.admin_mixins import CheckedFormAdminMixin, ReadOnlyAdminMixin, record_formset_changes
from zhiku.admin_paging import CappedCountAdminMixin

from . import jobs as circulation_jobs
from . import selectors, services, sheets, tables
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
    Supplement,
)
from .resources import CONTACT_FIELDS, RECIPIENT_FIELDS, recipient_headers


def _is_circulation_user(user) -> bool:
    return roles.user_has_role(user, roles.CIRCULATION)


def _is_circulation(request) -> bool:
    return _is_circulation_user(request.user)


def _export_response(data: bytes, file_format: str, filename: str) -> HttpResponse:
    """A download under its Chinese name (RFC 5987 ``filename*``, with an ASCII fallback)."""
    response = HttpResponse(data, content_type=sheets.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _streamed_response(chunks, file_format: str, filename: str) -> StreamingHttpResponse:
    """A CSV download sent chunk by chunk, so a long export is never one string in memory."""
    response = StreamingHttpResponse(chunks, content_type=sheets.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _sheet_response(sheet, file_format: str, filename: str):
    """A sheet as a download; CSV is streamed (XLSX and PDF are built whole by their libraries)."""
    if file_format not in sheets.CSV_FORMATS:
        return _export_response(sheets.render(sheet, file_format), file_format, filename)
    return _streamed_response(sheets.csv_chunks(sheet, sheets.CSV_FORMATS[file_format]), file_format, filename)


EXPORT_FORMATS = (
    ("xlsx", _("Excel (XLSX, ready to print)")),
    ("pdf", _("PDF (to print from the browser)")),
    ("csv", _("CSV (UTF-8)")),
    ("csv-gbk", _("CSV (GBK, for older Excel)")),
)


class RecipientUploadForm(forms.Form):
    import_file = forms.FileField(
        label=_("Recipients file"),
        help_text=_("XLSX, or CSV in UTF-8 or GBK, with the columns of the recipients export."),
    )


class ToolPageMixin:
    """Circulation's own admin pages (imports, receipts; admin/circulation/tool_page.html): the
    admin's context, the page title and the model's opts, plus the page's own values."""

    def _page(self, request, template, title, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **context},
        )

    def _distribution_page(self, request, template, title, dist, **context):
        """A page of one issue's distribution: its object crumb, the issue named in the title."""
        issue = dist.issue
        return self._page(
            request,
            "admin/circulation/issuedistribution/" + template,
            title % {"issue": issue},
            original=dist,
            issue=issue,
            **context,
        )


@admin.register(Recipient)
class RecipientAdmin(ToolPageMixin, admin.ModelAdmin):
    change_list_template = "admin/circulation/recipient/change_list.html"
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
    ordering = ["category", "protocol_order", "id"]
    fields = list(RECIPIENT_FIELDS)

    def get_fields(self, request, obj=None):
        # Addresses and phone numbers are personal data: not even rendered for other roles.
        if selectors.may_see_contacts(request.user):
            return list(RECIPIENT_FIELDS)
        return [f for f in RECIPIENT_FIELDS if f not in CONTACT_FIELDS]

    def has_import_permission(self, request):
        return _is_circulation(request) and self.has_add_permission(request)

    def has_export_permission(self, request):
        # Addresses and contacts of the city's leaders leave the building only through 发行.
        return _is_circulation(request) and self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            "has_export_permission": self.has_export_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            services.recipient_save(recipient=obj, user=request.user)
        except CirculationError as exc:
            raise PermissionDenied(exc.messages[0]) from exc

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="circulation_recipient_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="circulation_recipient_export"),
        ] + super().get_urls()

    def import_view(self, request):
        """Upload → preview (a summary, every error, the first rows) → confirm, on our own Chinese
        pages (not django-import-export's stock admin, which shows English). The file is read
        once; the preview dry-runs ``RecipientResource`` on it, the confirm imports the dataset
        kept under the preview's token."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form, preview, errors = RecipientUploadForm(), None, []
        if request.method == "POST" and "confirm" in request.POST:
            try:
                summary = circulation_jobs.recipients_import_start(
                    token=request.POST.get("token", ""), user=request.user
                )
            except ImportRejected as exc:
                errors = exc.messages
            else:
                if isinstance(summary, Job):  # a large file: imported by a job, followed on its page
                    return HttpResponseRedirect(summary.get_absolute_url())
                self.message_user(
                    request,
                    gettext("Import done: %(created)s recipients added, %(updated)s updated.")
                    % {"created": summary.created, "updated": summary.updated},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:circulation_recipient_changelist"))
        elif request.method == "POST":
            form = RecipientUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                try:
                    # Refused before a byte is parsed: the size Django already knows.
                    tables.check_size(upload.size)
                    preview = services.recipients_import_preview(
                        data=upload.read(), file_name=upload.name, user=request.user
                    )
                except ImportRejected as exc:
                    errors = exc.messages
        headers = recipient_headers()
        return self._page(
            request,
            "admin/circulation/recipient/import.html",
            gettext("Import recipients"),
            upload_form=form,
            preview=preview,
            preview_rows=preview.first_rows if preview else [],
            errors=errors,
            headers=list(headers.values()),
            limits={"megabytes": round(tables.max_bytes() / (1024 * 1024), 1), "rows": tables.max_rows()},
        )

    def export_view(self, request):
        """The recipients the changelist shows (its filters and search), in the chosen format."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        params = request.GET.copy()
        file_format = params.pop("format", [None])[0]
        if file_format is None:
            query = params.urlencode()
            links = [((query + "&" if query else "") + "format=" + code, label) for code, label in EXPORT_FORMATS]
            return self._page(
                request, "admin/circulation/recipient/export.html", gettext("Export recipients"), links=links
            )
        if file_format not in sheets.CONTENT_TYPES:
            raise PermissionDenied
        request.GET = params
        queryset = self.get_changelist_instance(request).get_queryset(request)
        name = "%s-%s.%s" % (gettext("Recipients"), timezone.localdate().isoformat(), sheets.EXTENSIONS[file_format])  # noqa: UP031
        if file_format in selectors.RECIPIENT_CSV_ENCODINGS:
            chunks = selectors.recipients_csv_chunks(queryset, file_format, with_contacts=True)
            return _streamed_response(chunks, file_format, name)
        return _export_response(
            selectors.recipients_export(queryset, file_format, with_contacts=True), file_format, name
        )


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


class AppendOnlyAdminMixin(ReadOnlyAdminMixin):
    """Admins of append-only rows (增发, copy movements): 发行 adds them; nobody changes or deletes one
    (ReadOnlyAdminMixin; the models refuse it too)."""

    def has_add_permission(self, request, obj=None):
        # The ModelAdmin's own check (the add permission), past ReadOnlyAdminMixin's refusal.
        return _is_circulation(request) and super(ReadOnlyAdminMixin, self).has_add_permission(request)


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "distribution_list":
            # A list no longer in use is not offered; one this issue already chose stays in its row.
            match = request.resolver_match
            object_id = unquote(match.kwargs.get("object_id", "")) if match else ""
            chosen = IssueList.objects.filter(distribution_id=object_id if object_id.isdigit() else None)
            chosen = chosen.values("distribution_list")
            kwargs["queryset"] = DistributionList.objects.filter(Q(is_active=True) | Q(pk__in=chosen))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IssueRecipientInline(admin.TabularInline):
    model = IssueRecipient
    extra = 0
    autocomplete_fields = ["recipient"]
    fields = ["recipient", "included", "copies"]


@admin.register(IssueDistribution)
class IssueDistributionAdmin(CheckedFormAdminMixin, ToolPageMixin, CirculationWriteMixin, admin.ModelAdmin):
    list_display = ["issue", "issue_status", "archive_copies", "reserve_copies", "updated_at"]
    list_select_related = ["issue", "issue__series"]
    list_filter = ["issue__series", "issue__status"]
    raw_id_fields = ["issue"]
    inlines = [IssueListInline, IssueRecipientInline]
    readonly_fields = ["reconciliation", "line_preview", "export_links"]
    fields = [
        "issue",
        "archive_copies",
        "reserve_copies",
        "print_run_override",
        "print_run_override_reason",
        "reconciliation",
        "line_preview",
        "export_links",
    ]
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
        ]
        if dist.print_run_override and not dist.frozen:
            rows.append(
                (
                    gettext("Print run (set by hand)"),
                    gettext("%(run)s — reason: %(reason)s (%(who)s, %(when)s)")
                    % {
                        "run": dist.print_run,
                        "reason": obj.print_run_override_reason,
                        "who": obj.print_run_override_by or "—",
                        "when": timezone.localtime(obj.print_run_override_at).strftime("%Y-%m-%d %H:%M")
                        if obj.print_run_override_at
                        else "—",
                    },
                )
            )
        else:
            rows.append((gettext("Print run (computed)") if not dist.frozen else gettext("Print run"), dist.print_run))
        supplements = selectors.supplement_total(obj.issue)
        if supplements:
            rows.append((gettext("Additional copies after sign-off (增发, not in the printed footer)"), supplements))
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
        formats = [(code, label) for code, label in EXPORT_FORMATS]
        lines = [
            (gettext("Dispatch sheet"), "admin:circulation_dispatch_sheet", formats),
            (gettext("Distribution sheet"), "admin:circulation_distribution_export", formats),
        ]
        html = format_html_join(
            "",
            "<p>{}：{}</p>",
            (
                (
                    title,
                    format_html_join(
                        " | ",
                        '<a class="export-link" href="{}">{}</a>',
                        ((reverse(name, args=[obj.pk, code]), label) for code, label in fmts),
                    ),
                )
                for title, name, fmts in lines
            ),
        )
        tools = [
            (
                "receipts-status-link",
                reverse("admin:circulation_receipt_status", args=[obj.pk]),
                gettext("Receipts and copy ledger"),
            ),
            (
                "receipts-link",
                reverse("admin:circulation_receipts_import", args=[obj.pk]),
                gettext("Import the signed dispatch sheet (receipts)"),
            ),
        ]
        if rules.is_frozen(obj.issue):
            tools.append(
                (
                    "supplement-link",
                    reverse("admin:circulation_supplement_add") + "?issue=%s" % obj.issue_id,  # noqa: UP031
                    gettext("Record additional copies (增发)"),
                )
            )
        return format_html("{}<p>{}</p>", html, format_html_join(" | ", '<a class="{}" href="{}">{}</a>', tools))

    def get_urls(self):
        pages = [
            ("<int:pk>/dispatch-sheet/<str:file_format>/", self.dispatch_sheet_view, "circulation_dispatch_sheet"),
            ("<int:pk>/distribution/<str:file_format>/", self.distribution_view, "circulation_distribution_export"),
            ("<int:pk>/receipts/", self.receipts_import_view, "circulation_receipts_import"),
            ("<int:pk>/receipt-status/", self.receipt_status_view, "circulation_receipt_status"),
        ]
        own = [path(route, self.admin_site.admin_view(view), name=name) for route, view, name in pages]
        return own + super().get_urls()

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
        return self._distribution_page(
            request,
            "receipts_import.html",
            gettext("Import receipts: %(issue)s"),
            dist,
            upload_form=upload_form,
            confirm_form=confirm_form,
            plan=plan,
            errors=errors,
        )

    def _export(self, request, pk, file_format, build, what, kind):
        if file_format not in sheets.CONTENT_TYPES:
            raise PermissionDenied
        obj = get_object_or_404(IssueDistribution.objects.select_related("issue", "issue__series"), pk=pk)
        if not (self.has_view_permission(request, obj) and selectors.may_see_contacts(request.user)):
            raise PermissionDenied
        name = selectors.sheet_file_name(obj.issue, what, file_format)
        sheet = build(obj.issue)
        if circulation_jobs.export_in_background(sheet, file_format):
            job = circulation_jobs.distribution_export_start(
                distribution=obj, what=kind, file_format=file_format, user=request.user
            )
            return HttpResponseRedirect(job.get_absolute_url())
        return _sheet_response(sheet, file_format, name)

    def dispatch_sheet_view(self, request, pk, file_format):
        return self._export(request, pk, file_format, selectors.dispatch_sheet, gettext("Dispatch sheet"), "dispatch")

    def distribution_view(self, request, pk, file_format):
        return self._export(
            request,
            pk,
            file_format,
            lambda issue: selectors.distribution_sheet(issue, with_contacts=True),
            gettext("Distribution sheet"),
            "distribution",
        )

    def receipt_status_view(self, request, pk):
        """签收情况: who has signed, who has not, the copies outstanding; exportable; and the form
        that records dispatch, receipt, return or destruction for a range or a recipient."""
        from .forms import LedgerForm

        dist = get_object_or_404(IssueDistribution.objects.select_related("issue", "issue__series"), pk=pk)
        if not self.has_view_permission(request, dist):
            raise PermissionDenied
        issue = dist.issue
        file_format = request.GET.get("format")
        if file_format:
            if file_format not in sheets.CONTENT_TYPES:
                raise PermissionDenied
            return _sheet_response(
                selectors.receipt_status_sheet(issue),
                file_format,
                selectors.sheet_file_name(issue, gettext("Receipts"), file_format),
            )
        may_record = _is_circulation(request)
        form = LedgerForm(
            issue=issue, initial={"date": timezone.localdate(), "serials": request.GET.get("serials", "")}
        )
        ledger_errors: list[str] = []
        if request.method == "POST":
            if not may_record:
                raise PermissionDenied
            form = LedgerForm(request.POST, issue=issue)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    moved = services.copies_move(
                        issue=issue,
                        kind=data["kind"],
                        date=data["date"],
                        serials=data["serials"],
                        recipient_id=data["recipient"] or None,
                        signer=data["signer"],
                        note=data["note"],
                        user=request.user,
                    )
                except CirculationError as exc:
                    ledger_errors = exc.messages
                else:
                    self.message_user(
                        request,
                        gettext("%(count)s copies recorded as “%(kind)s”: %(numbers)s.")
                        % {
                            "count": len(moved),
                            "kind": CopyMovement.Kind(data["kind"]).label,
                            "numbers": selectors.serial_ranges([m.copy.serial for m in moved]),
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(request.path)
        lines = selectors.receipt_status(issue)
        return self._distribution_page(
            request,
            "receipt_status.html",
            gettext("Receipts: %(issue)s"),
            dist,
            lines=lines,
            signed=[ln for ln in lines if ln.complete],
            unsigned=[ln for ln in lines if not ln.complete],
            outstanding=sum(ln.outstanding_count for ln in lines),
            formats=EXPORT_FORMATS,
            form=form if may_record else None,
            ledger_errors=ledger_errors,
        )

    def get_readonly_fields(self, request, obj=None):
        # The services key a distribution by its issue; moving it to another issue is not an edit.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["issue"] if obj is not None else fields

    def check_form(self, form, cleaned_data, *, user, obj):
        issue = obj.issue if obj is not None else cleaned_data.get("issue")
        if issue is not None:
            try:
                services.check_distribution_editable(issue=issue, user=user)
            except CirculationError as exc:
                raise ValidationError(exc.messages) from exc
        if cleaned_data.get("print_run_override") and not (cleaned_data.get("print_run_override_reason") or "").strip():
            form.add_error("print_run_override_reason", gettext("Give the reason for setting the print run by hand."))

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
            override = form.cleaned_data.get("print_run_override")
            reason = form.cleaned_data.get("print_run_override_reason") or ""
            if (override, reason) != (dist.print_run_override, dist.print_run_override_reason):
                dist = services.issue_print_run_override_set(
                    issue=issue, print_run=override, reason=reason, user=request.user
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


class SnapshotEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SnapshotEntry
    extra = 0
    can_delete = False
    fields = ["position", "printed_name", "category", "section", "group", "copies", "channel"]
    readonly_fields = fields


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
            return queryset.filter(state=CopyMovement.Kind.DISPATCHED)  # as selectors.copies_not_signed_for
        return queryset


class MovementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CopyMovement
    extra = 0
    can_delete = False
    fields = ["kind", "signer", "date", "note", "created_by", "created_at"]
    readonly_fields = fields


class IssueFilter(admin.SimpleListFilter):
    """By issue: the latest issues that have records (and the chosen one), named in one query.
    Not every issue in the ledger: that list grows with the archive and is read (and rendered)
    on every page; an older issue's records are reached from the issue's own pages."""

    title = _("Issue (latest)")
    parameter_name = "issue__id__exact"
    latest = 20

    def lookups(self, request, model_admin):
        from briefs.models import Issue

        # Newest issue first through the issue's primary key, each probed in the records' issue
        # index: the walk stops after ``latest`` hits instead of reading every record.
        with_records = Exists(model_admin.model.objects.filter(issue_id=OuterRef("pk")))
        issues = list(Issue.objects.filter(with_records).select_related("series").order_by("-id")[: self.latest])
        value = self.value()
        if value and value.isdigit() and all(str(issue.pk) != value for issue in issues):
            issues += Issue.objects.filter(pk=value).select_related("series")
        return [(str(issue.pk), str(issue)) for issue in issues]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(issue_id=value) if value and value.isdigit() else queryset


class RecipientFilter(admin.SimpleListFilter):
    """By recipient: those with copies in the ledger, each found by one probe of the copies'
    recipient index (Django's RelatedOnlyFieldListFilter reads every copy for the distinct ones)."""

    title = _("Recipient")
    parameter_name = "recipient__id__exact"

    def lookups(self, request, model_admin):
        with_copies = Exists(Copy.objects.filter(recipient_id=OuterRef("pk")))
        return [(str(r.pk), str(r)) for r in Recipient.objects.filter(with_copies)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(recipient_id=value) if value and value.isdigit() else queryset


class CopyStateFilter(admin.SimpleListFilter):
    title = _("Status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("none", _("Not dispatched")), *CopyMovement.Kind.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(state="")
        if value in CopyMovement.Kind.values:
            return queryset.filter(state=value)
        return queryset


@admin.register(Copy)
class CopyAdmin(CappedCountAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The copy ledger: each copy labelled by whom it is for (存档 / 备用 / 增发 too), its status,
    filters by issue, recipient and status; several copies are recorded at once on the issue's
    签收情况 page (the action below takes the chosen copies there)."""

    list_display = ["copy_number", "issue", "holder", "status"]
    list_select_related = ["issue", "issue__series"]
    # Newest issue first, copies in order: the copy_issue_desc_serial index (and, filtered to copies
    # not signed for, copy_not_signed_for) serves it without sorting the ledger.
    ordering = ["-issue_id", "serial"]
    list_filter = [
        IssueFilter,
        CopyStateFilter,
        SignedForFilter,
        "purpose",
        RecipientFilter,
    ]
    search_fields = ["printed_name"]
    readonly_fields = ["issue", "serial", "purpose", "recipient", "printed_name", "created_at"]
    fields = readonly_fields
    inlines = [MovementInline]
    actions = ["record_movement"]

    @admin.display(description=_("Copy number"), ordering="serial")
    def copy_number(self, obj):
        return obj.label

    @admin.display(description=_("For"))
    def holder(self, obj):
        return obj.holder

    @admin.display(description=_("Status"), ordering="state")
    def status(self, obj):
        return obj.get_state_display() or gettext("Not dispatched")

    @admin.action(description=_("Record a movement for the chosen copies"))
    def record_movement(self, request, queryset):
        issues = set(queryset.values_list("issue_id", flat=True))
        if len(issues) != 1:
            self.message_user(
                request,
                gettext("The chosen copies belong to more than one issue: record each issue on its own."),
                messages.ERROR,
            )
            return None
        dist = IssueDistribution.objects.filter(issue_id=issues.pop()).first()
        if dist is None:
            self.message_user(request, gettext("The issue has no distribution."), messages.ERROR)
            return None
        serials = selectors.serial_ranges(queryset.values_list("serial", flat=True))
        url = reverse("admin:circulation_receipt_status", args=[dist.pk])
        return HttpResponseRedirect("%s?%s" % (url, urlencode({"serials": serials})))  # noqa: UP031


@admin.register(Supplement)
class SupplementAdmin(CheckedFormAdminMixin, AppendOnlyAdminMixin, admin.ModelAdmin):
    """增发: added by 发行 after 签发, never changed; the signed footer stays as signed."""

    list_display = ["issue", "printed_name", "copies", "date", "note", "created_by"]
    list_select_related = ["issue", "issue__series", "created_by"]
    list_filter = [IssueFilter]
    raw_id_fields = ["issue"]
    autocomplete_fields = ["recipient"]
    fields = ["issue", "recipient", "copies", "date", "note"]

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), "copies": 1, **super().get_changeform_initial_data(request)}

    def check_form(self, form, cleaned_data, *, user, obj):
        issue = cleaned_data.get("issue")
        if issue is not None and selectors.current_snapshot(issue) is None:
            raise ValidationError(
                gettext("Additional copies are recorded after 签发; before it, add the recipient to the distribution.")
            )
        if not _is_circulation_user(user):
            raise ValidationError(gettext("Only circulation staff or an administrator may change circulation records."))

    def save_model(self, request, obj, form, change):
        try:
            saved = services.supplement_add(
                issue=obj.issue,
                recipient=obj.recipient,
                copies=obj.copies,
                date=obj.date,
                note=obj.note,
                user=request.user,
            )
        except CirculationError as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        obj.pk = saved.pk


class MovementForm(forms.ModelForm):
    class Meta:
        model = CopyMovement
        fields = ["copy", "kind", "signer", "date", "note"]

    def clean(self):
        cleaned = super().clean()
        copy, kind = cleaned.get("copy"), cleaned.get("kind")
        refusal = services.movement_refusal(copy, kind) if copy is not None and kind else None
        if refusal:
            raise ValidationError(refusal)
        return cleaned


@admin.register(CopyMovement)
class CopyMovementAdmin(CappedCountAdminMixin, AppendOnlyAdminMixin, admin.ModelAdmin):
    """Movements are added, never changed or deleted."""

    form = MovementForm

    list_display = ["copy", "copy_issue", "kind", "signer", "date", "created_by", "created_at"]
    list_select_related = ["copy", "copy__issue", "copy__issue__series", "created_by"]
    list_filter = ["kind", "date"]
    ordering = ["-id"]  # newest first, by the primary key: no join to copies and issues, no sort
    raw_id_fields = ["copy"]
    fields = ["copy", "kind", "signer", "date", "note"]

    @admin.display(description=_("Issue"))
    def copy_issue(self, obj):
        return obj.copy.issue

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
