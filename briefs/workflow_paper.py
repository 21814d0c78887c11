"""签发 on paper: a leader signs the printed proof; staff record it with a scan of the signed page.

The sign-off itself is the ordinary workflow transition performed in the leader's name (so the
same rules apply: the leader must hold the final stage), plus a PaperSignOff row naming who
recorded it. The scan is checked by its content, not its name: PDF, JPEG or PNG, size-limited.
"""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiku.scans import validate_scan

from .models import Issue, PaperSignOff
from .workflow import Action, issue_transition, stage_holders


class PaperSignOffForm(forms.Form):
    signer = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=gettext_lazy("Signed by"))
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), initial=timezone.localdate)
    scan = forms.FileField(label=gettext_lazy("Scan"), validators=[validate_scan])
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False)

    def __init__(self, issue: Issue, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stage = issue.current_stage
        self.fields["signer"].queryset = stage_holders(stage) if stage else get_user_model().objects.none()

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("The sign-off date cannot be in the future."))
        return signed_on


def issue_record_paper_sign_off(
    *, issue: Issue, user, signer, signed_on: date, scan, comment: str = ""
) -> PaperSignOff:
    """Record that ``signer`` signed ``issue`` on paper on ``signed_on``; ``user`` is the recorder."""
    if not user.has_perm("briefs.record_paper_sign_off"):
        raise PermissionDenied
    validate_scan(scan)
    with transaction.atomic():
        note = _("Signed on paper on %(date)s; recorded by %(user)s.") % {
            "date": signed_on.isoformat(),
            "user": user.get_full_name() or user.get_username(),
        }
        # In the leader's name, so the rules of the final stage apply to them.
        issue_transition(
            issue=issue, action=Action.SIGN_OFF, user=signer, comment=(note + " " + comment).strip(), on=signed_on
        )
        record = PaperSignOff(issue=issue, signer=signer, signed_on=signed_on, scan=scan, recorded_by=user)
        record.full_clean()
        record.save()
    return record
