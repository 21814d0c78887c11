"""The issue desk: the issue as it will print beside the workflow panel, the confirmation step of
签发 / 撤销签发 / 印发, comments on the text, and the 审批单 download.

Every view is wrapped in ``admin.site.admin_view`` (briefs/urls.py) and checks
``briefs.view_issue`` here; what a user may do is decided by ``briefs.workflow`` and the comment
services, which check again.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from briefs import rules, workflow
from briefs.exceptions import BriefsError
from briefs.models import Issue, IssueComment
from briefs.readiness import issue_readiness
from briefs.rendering.approval import render_approval_pdf

from . import selectors, services
from .forms import CONFIRMED_ACTIONS, DEFAULT_OPINION, OPINION_LABELS, ActionForm, AnswerForm, CommentForm
from .printed import printed_issue


def _issue(request, pk) -> Issue:
    if not request.user.has_perm("briefs.view_issue"):
        raise PermissionDenied
    return get_object_or_404(
        Issue.objects.select_related(
            "series", "responsible_editor", "current_stage__group", "current_stage__user", "signed_by", "submitted_by"
        ),
        pk=pk,
    )


def _desk_url(issue) -> str:
    return reverse("briefs:issue_desk", args=[issue.pk])


def _context(request, issue, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "title": str(issue),
        "issue": issue,
        "opts": Issue._meta,
        **extra,
    }


def issue_desk(request, pk):
    issue = _issue(request, pk)
    user = request.user
    actions = [
        {
            "action": action,
            "label": workflow.ACTION_LABELS[action],
            "needs_confirmation": action in CONFIRMED_ACTIONS,
            "opinion_label": OPINION_LABELS.get(action, ""),
        }
        for action in workflow.allowed_actions(issue, user)
    ]
    threads = selectors.comment_threads(issue)
    show_readiness = issue.status == Issue.Status.IN_REVIEW
    context = _context(
        request,
        issue,
        printed=printed_issue(issue),
        actions=actions,
        opinion_actions=[a["action"] for a in actions if a["opinion_label"]],
        default_opinion=DEFAULT_OPINION,
        comment_required=sorted(workflow.COMMENT_REQUIRED),
        stages=list(issue.series.review_stages.select_related("group", "user").order_by("position")),
        holders=selectors.stage_holder_names(issue.current_stage),
        numbers=selectors.issue_numbers_text(issue),
        preview=workflow.issue_number_preview(issue) if not issue.total_number else None,
        timeline=selectors.issue_timeline_entries(issue),
        readiness=issue_readiness(issue) if show_readiness else None,
        threads=threads,
        open_count=sum(1 for c in threads if c.is_open),
        can_comment=services.can_comment(issue, user),
        comment_form=CommentForm(),
        can_edit=rules.content_editable(issue) and user.has_perm("briefs.change_issue"),
        can_resolve_any=issue.status in (Issue.Status.DRAFT, Issue.Status.IN_REVIEW),
    )
    return TemplateResponse(request, "briefs/desk/desk.html", context)


def _confirmation(request, issue, action: str, opinion: str, form_values: dict):
    """The page that names the issue and its numbers before 签发, 撤销签发 or 印发."""
    preview = workflow.issue_number_preview(issue) if action == workflow.SIGN_OFF else None
    readiness = issue_readiness(issue) if action == workflow.SIGN_OFF else []
    context = _context(
        request,
        issue,
        title=_("Confirm: %(action)s") % {"action": workflow.ACTION_LABELS[action]},
        action=action,
        action_label=workflow.ACTION_LABELS[action],
        opinion=opinion,
        opinion_label=OPINION_LABELS.get(action, ""),
        opinion_required=action in workflow.COMMENT_REQUIRED,
        numbers=selectors.issue_numbers_text(issue),
        preview=preview,
        open_comments=list(selectors.open_comments(issue)) if action == workflow.SIGN_OFF else [],
        problems=[item for item in readiness if not item.ok],
        form_values=form_values,
        allowed=workflow.can_perform(issue, action, request.user),
    )
    return TemplateResponse(request, "briefs/desk/confirm.html", context)


def issue_desk_confirm(request, pk, action):
    """The confirmation step reached from the issue page's buttons (briefs.views redirects here)."""
    issue = _issue(request, pk)
    if action not in CONFIRMED_ACTIONS:
        return redirect(_desk_url(issue))
    values = {"wf_status": issue.status, "wf_stage": issue.current_stage_id or ""}
    return _confirmation(request, issue, action, request.GET.get("opinion", ""), values)


@require_POST
def issue_desk_action(request, pk):
    issue = _issue(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect(_desk_url(issue))
    action = form.cleaned_data["wf_action"]
    if action in CONFIRMED_ACTIONS and not form.cleaned_data["confirmed"]:
        values = {"wf_status": form.cleaned_data["wf_status"], "wf_stage": form.cleaned_data["wf_stage"]}
        return _confirmation(request, issue, action, form.cleaned_data["opinion"], values)
    try:
        workflow.issue_transition(
            issue=issue,
            action=action,
            user=request.user,
            comment=form.opinion_for_event(),
            expected_status=form.cleaned_data["wf_status"] or None,
            expected_stage_id=form.expected_stage_id(),
        )
    except BriefsError as exc:
        for message in getattr(exc, "messages", None) or [exc.message]:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Done: %(action)s. The issue is now %(status)s.")
            % {"action": workflow.ACTION_LABELS[action], "status": issue.get_status_display()},
        )
    return redirect(_desk_url(issue))


@require_POST
def issue_desk_comment(request, pk):
    issue = _issue(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_desk_url(issue) + "#comments")
    try:
        services.comment_add(issue=issue, user=request.user, **form.cleaned_data)
    except BriefsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The comment was added."))
    return redirect(_desk_url(issue) + "#comments")


@require_POST
def issue_desk_comment_answer(request, pk, comment_pk):
    issue = _issue(request, pk)
    comment = get_object_or_404(IssueComment, pk=comment_pk, issue=issue)
    form = AnswerForm(request.POST)
    form.is_valid()
    body, resolve = form.cleaned_data.get("body", ""), form.cleaned_data.get("resolve", False)
    try:
        if resolve:
            services.comment_resolve(comment=comment, user=request.user, answer=body)
            messages.success(request, _("The comment was resolved."))
        else:
            services.comment_answer(comment=comment, user=request.user, body=body)
            messages.success(request, _("The answer was added."))
    except BriefsError as exc:
        messages.error(request, exc.message)
    return redirect(_desk_url(issue) + "#comment-%d" % comment.pk)


def issue_approval_pdf(request, pk):
    """The 审批单: the one archived at 签发 when there is one, a fresh render otherwise."""
    issue = _issue(request, pk)
    pdf = None
    if issue.archived_approval:
        try:
            with issue.archived_approval.open("rb") as fh:
                pdf = fh.read()
        except FileNotFoundError:
            pdf = None
    if pdf is None:
        pdf = render_approval_pdf(selectors.approval_sheet(issue))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = "%s-审批单.pdf" % (selectors.issue_numbers_text(issue) or "草稿-%s" % issue.pk)
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("inline") != "1", f"{issue.series.name}-{name}"
    )
    response["Cache-Control"] = "private, no-cache"
    return response
