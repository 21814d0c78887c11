"""Reads for briefs: what the review workflow shows (待我处理, the timeline, the panel)."""

from django.db.models import Q, QuerySet

from zhiku import roles

from .extensions import waiting_filters
from .models import Issue, IssueEvent


def issues_waiting_for(user) -> QuerySet[Issue]:
    """Issues whose next step is ``user``'s: the review stage they hold, 印发 for circulation, and
    drafts they submitted that came back (退回修改, 撤销签发) for them to fix and submit again.

    Issues they drafted or submitted are left out where the series forbids self-review, because
    the workflow would refuse them anyway.
    """
    if not user or not user.is_authenticated:
        return Issue.objects.none()
    held = Q(status=Issue.Status.IN_REVIEW) & (
        # The groups as read with the permissions (zhiku.roles), not a subquery of their own.
        Q(current_stage__user=user) | Q(current_stage__group__in=roles.user_group_ids(user))
    )
    own = Q(series__allow_self_review=False) & (Q(created_by=user) | Q(submitted_by=user))
    waiting = (held & ~own) | Q(status=Issue.Status.DRAFT, submitted_by=user)
    if user.has_perm("briefs.release_issue"):
        waiting |= Q(status=Issue.Status.SIGNED)
    for contributed in waiting_filters(user):  # e.g. circulation: in review without a distribution
        waiting |= contributed
    return (
        Issue.objects.filter(waiting)
        .select_related("series", "current_stage", "submitted_by")
        .order_by("submitted_at", "id")
        .distinct()
    )


def issue_timeline(issue: Issue) -> list[IssueEvent]:
    """Every transition of ``issue``, oldest first, with the actor loaded."""
    return list(IssueEvent.objects.filter(issue=issue).select_related("actor").order_by("created_at", "id"))
