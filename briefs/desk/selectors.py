"""Reads of the issue desk: the timeline with stage changes, the comment threads, the 审批单 data,
and everything the desk page shows. Nothing here writes."""

from dataclasses import dataclass

from django.db.models import Prefetch

from briefs import workflow
from briefs.models import Issue, IssueComment, IssueEvent, ReviewStage
from briefs.rendering.approval import ApprovalSheet, ApprovalStep
from briefs.rendering.selectors import CLASSIFICATION_MARKS

S = Issue.Status
# Actions whose event comment is an opinion the 审批单 prints.
OPINION_ACTIONS = (workflow.APPROVE, workflow.SIGN_OFF, workflow.REQUEST_CHANGES, workflow.REVOKE_SIGN_OFF)


def person_name(user) -> str:
    """A person as people name them: the full name, the login only when no name is set."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def chinese_date(moment) -> str:
    from django.utils import timezone

    if moment is None:
        return ""
    day = timezone.localtime(moment).date() if hasattr(moment, "hour") else moment
    return f"{day.year}年{day.month}月{day.day}日"


def issue_numbers_text(issue: Issue) -> str:
    if issue.total_number:
        return f"{issue.year}年第{issue.number}期（总第{issue.total_number}期）"
    return ""


@dataclass(frozen=True)
class TimelineEntry:
    event: IssueEvent
    actor: str
    from_label: str  # 草稿, 初审, 复审…: the stage while in review, the status otherwise
    to_label: str


def _stage_after(stage_id, chain: list[ReviewStage]) -> str:
    for index, stage in enumerate(chain):
        if stage.pk == stage_id and index + 1 < len(chain):
            return chain[index + 1].name
    return ""


def issue_timeline_entries(issue: Issue, events: list[IssueEvent] | None = None) -> list[TimelineEntry]:
    """Every transition, oldest first, with the stage change spelt out (初审 → 复审, not 审核中 → 审核中)."""
    chain = list(issue.series.review_stages.order_by("position"))
    if events is None:
        events = list(IssueEvent.objects.filter(issue=issue).select_related("actor").order_by("created_at", "id"))
    entries = []
    for event in events:
        from_label = event.get_from_status_display()
        to_label = event.get_to_status_display()
        if event.action == workflow.SUBMIT:
            to_label = event.stage_name or to_label  # the submit event records the first stage
        elif event.from_status == S.IN_REVIEW:
            from_label = event.stage_name or from_label
            if event.action == workflow.APPROVE:
                to_label = _stage_after(event.stage_id, chain) or to_label
        entries.append(TimelineEntry(event, person_name(event.actor), str(from_label), str(to_label)))
    return entries


# --- comments --------------------------------------------------------------------------------


def comment_threads(issue: Issue) -> list[IssueComment]:
    """Top-level comments, open ones first, each with ``answers`` prefetched (3 queries)."""
    answers = Prefetch("answers", queryset=IssueComment.objects.select_related("author").order_by("created_at", "id"))
    threads = list(
        IssueComment.objects.filter(issue=issue, parent__isnull=True)
        .select_related("author", "resolved_by", "article")
        .prefetch_related(answers)
        .order_by("created_at", "id")
    )
    return sorted(threads, key=lambda c: not c.is_open)


def open_comments(issue: Issue):
    return IssueComment.objects.filter(issue=issue, parent__isnull=True, resolved_at__isnull=True).select_related(
        "author"
    )


# --- the 审批单 ---------------------------------------------------------------------------------


def _step(event: IssueEvent) -> ApprovalStep:
    return ApprovalStep(
        stage=event.stage_name or event.get_from_status_display(),
        holder=person_name(event.actor),
        action=str(event.get_action_display()),
        opinion=event.comment,
        date=chinese_date(event.created_at),
    )


def _holder_label(stage: ReviewStage) -> str:
    if stage.user_id:
        return person_name(stage.user)
    return stage.group.name if stage.group_id else ""


def approval_sheet(issue: Issue) -> ApprovalSheet:
    """The 审批单 of ``issue``: this round's opinions per stage (since the last 送审), the 签发 line,
    and earlier rounds' opinions (退回, 撤销签发) below."""
    events = list(IssueEvent.objects.filter(issue=issue).select_related("actor").order_by("created_at", "id"))
    chain = list(issue.series.review_stages.select_related("group", "user").order_by("position"))
    last_submit = max((i for i, e in enumerate(events) if e.action == workflow.SUBMIT), default=None)
    current = events[last_submit + 1 :] if last_submit is not None else []
    earlier = events[:last_submit] if last_submit is not None else events
    acted = {}
    for event in current:
        if event.action in OPINION_ACTIONS and event.stage_id:
            acted[event.stage_id] = event
    steps = []
    for stage in chain:
        event = acted.get(stage.pk)
        steps.append(_step(event) if event else ApprovalStep(stage.name, _holder_label(stage), "", "", ""))
    signed = issue.status in (S.SIGNED, S.RELEASED) and issue.signed_by_id
    sign_line = f"签发人：{person_name(issue.signed_by)}　{chinese_date(issue.signed_at)}" if signed else ""
    submit = events[last_submit] if last_submit is not None else None
    articles = list(issue.articles.order_by("position", "id").values_list("title", flat=True))
    drafted_by = person_name(issue.created_by)
    return ApprovalSheet(
        series_title=issue.series.name,
        issue_name=str(issue),
        titles=tuple(articles),
        numbers=issue_numbers_text(issue) or "未编号（签发时编号）",
        date_line=chinese_date(issue.issue_date),
        classification=CLASSIFICATION_MARKS.get(issue.classification, ""),
        responsible_editor=issue.responsible_editor.name if issue.responsible_editor_id else "",
        drafted_by=drafted_by,
        submitted=f"{person_name(submit.actor)}　{chinese_date(submit.created_at)}" if submit else "",
        steps=tuple(steps),
        sign_line=sign_line,
        earlier=tuple(_step(e) for e in earlier if e.action in OPINION_ACTIONS or e.action == workflow.WITHDRAW),
    )


# --- the desk page ----------------------------------------------------------------------------


def stage_holder_names(stage: ReviewStage | None) -> list[str]:
    if stage is None:
        return []
    return [person_name(u) for u in workflow.stage_holders(stage)]
