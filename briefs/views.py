"""Workflow views: the buttons of the issue page post here; the services decide."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .exceptions import BriefsError
from .models import Issue
from .workflow import ACTION_LABELS, TRANSITIONS, issue_transition


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@staff_member_required
@require_POST
def issue_transition_view(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    action = request.POST.get("wf_action", "")
    if action not in TRANSITIONS:
        messages.error(request, _("Unknown action."))
        return redirect(issue.get_absolute_url())
    # 签发, 撤销签发 and 印发 go through the desk's confirmation step, which names the issue and its numbers.
    from .desk.forms import CONFIRMED_ACTIONS

    if action in CONFIRMED_ACTIONS:
        url = reverse("briefs:issue_desk_confirm", args=[issue.pk, action])
        return redirect(url + "?" + urlencode({"opinion": request.POST.get("wf_comment", "")}))
    try:
        issue_transition(
            issue=issue,
            action=action,
            user=request.user,
            comment=request.POST.get("wf_comment", ""),
            expected_status=request.POST.get("wf_status") or None,
            # What the user saw: when another reviewer acted meanwhile, the service refuses.
            expected_stage_id=int_or_none(request.POST.get("wf_stage")),
        )
    except BriefsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Done: %(action)s. The issue is now %(status)s.")
            % {"action": ACTION_LABELS[action], "status": issue.get_status_display()},
        )
    return redirect(issue.get_absolute_url())


@staff_member_required
@require_POST
def issue_paper_sign_off_view(request, pk: int):
    from .workflow_paper import PaperSignOffForm, issue_record_paper_sign_off

    # Refused before the upload is read and validated; the service checks again.
    if not request.user.has_perm("briefs.record_paper_sign_off"):
        raise PermissionDenied
    issue = get_object_or_404(Issue, pk=pk)
    form = PaperSignOffForm(issue, request.POST, request.FILES, prefix="wf_paper")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(issue.get_absolute_url())
    try:
        issue_record_paper_sign_off(
            issue=issue,
            user=request.user,
            signer=form.cleaned_data["signer"],
            signed_on=form.cleaned_data["signed_on"],
            scan=form.cleaned_data["scan"],
            comment=form.cleaned_data["comment"],
        )
    except (BriefsError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))
    else:
        messages.success(request, _("The paper sign-off was recorded."))
    return redirect(issue.get_absolute_url())
