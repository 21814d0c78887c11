"""The lock rules of an issue, decided here and nowhere else.

Every module that asks "may this change?" (briefs' services, models, admin and workflow, the
renderers, circulation) asks these predicates instead of comparing status strings, so the
meaning of 草稿 / 送审 / 已签发 / 已印发 for locking lives in one place:

- content (the issue's content fields, its articles) is editable only in 草稿;
- 已签发 and 已印发 are *frozen*: what was signed is what is printed and distributed;
- only an unnumbered draft may be deleted (numbers, once given, leave no gap).

Workflow fields (status, stage, numbers, dates, signer) are a different matter: they are written
by ``briefs.workflow`` only, whatever the state (see ``WORKFLOW_FIELDS``).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from .states import IssueStatus as S

EDITABLE_STATUSES = frozenset({S.DRAFT})
FROZEN_STATUSES = frozenset({S.SIGNED, S.RELEASED})

# Fields an editor writes (on a draft only). The print run is circulation's figure up to 印发.
ISSUE_CONTENT_FIELDS = ("series", "subject", "responsible_editor", "classification", "print_run", "issue_date")
ARTICLE_CONTENT_FIELDS = ("title", "body", "byline", "position")

# Fields only a workflow transition (or the historical loader) writes, in every state.
WORKFLOW_FIELDS = (
    "status",
    "current_stage",
    "year",
    "number",
    "total_number",
    "submitted_by",
    "submitted_at",
    "signed_by",
    "signed_at",
)


def content_editable(issue) -> bool:
    """May the issue's content and its articles change? Only in 草稿."""
    return issue.status in EDITABLE_STATUSES


def is_in_review(issue) -> bool:
    return issue.status == S.IN_REVIEW


def is_frozen(issue) -> bool:
    """Signed or released: content, numbers, date and distribution are fixed."""
    return issue.status in FROZEN_STATUSES


def is_deletable(issue) -> bool:
    """Only a draft that holds no numbers may be deleted."""
    return content_editable(issue) and issue.total_number is None


# --- the same rules as query conditions (for querysets and bulk checks) ----------------------------


def in_review_q(prefix: str = "") -> Q:
    return Q(**{prefix + "status": S.IN_REVIEW})


def editable_q(prefix: str = "") -> Q:
    return Q(**{prefix + "status__in": EDITABLE_STATUSES})


def deletable_q(prefix: str = "") -> Q:
    return editable_q(prefix) & Q(**{prefix + "total_number__isnull": True})


# --- messages: one wording per refusal -------------------------------------------------------------


def locked_message(issue) -> str:
    return _("This issue is %(status)s and read-only; only drafts can be edited.") % {
        "status": issue.get_status_display()
    }


def articles_locked_message() -> str:
    return _("This issue is no longer a draft; its articles are read-only.")


def not_deletable_message() -> str:
    return _("Only unnumbered drafts can be deleted.")


def workflow_fields_message() -> str:
    return _("Status, stage, numbers, dates and signer are set by the review workflow only.")
