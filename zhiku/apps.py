from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZhikuConfig(AppConfig):
    name = "zhiku"
    verbose_name = _("System")

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
