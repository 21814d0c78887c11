"""Jobs in the admin: a list with progress bars, and a page per job that follows it to its result.

Nothing here is editable: jobs are written by the runner only. Staff see the jobs they started;
those with the view permission (and superusers) see all.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhiku.admin_mixins import ReadOnlyAdminMixin

from .files import job_file_response
from .models import Job, OutgoingMail
from .runner import job_enqueue, job_progress


def _sees_all(user) -> bool:
    return user.is_superuser or user.has_perm("jobs.view_job")


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "progress_bar", "attempts", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    search_fields = ["label", "kind"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        return _sees_all(request.user) or obj is None or obj.created_by_id == request.user.pk

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if _sees_all(request.user) else queryset.filter(created_by=request.user)

    def get_object(self, request, object_id, from_field=None):
        # Unfiltered: someone else's job is refused (403 by the permission check), not "not found".
        try:
            return Job.objects.get(pk=object_id)
        except (Job.DoesNotExist, ValueError, ValidationError):
            return None

    @admin.display(description=_("Progress"))
    def progress_bar(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', obj.percent, obj.percent, obj.percent)

    def get_urls(self):
        extra = [
            path("backup/", self.admin_site.admin_view(self.backup_view), name="jobs_job_backup"),
            path("search-index/", self.admin_site.admin_view(self.search_index_view), name="jobs_job_search_index"),
            path("<uuid:pk>/status/", self.admin_site.admin_view(self.status_view), name="jobs_job_status"),
            path("<uuid:pk>/file/", self.admin_site.admin_view(self.file_view), name="jobs_job_file"),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_back_up": request.user.is_superuser}
        return super().changelist_view(request, extra_context)

    def backup_view(self, request):
        """Superusers start a backup from the admin; it runs as a job and its page shows the progress."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_superuser:
            raise PermissionDenied
        job = job_enqueue("jobs.backup.backup_create", label=gettext("Backup"), user=request.user)
        return redirect(job.get_absolute_url())

    def search_index_view(self, request):
        """Superusers rebuild the archive's search index as a job (clusters checks again inside)."""
        from clusters.jobs import search_index_rebuild_start

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return redirect(search_index_rebuild_start(user=request.user).get_absolute_url())

    def _job_for(self, request, pk) -> Job:
        """The job, if this user may see it, with its latest progress (see ``job_progress``)."""
        job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        job.progress_done, job.progress_total, job.message = job_progress(job)
        return job

    def status_view(self, request, pk):
        """What the progress bar polls: a few fields, no page."""
        job = self._job_for(request, pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "percent": job.percent,
                "done": job.progress_done,
                "total": job.progress_total,
                "message": job.message,
                "finished": job.finished,
            }
        )

    def file_view(self, request, pk):
        """The file a job wrote (a large export): for whoever started the job, and nobody else —
        not even those who may see every job, since an export may hold personal data."""
        job = self._job_for(request, pk)
        if job.created_by_id != request.user.pk:
            raise PermissionDenied
        return job_file_response(job)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: a progress bar while it runs, the result (or the error) when it ends."""
        job = self._job_for(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(job),
            "job": job,
        }
        return TemplateResponse(request, "admin/jobs/job/detail.html", context)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    fields = ["to", "subject", "body", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
