"""Writes of the issue desk: comments on the text (the workflow's own writes stay in
briefs.workflow). Keyword-only, the acting user checked here, on the server."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from briefs import workflow
from briefs.exceptions import BriefsError
from briefs.models import Issue, IssueComment

QUOTE_MAX = 500
_SPACE = re.compile(r"\s+")


class CommentNotAllowed(BriefsError):
    """The comment rules refused the action (wrong person, wrong state, a quote not in the text)."""


def _squash(text: str) -> str:
    return _SPACE.sub("", text or "")


def _article_with(issue: Issue, quote: str):
    """The article whose title or text contains ``quote`` (whitespace ignored), or None."""
    wanted = _squash(quote)
    for article in issue.articles.order_by("position", "id"):
        if wanted in _squash(article.title) or wanted in _squash(strip_tags(article.body)):
            return article
    return None


def can_comment(issue: Issue, user) -> bool:
    """Holders of the current review stage comment on the text while the issue is in review."""
    return issue.status == Issue.Status.IN_REVIEW and workflow.user_holds_stage(user, issue.current_stage)


def can_resolve(comment: IssueComment, user) -> bool:
    """The editors (who change issues) and the comment's author resolve it; not after 签发."""
    if comment.issue.status not in (Issue.Status.DRAFT, Issue.Status.IN_REVIEW):
        return False
    return comment.author_id == user.pk or user.has_perm("briefs.change_issue")


def can_answer(comment: IssueComment, user) -> bool:
    return can_resolve(comment, user) or can_comment(comment.issue, user)


@transaction.atomic
def comment_add(*, issue: Issue, user, quote: str, body: str) -> IssueComment:
    """Attach ``body`` to the passage ``quote`` of ``issue``; the passage must be in its text."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not can_comment(issue, user):
        raise CommentNotAllowed(_("Only the holder of the current review stage can comment on the text."))
    quote, body = (quote or "").strip(), (body or "").strip()
    if not body:
        raise CommentNotAllowed(_("Please write the comment."))
    if not quote:
        raise CommentNotAllowed(_("Please quote the passage the comment is about."))
    if len(quote) > QUOTE_MAX:
        raise CommentNotAllowed(_("The quoted passage is too long (at most %(max)s characters).") % {"max": QUOTE_MAX})
    article = _article_with(issue, quote)
    if article is None:
        raise CommentNotAllowed(_("The quoted passage is not in the text of this issue; copy it from the text."))
    comment = IssueComment(issue=issue, article=article, quote=quote, body=body, author=user)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_answer(*, comment: IssueComment, user, body: str) -> IssueComment:
    comment = IssueComment.objects.select_for_update().select_related("issue").get(pk=comment.pk)
    if comment.parent_id is not None:
        raise CommentNotAllowed(_("Answer the comment itself, not an answer."))
    if not can_answer(comment, user):
        raise CommentNotAllowed(_("You may not answer this comment."))
    body = (body or "").strip()
    if not body:
        raise CommentNotAllowed(_("Please write the answer."))
    answer = IssueComment(issue=comment.issue, article=comment.article, parent=comment, body=body, author=user)
    answer.full_clean()
    answer.save()
    return answer


@transaction.atomic
def comment_resolve(*, comment: IssueComment, user, answer: str = "") -> IssueComment:
    """Mark ``comment`` resolved, with an optional answer saying how."""
    comment = IssueComment.objects.select_for_update().select_related("issue").get(pk=comment.pk)
    if comment.parent_id is not None:
        raise CommentNotAllowed(_("Only a comment, not an answer, can be resolved."))
    if comment.resolved_at is not None:
        raise CommentNotAllowed(_("This comment is already resolved."))
    if not can_resolve(comment, user):
        raise CommentNotAllowed(_("Only an editor or the comment's author can resolve it."))
    if (answer or "").strip():
        comment_answer(comment=comment, user=user, body=answer)
    comment.resolved_by = user
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved_by", "resolved_at"])
    return comment
