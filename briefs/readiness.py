"""Is the issue ready to be signed? The checklist the desk shows from 送审 on, checked again inside
the 签发 transition (a transition guard).

Items: distribution chosen and reconciled, 报 line not empty (both provided by circulation through
``briefs.extensions.register_readiness_check``), 责任编辑 set, every article has a title and a body,
classification set. The series decides which items block 签发 (``Series.signoff_blocking_checks``);
the others are warnings. An item no app provides (circulation not installed) is not listed.
"""

from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .extensions import ReadinessResult, readiness_results
from .models import Issue
from .readiness_field import READINESS_ITEMS


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    ok: bool
    detail: str
    blocking: bool  # the series makes this item refuse 签发
    url: str = ""


def _own_results(issue: Issue) -> list[ReadinessResult]:
    labels = dict(READINESS_ITEMS)
    results = [
        ReadinessResult(
            "responsible_editor",
            str(labels["responsible_editor"]),
            issue.responsible_editor_id is not None,
            "" if issue.responsible_editor_id else _("No responsible editor is set."),
        ),
    ]
    incomplete = []
    articles = list(issue.articles.order_by("position", "id").values_list("position", "title", "body"))
    for index, (_position, title, body) in enumerate(articles, start=1):
        if not (title or "").strip():
            incomplete.append(_("article %(n)s has no title") % {"n": index})
        if not strip_tags(body or "").strip():
            incomplete.append(_("article %(n)s has no body") % {"n": index})
    if not articles:
        incomplete.append(_("the issue has no article"))
    results.append(ReadinessResult("articles", str(labels["articles"]), not incomplete, "；".join(incomplete)))
    results.append(
        ReadinessResult(
            "classification",
            str(labels["classification"]),
            bool(issue.classification),
            "" if issue.classification else _("No classification is marked."),
        )
    )
    return results


def issue_readiness(issue: Issue) -> list[ReadinessItem]:
    """The checklist of ``issue`` in the order of READINESS_ITEMS."""
    blocking = set(issue.series.signoff_blocking_checks or [])
    by_key = {r.key: r for r in [*readiness_results(issue), *_own_results(issue)]}
    return [
        ReadinessItem(r.key, r.label, r.ok, r.detail, r.key in blocking, r.url)
        for key, _label in READINESS_ITEMS
        if (r := by_key.get(key)) is not None
    ]


def blocking_problems(issue: Issue) -> list[str]:
    """What refuses 签发, in Chinese: one line per blocking item not met."""
    return [
        _("Not ready for sign-off: %(item)s — %(detail)s") % {"item": item.label, "detail": item.detail or _("not met")}
        for item in issue_readiness(issue)
        if item.blocking and not item.ok
    ]


def sign_off_guard(*, issue: Issue, user=None, **kwargs) -> list[str]:
    """Registered for "sign_off": runs inside the transition, after the row lock."""
    return blocking_problems(issue)
