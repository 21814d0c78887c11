"""The names of the review workflow: an issue's states and the actions that move it.

Kept apart from the models so that ``briefs.rules`` (imported by the models) and every other
module can name a state or an action without a string literal and without an import cycle.
The values are stored in the database; changing one needs a data migration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    SIGNED = "signed", _("Signed")
    RELEASED = "released", _("Released")


class Action(models.TextChoices):
    """Workflow actions. A ``str`` enum: ``Action.SIGN_OFF == "sign_off"``."""

    SUBMIT = "submit", _("Submit for review")
    WITHDRAW = "withdraw", _("Withdraw")
    APPROVE = "approve", _("Approve")
    SIGN_OFF = "sign_off", _("Sign off")
    REQUEST_CHANGES = "request_changes", _("Send back for changes")
    REVOKE_SIGN_OFF = "revoke_sign_off", _("Revoke sign-off")
    RELEASE = "release", _("Release")


# Events record the workflow's actions and one act that is not a transition: entering a past
# issue from its printed Word file (backcatalogue).
EVENT_IMPORT = "import"
EVENT_ACTION_CHOICES = [*Action.choices, (EVENT_IMPORT, _("Import"))]
