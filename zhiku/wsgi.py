"""WSGI entry point. Production sets DJANGO_SETTINGS_MODULE=zhiku.settings.production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiku.settings.production")

application = get_wsgi_application()
