"""Image upload for the rich-text editor.

Replaces django-ckeditor-5's own view (same URL name) because that one trusts the file name and
only asks Pillow whether the bytes parse: here the image format itself must be on the list, the
size and the pixel count are capped, wide images are scaled down to print resolution, the stored
name is random, and only logged-in staff may upload.
"""

import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def image_max_pixels() -> int:
    """Largest canvas accepted (width × height). A 140 KB PNG can declare 12000×12000 pixels and
    cost hundreds of MB each time it is decoded for a PDF; 25 megapixels is a 5000×5000 photo."""
    return getattr(settings, "IMAGE_MAX_PIXELS", 25_000_000)


def image_max_width() -> int:
    """Wider images are scaled down on upload: the A4 text block (156 mm) at 300 dpi is 1,843 px."""
    return getattr(settings, "IMAGE_MAX_WIDTH", 1900)


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


def image_too_many_pixels(upload) -> str | None:
    """A Chinese message when the image's declared canvas is over the pixel cap, else None (also
    for files that are no image: detect_image_format says what is wrong with those). Only the
    header is read, so the check costs nothing however large the canvas claims to be."""
    limit = image_max_pixels()
    too_large = _("Image too large: %(width)d × %(height)d pixels, the limit is %(max)d megapixels.")
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels on; we refuse well below that.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return _("Image too large: over %(max)d megapixels.") % {"max": limit // 1_000_000}
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    if width * height > limit:
        return too_large % {"width": width, "height": height, "max": limit // 1_000_000}
    return None


def image_fit_for_print(upload, image_format: str):
    """The upload itself when it is narrow enough, else a copy scaled down to the print width
    (aspect kept, EXIF rotation applied) in the same format."""
    max_width = image_max_width()
    upload.seek(0)
    with Image.open(upload) as image:
        if image.width <= max_width:
            upload.seek(0)
            return upload
        if image_format == "JPEG":
            # Let the JPEG decoder skip detail we are about to throw away.
            image.draft("RGB", (max_width, max_width * image.height // image.width))
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGB" if image_format == "JPEG" else "RGBA")
        image.thumbnail((max_width, max_width * 10), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
        image.save(buffer, format=image_format, **options)
    upload.seek(0)
    return ContentFile(buffer.getvalue())


def validate_scan(upload) -> None:
    """Kept for migrations written before zhiku.scans; the check itself lives there."""
    from zhiku.scans import validate_scan as check

    check(upload)


@deconstructible
class RandomUploadName:
    """``upload_to`` that stores a file under ``folder/YYYY/<random>.<ext>``: the user's file name
    never reaches the disk or the URL."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        # The extension is kept only as far as it is a plain word; scans get theirs from their
        # content (zhiku.scans.ScanFieldFile) before this is called.
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
    too_large = image_too_many_pixels(upload)
    if too_large:
        return _error(too_large, 400)
    image_format = detect_image_format(upload)
    if image_format is None:
        return _error(_("Only JPEG, PNG, GIF or WebP images can be uploaded."), 400)
    upload = image_fit_for_print(upload, image_format)
    now = timezone.localtime()
    name = "richtext/%04d/%02d/%s.%s" % (now.year, now.month, uuid.uuid4().hex, ALLOWED_FORMATS[image_format])
    stored = default_storage.save(name, upload)
    return JsonResponse({"url": default_storage.url(stored)})
