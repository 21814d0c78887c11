from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackcatalogueConfig(AppConfig):
    name = "backcatalogue"
    verbose_name = _("Back catalogue and impact")

    def ready(self):
        from zhiku import roles

        roles.add_role_permissions(
            roles.ADMINISTRATOR, ("backcatalogue.import_back_issues", "backcatalogue.view_importedfile")
        )
        # The yearly 批示 report and the list of imported files are read by the whole office.
        for role in (roles.ADMINISTRATOR, roles.CIRCULATION, roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER,
                     roles.SIGNER):  # fmt: skip
            roles.add_role_permissions(role, ("backcatalogue.view_impact_report", "backcatalogue.view_importedfile"))
