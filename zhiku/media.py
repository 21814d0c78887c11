"""Uploaded files are never public: /media/<path> is this view, not a static folder.

Each top folder of MEDIA_ROOT belongs to somebody who says who may fetch a file in it: apps
register a guard per folder (from ``AppConfig.ready``; zhiku imports no app), and a folder nobody
registered is not served at all. Anonymous users are sent to the login, non-staff get 403, and a
file the guard does not vouch for is a 404 (its existence is not revealed).

What is served can never run as a page of this site: the content type comes from an allowlist of
extensions (anything else is an octet-stream download), ``X-Content-Type-Options: nosniff`` stops
the browser from guessing, a Content-Security-Policy forbids script, and only images and PDFs are
shown inline.
"""

import posixpath
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header

# A guard answers: may this (logged-in, active staff) user fetch this stored file name?
MediaGuard = Callable[[object, str], bool]
_guards: dict[str, MediaGuard] = {}

INLINE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
FILE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"
)


def register_media_folder(folder: str, guard: MediaGuard) -> None:
    _guards[folder] = guard


def staff_only(user, name: str) -> bool:
    """Any active staff member (the view has checked that much already)."""
    return True


def protected_file_response(name: str, *, download_name: str | None = None, inline: bool = True) -> HttpResponse:
    """The stored file ``name``, already permitted, as a response that cannot run script: typed by
    an allowlist of extensions, nosniff, a script-free CSP, and an attachment unless it is an image
    or PDF shown inline.

    With ``MEDIA_ACCEL_REDIRECT_PREFIX`` set (production behind nginx) the bytes are sent by nginx
    from its ``internal`` location (``X-Accel-Redirect``), so the worker is free at once and the file
    is never reachable without this check; otherwise (``make run``, tests) Django streams it.
    """
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    content_type = INLINE_TYPES.get(extension)
    show_inline = inline and content_type is not None
    content_type = content_type or "application/octet-stream"
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name.lstrip("/"))
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        not show_inline, download_name or posixpath.basename(name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-cache"
    return response


def _clean_name(path: str) -> str | None:
    """The storage name for a URL path, or None for anything that tries to leave MEDIA_ROOT."""
    if "\\" in path or "\x00" in path:
        return None
    name = posixpath.normpath(path)
    if name.startswith(("/", "..")) or name in (".", "") or "/../" in name:
        return None
    return name


def serve_media(request, path: str):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (user.is_active and user.is_staff):
        raise PermissionDenied
    name = _clean_name(path)
    guard = _guards.get(name.split("/", 1)[0]) if name else None
    if guard is None or not guard(user, name) or not default_storage.exists(name):
        raise Http404
    return protected_file_response(name, inline=request.GET.get("download") != "1")


# Rich-text images belong to article bodies, which every staff role may read.
register_media_folder("richtext", staff_only)
