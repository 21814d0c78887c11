"""Forms of the issue desk. They only carry input; the workflow and the comment services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from briefs import workflow

# The opinion's name by action, as the 审批单 prints it.
OPINION_LABELS = {
    workflow.APPROVE: _("Review opinion"),
    workflow.SIGN_OFF: _("Sign-off opinion"),
    workflow.REQUEST_CHANGES: _("Reason for sending back"),
    workflow.REVOKE_SIGN_OFF: _("Reason for revoking the sign-off"),
}
# Pressing 审核通过 or 签发 with an empty box records the usual one-word opinion.
DEFAULT_OPINION = "同意"
DEFAULTED = (workflow.APPROVE, workflow.SIGN_OFF)
# Acts that need a confirmation step naming the issue and its numbers.
CONFIRMED_ACTIONS = (workflow.SIGN_OFF, workflow.REVOKE_SIGN_OFF, workflow.RELEASE)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ActionForm(forms.Form):
    wf_action = forms.ChoiceField(choices=[(a, a) for a in workflow.ACTIONS])
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    wf_status = forms.CharField(required=False)
    wf_stage = forms.CharField(required=False)
    confirmed = forms.BooleanField(required=False)

    def opinion_for_event(self) -> str:
        action, opinion = self.cleaned_data["wf_action"], self.cleaned_data["opinion"].strip()
        if not opinion and action in DEFAULTED:
            return DEFAULT_OPINION
        return opinion

    def expected_stage_id(self):
        return _int_or_none(self.cleaned_data.get("wf_stage"))


class CommentForm(forms.Form):
    quote = forms.CharField(
        label=_("Quoted passage"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Select a passage in the text and press “Quote the selection”, or copy it here."),
    )
    body = forms.CharField(label=_("Comment on the passage"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolve = forms.BooleanField(required=False)
