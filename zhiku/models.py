"""The one model of zhiku: django-axes' access attempt, shown in the admin as a login lockout.

A proxy (no table of its own) so that its name and ``__str__`` are Chinese; axes' own admin,
whose titles are English f-strings, is switched off (AXES_ENABLE_ADMIN = False).
"""

from axes.models import AccessAttempt
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class LoginLockout(AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("Login lockout")
        ordering = ["-attempt_time"]

    def __str__(self):
        return gettext("%(username)s from %(address)s") % {"username": self.username, "address": self.ip_address}
