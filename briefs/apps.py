from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = _("Briefs")

    def ready(self):
        # Receivers are imported here so they are connected exactly once.
        from . import workflow_receivers  # noqa: F401
        from .desk import hooks  # noqa: F401 - the 签发 readiness guard, the 审批单 archive
        from .issue_page import connect as connect_issue_page
        from .media import register_media_guards
        from .rendering import receivers  # noqa: F401
        from .waiting import connect as connect_waiting

        register_media_guards()
        connect_waiting()  # 待我处理 is read again after any write it shows
        connect_issue_page()  # the issue page's kept parts likewise
