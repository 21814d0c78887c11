"""Forms of circulation's own admin pages. They only shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Copy, CopyMovement


class LedgerForm(forms.Form):
    """Record one movement for several copies of an issue: a range of copy numbers, or every
    copy of one recipient."""

    kind = forms.ChoiceField(label=_("Movement"), choices=CopyMovement.Kind.choices)
    serials = forms.CharField(
        label=_("Copy numbers"),
        required=False,
        help_text=_("A range or a list, e.g. 006-017、020. Leave empty to choose a recipient instead."),
    )
    recipient = forms.TypedChoiceField(label=_("Addressee"), required=False, coerce=int, empty_value=None)
    date = forms.DateField(label=_("Date"))
    signer = forms.CharField(label=_("Receipt signed by"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        holders = (
            Copy.objects.filter(issue=issue, recipient__isnull=False)
            .order_by("serial")
            .values_list("recipient_id", "printed_name")
        )
        self.fields["recipient"].choices = [("", "---------")] + list(dict(holders).items())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("serials", "").strip() and not cleaned.get("recipient"):
            raise forms.ValidationError(_("Name the copies: a range of copy numbers or a recipient."))
        if cleaned.get("serials", "").strip() and cleaned.get("recipient"):
            raise forms.ValidationError(_("Give either copy numbers or a recipient, not both."))
        if cleaned.get("kind") == CopyMovement.Kind.RECEIVED and not cleaned.get("signer", "").strip():
            self.add_error("signer", _("A receipt needs the name of who signed for it."))
        return cleaned
