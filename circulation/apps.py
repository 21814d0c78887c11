from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

MODELS = (
    "recipient",
    "distributionlist",
    "distributiongroup",
    "groupmember",
    "issuedistribution",
    "issuelist",
    "issuerecipient",
    "distributionsnapshot",
    "snapshotentry",
    "ledgerrule",
    "copy",
    "copymovement",
    "supplement",
    "instruction",
)
# Snapshots are written by the workflow only; movements are only added.
CIRCULATION_PERMISSIONS = (
    tuple(f"circulation.view_{m}" for m in MODELS)
    + tuple(
        f"circulation.{verb}_{m}"
        for m in MODELS
        if m not in ("distributionsnapshot", "snapshotentry", "copymovement", "copy", "supplement")
        for verb in ("add", "change")
    )
    + (
        "circulation.add_copymovement",
        "circulation.add_supplement",
        "circulation.delete_groupmember",
        "circulation.delete_distributiongroup",
        "circulation.delete_issuelist",
        "circulation.delete_issuerecipient",
    )
)
READ_ONLY = ("circulation.view_recipient", "circulation.view_distributionlist", "circulation.view_instruction")


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("Circulation")

    def ready(self):
        from briefs import extensions
        from briefs.signals import issue_transitioned
        from briefs.states import Action
        from zhiku import roles
        from zhiku.media import register_media_folder

        from . import demo, media, readiness, receivers, selectors  # noqa: F401 - readiness registers on import

        extensions.register_distribution_provider(selectors.distribution_footer)
        extensions.register_transition_guard(Action.RELEASE, receivers.release_guard)
        extensions.register_demo_loader(demo.load_demo_distribution)
        issue_transitioned.connect(receivers.on_issue_transitioned, dispatch_uid="circulation_snapshot")
        roles.add_role_permissions(roles.CIRCULATION, CIRCULATION_PERMISSIONS)
        register_media_folder("instructions", media.instruction_scan_visible)
        for role in (roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.ADMINISTRATOR):
            roles.add_role_permissions(role, READ_ONLY)
