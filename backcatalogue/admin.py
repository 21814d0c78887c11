"""Admin: the record of imported files, the multi-file upload (preview, then commit with a
progress bar), the names 发行 still has to link, and the yearly 批示 report."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circulation import historical
from circulation import services as circulation_services
from circulation.exceptions import CirculationError
from circulation.models import Recipient
from zhiku import roles
from zhiku.admin_mixins import ReadOnlyAdminMixin

from . import impact, services, staging
from . import jobs as backcatalogue_jobs
from .models import ImportedFile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Word files of past issues"),
        help_text=gettext_lazy("Choose several .docx files at once; nothing is written before you confirm."),
        widget=MultipleFileInput(attrs={"accept": ".docx,.doc,.wps"}),
    )


class LinkForm(forms.Form):
    printed_name = forms.CharField(widget=forms.HiddenInput)
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Addressee"), queryset=Recipient.objects.order_by("printed_name"), required=False
    )


@admin.register(ImportedFile)
class ImportedFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["file_name", "issue", "imported_by", "imported_at"]
    list_select_related = ["issue", "issue__series", "imported_by"]
    search_fields = ["file_name", "sha256"]
    readonly_fields = ["file_name", "sha256", "issue", "imported_by", "imported_at", "report"]
    change_list_template = "admin/backcatalogue/importedfile/change_list.html"

    # Rows are written by the importer only (ReadOnlyAdminMixin).

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="backcatalogue_importedfile_upload"),
            path("commit/", wrap(self.commit_view), name="backcatalogue_importedfile_commit"),
            path("unmatched/", wrap(self.unmatched_view), name="backcatalogue_importedfile_unmatched"),
            path("impact/", wrap(self.impact_view), name="backcatalogue_impact_report"),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def _require_importer(self, request):
        try:
            services.require_importer(request.user)
        except services.ImportNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc

    # --- upload: preview, then commit ------------------------------------------------------------

    def upload_view(self, request):
        self._require_importer(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        rows = []
        if request.method == "POST" and form.is_valid():
            claimed: set = set()
            for upload in form.cleaned_data["files"]:
                data = upload.read()
                report = services.issue_file_preview(name=upload.name, data=data, user=request.user, claimed=claimed)
                token = staging.stage(request, name=upload.name, data=data) if report.status == "ready" else ""
                rows.append({"report": report, "token": token, "label": _status_label(report.status)})
        return TemplateResponse(
            request,
            "admin/backcatalogue/upload.html",
            self._context(
                request,
                _("Import past issues"),
                form=form,
                rows=rows,
                ready=[row for row in rows if row["token"]],
                # Many files: the form posts them all to one background job (no per-file requests).
                background=sum(1 for row in rows if row["token"]) > settings.BACKCATALOGUE_IMPORT_JOB_FILES,
                commit_url=reverse("admin:backcatalogue_importedfile_commit"),
            ),
        )

    def commit_view(self, request):
        """POST tokens: import each staged file. With ``one=1`` (the progress bar's requests) the
        answer is one file's report as JSON; otherwise the page of all reports."""
        self._require_importer(request)
        if request.method != "POST":
            return redirect("admin:backcatalogue_importedfile_upload")
        tokens = request.POST.getlist("token")
        if not request.POST.get("one") and len(tokens) > settings.BACKCATALOGUE_IMPORT_JOB_FILES:
            return redirect(backcatalogue_jobs.staged_files_import_start(request, tokens).get_absolute_url())
        reports = []
        for token in request.POST.getlist("token"):
            staged = staging.take(request, token)
            if staged is None:
                reports.append(services.FileReport(name="?", errors=[_("This upload has expired; upload it again.")]))
                continue
            name, data = staged
            reports.append(services.issue_file_import(name=name, data=data, user=request.user))
        if request.POST.get("one"):
            report = reports[0] if reports else services.FileReport(name="?")
            return JsonResponse({**report.as_dict(), "status_label": _status_label(report.status)})
        return TemplateResponse(
            request,
            "admin/backcatalogue/upload.html",
            self._context(request, _("Import past issues"), form=UploadForm(), rows=[{"report": r, "label": _status_label(r.status)} for r in reports]),
        )

    # --- names for circulation to link -----------------------------------------------------------

    def unmatched_view(self, request):
        if not roles.user_has_role(request.user, roles.CIRCULATION):
            raise PermissionDenied
        if request.method == "POST":
            form = LinkForm(request.POST)
            if form.is_valid():
                name = form.cleaned_data["printed_name"]
                try:
                    recipient = form.cleaned_data["recipient"] or circulation_services.recipient_save(
                        recipient=Recipient(kind=Recipient.Kind.BODY, short_name=name, full_name=name),
                        user=request.user,
                    )
                    count = historical.unmatched_name_link(printed_name=name, recipient=recipient, user=request.user)
                except (CirculationError, forms.ValidationError) as exc:
                    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                else:
                    messages.success(
                        request,
                        _("%(name)s is linked to %(recipient)s in %(count)s entries.")
                        % {"name": name, "recipient": recipient, "count": count},
                    )
            return redirect("admin:backcatalogue_importedfile_unmatched")
        names = historical.unmatched_names()
        for row in names:
            row["form"] = LinkForm(initial={"printed_name": row["printed_name"]})
        return TemplateResponse(
            request,
            "admin/backcatalogue/unmatched.html",
            self._context(request, _("Printed names without a recipient"), names=names),
        )

    # --- the yearly 批示 report ------------------------------------------------------------------

    def impact_view(self, request):
        if not request.user.has_perm("backcatalogue.view_impact_report"):
            raise PermissionDenied
        return impact.report_response(request, self._context)


def _status_label(status: str) -> str:
    return {
        services.Status.READY: _("Ready to import"),
        services.Status.IMPORTED: _("Imported"),
        services.Status.UNCHANGED: _("Already imported; unchanged"),
        services.Status.REFUSED: _("Refused"),
    }.get(status, status)
