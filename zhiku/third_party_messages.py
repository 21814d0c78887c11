"""Strings that Django and django-simple-history show in the admin but do not translate into
Simplified Chinese (yet). Marked here so that `scripts/messages.sh zhiku` keeps them in zhiku's
catalogue, which supplies the translation: a msgid missing from every catalogue loaded before ours
is looked up in ours (Django merges the catalogues of all installed apps).

Nothing imports this module; it exists for makemessages.
"""

from django.utils.translation import gettext_noop

MESSAGES = (
    # django/contrib/admin/templates/admin/app_list.html (column headers for screen readers, 5.1+)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # the page title of a form with errors (change_form.html, login.html, …; 5.0+)
    gettext_noop("Error:"),
    # django/contrib/admin/templates/admin/auth/user/add_form.html (5.1+)
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # simple_history/templates/simple_history/object_history_list.html
    gettext_noop("Changes"),
    # django-axes: the fields zhiku's login-lockout admin shows (axes/models.py)
    gettext_noop("IP Address"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Username"),
    # … and its models, listed by name among the permissions on the group and user pages
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
