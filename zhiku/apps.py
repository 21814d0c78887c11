from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZhikuConfig(AppConfig):
    name = "zhiku"
    verbose_name = _("System")

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)


class LoginLockoutsConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (its own app config has none)."""

    verbose_name = _("Login lockouts")
