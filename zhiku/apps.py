from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZhikuConfig(AppConfig):
    default = True  # the config for "zhiku" (AxesConfig below is named in INSTALLED_APPS)
    name = "zhiku"
    verbose_name = _("System")

    def ready(self):
        from django.contrib.auth.models import Permission

        from . import checks  # noqa: F401  (registers system checks)
        from .auth_backends import PERMISSIONS

        PERMISSIONS.follow_people()
        PERMISSIONS.follow(Permission)


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name (the group page lists its permissions by app)."""

    verbose_name = _("Login throttling")
