"""The search index rebuild as a background job, started by a superuser from the jobs page.

``services.search_index_rebuild`` runs in one transaction (the old index stays readable until the
new one commits), so a retried rebuild simply does it again: idempotent."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from briefs.models import Article
from jobs.models import Job
from jobs.runner import job_enqueue

KIND = "clusters.jobs.search_index_rebuild_run"


def _require_superuser(user) -> None:
    if not (user.is_active and user.is_superuser):
        raise PermissionDenied(gettext("Only an administrator may rebuild the search index."))


def search_index_rebuild_run(*, user_id: int, progress) -> dict:
    from .services import search_index_rebuild

    _require_superuser(get_user_model().objects.get(pk=user_id))
    total = Article.objects.count()
    progress(0, total, gettext("Indexing %(count)s articles") % {"count": total})
    count = search_index_rebuild()
    return {"count": count, "summary": [gettext("%(count)s articles indexed.") % {"count": count}]}


def search_index_rebuild_start(*, user) -> Job:
    _require_superuser(user)
    return job_enqueue(KIND, params={"user_id": user.pk}, label=gettext("Rebuild the search index"), user=user)
