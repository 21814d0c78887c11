"""The names of the review workflow: an issue's states and the actions that move it.

Kept apart from the models so that ``briefs.rules`` (imported by the models) and every other
module can name a state or an action without a string literal and without an import cycle.
The values are stored in the database; changing one needs a data migration. The labels carry a
translation context: "Draft", "Signed" or "Release" alone do not tell a translator whether
they are a state or a button.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class IssueStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("issue status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("issue status", "In review")
    SIGNED = "signed", pgettext_lazy("issue status", "Signed")
    RELEASED = "released", pgettext_lazy("issue status", "Released")


class Action(models.TextChoices):
    """Workflow actions. A ``str`` enum: ``Action.SIGN_OFF == "sign_off"``."""

    SUBMIT = "submit", pgettext_lazy("workflow action", "Submit for review")
    WITHDRAW = "withdraw", pgettext_lazy("workflow action", "Withdraw")
    APPROVE = "approve", pgettext_lazy("workflow action", "Approve")
    SIGN_OFF = "sign_off", pgettext_lazy("workflow action", "Sign off")
    REQUEST_CHANGES = "request_changes", pgettext_lazy("workflow action", "Send back for changes")
    REVOKE_SIGN_OFF = "revoke_sign_off", pgettext_lazy("workflow action", "Revoke sign-off")
    RELEASE = "release", pgettext_lazy("workflow action", "Release")


# Events record the workflow's actions and one act that is not a transition: entering a past
# issue from its printed Word file (backcatalogue).
EVENT_IMPORT = "import"
EVENT_ACTION_CHOICES = [*Action.choices, (EVENT_IMPORT, pgettext_lazy("workflow action", "Import"))]
