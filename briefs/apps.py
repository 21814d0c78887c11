from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = _("Briefs")

    def ready(self):
        # Receivers and checks are imported here so they are connected exactly once.
        # briefs.workflow and briefs.rendering each add their own import line below.
        from . import workflow_receivers  # noqa: F401
        from .desk import hooks  # noqa: F401 - the 签发 readiness guard, the 审批单 archive
        from .rendering import receivers  # noqa: F401
        pass
