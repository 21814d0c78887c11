"""Connections of the issue desk, imported once from BriefsConfig.ready."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from briefs.extensions import register_transition_guard
from briefs.models import Article, Issue
from briefs.readiness import sign_off_guard
from briefs.rendering import approval_receivers  # noqa: F401 - archives the 审批单 at 签发
from briefs.states import Action

register_transition_guard(Action.SIGN_OFF, sign_off_guard)


def issue_lead_title_refresh(issue_id: int) -> None:
    """Copy the first article's title onto the issue (a cached name, not content: ``update()``
    neither bumps the version nor meets the lock on signed issues)."""
    first = Article.objects.filter(issue_id=issue_id).order_by("position", "id").values_list("title", flat=True).first()
    Issue.objects.filter(pk=issue_id).exclude(first_article_title=first or "").update(first_article_title=first or "")


@receiver(post_save, sender=Article, dispatch_uid="briefs_desk_lead_title_save")
@receiver(post_delete, sender=Article, dispatch_uid="briefs_desk_lead_title_delete")
def _article_changed(sender, instance: Article, raw=False, **kwargs):
    if not raw:
        issue_lead_title_refresh(instance.issue_id)
