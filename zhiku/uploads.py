"""Image upload for the rich-text editor.

Replaces django-ckeditor-5's own view (same URL name) because that one trusts the file name and
only asks Pillow whether the bytes parse: here the image format itself must be on the list, the
size is capped, the stored name is random, and only logged-in staff may upload.
"""

import os
import uuid

from django import forms
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=status)


def detect_image_format(upload) -> str | None:
    """The Pillow format name of an uploaded file, or None when it is not an allowed image."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format
    # DecompressionBombError: a small file declaring an enormous canvas is refused, not a 500.
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return image_format if image_format in ALLOWED_FORMATS else None


SCAN_MAX_BYTES = getattr(settings, "SCAN_MAX_BYTES", 10 * 1024 * 1024)


def scan_kind(upload) -> str | None:
    """ "pdf", "jpeg" or "png" judged by the bytes; None for anything else."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    image_format = detect_image_format(upload)
    return {"JPEG": "jpeg", "PNG": "png"}.get(image_format or "")


def validate_scan(upload) -> None:
    """A scanned document (paper sign-off, a leader's 批示): PDF, JPEG or PNG by content, size-limited."""
    if upload.size > SCAN_MAX_BYTES:
        raise forms.ValidationError(
            _("The scan is too large: %(size)d bytes, the limit is %(max)d bytes.")
            % {"size": upload.size, "max": SCAN_MAX_BYTES}
        )
    if scan_kind(upload) is None:
        raise forms.ValidationError(_("The scan must be a PDF, JPEG or PNG file."))


@deconstructible
class RandomUploadName:
    """``upload_to`` that stores a file under ``folder/YYYY/<random>.<ext>``: the user's file name
    never reaches the disk or the URL."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = os.path.splitext(filename)[1].lower()
        if not extension[1:].isalnum() or len(extension) > 6:
            extension = ""
        return "%s/%04d/%s%s" % (self.folder, timezone.localdate().year, uuid.uuid4().hex, extension)

    def __eq__(self, other):
        return isinstance(other, RandomUploadName) and other.folder == self.folder


@require_POST
def upload_image(request):
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        return _error(_("Only staff may upload images."), 403)
    upload = request.FILES.get("upload")
    if upload is None:
        return _error(_("No file was received."), 400)
    max_bytes = settings.RICHTEXT_IMAGE_MAX_BYTES
    if upload.size > max_bytes:
        return _error(
            _("Image too large: %(size)d bytes, the limit is %(max)d bytes.") % {"size": upload.size, "max": max_bytes},
            400,
        )
    image_format = detect_image_format(upload)
    if image_format is None:
        return _error(_("Only JPEG, PNG, GIF or WebP images can be uploaded."), 400)
    now = timezone.localtime()
    name = "richtext/%04d/%02d/%s.%s" % (now.year, now.month, uuid.uuid4().hex, ALLOWED_FORMATS[image_format])
    stored = default_storage.save(name, upload)
    return JsonResponse({"url": default_storage.url(stored)})
