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
        # The yearly 批示 report is read by the office and by 发行, who records the 批示.
        for role in (roles.ADMINISTRATOR, roles.CIRCULATION, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER):
            roles.add_role_permissions(role, ("backcatalogue.view_impact_report", "backcatalogue.view_importedfile"))
