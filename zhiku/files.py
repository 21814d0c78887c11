"""Serving a stored file after the view has checked permission.

In production nginx sends the bytes: the view answers with ``X-Accel-Redirect`` pointing into an
``internal`` location (see docs/deploy.md), so the worker is free at once and the file is never
reachable without passing the check. Without the setting (``make run``, tests) Django streams it.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def protected_file_response(request, path: str, content_type: str, filename: str, inline: bool = False):
    """The response for the stored file ``path`` (a name in default storage), already permitted.

    ``filename`` is what the browser saves it as; ``inline`` shows it in the browser instead.
    """
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(path.lstrip("/"))
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
        return response
    return FileResponse(
        default_storage.open(path, "rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
