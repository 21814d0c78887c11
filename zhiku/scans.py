"""Scanned documents (the paper sign-off, a leader's 批示): what they are is read from their bytes.

A file is a scan only if it parses as what it claims to be: a PDF opens with pypdf and has a page,
a PNG or JPEG verifies with Pillow (within the pixel cap of zhiku.uploads). Nothing else is
accepted, and the stored name gets an extension derived from the detected type, never the
uploader's: a ``.html`` or ``.svg`` "scan" cannot reach the disk, so it can never be served as a
page of this site. ``ScanField`` checks again when the file is saved, whatever the write path.
"""

import logging
import os

from django import forms
from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from zhiku.uploads import detect_image_format, image_too_many_pixels

# Detected type → stored extension. The extension is what the file server keys the content type on.
SCAN_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}
_IMAGE_KINDS = {"PNG": "png", "JPEG": "jpeg"}


def scan_max_bytes() -> int:
    return getattr(settings, "SCAN_MAX_BYTES", 10 * 1024 * 1024)


def _is_pdf(upload) -> bool:
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        return False
    upload.seek(0)
    # pypdf logs every repair it attempts on a broken file; a refused upload is not an error of ours.
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return len(reader.pages) > 0
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError, RecursionError):
        return False
    finally:
        pypdf_logger.setLevel(level)
        upload.seek(0)


def scan_kind(upload) -> str | None:
    """ "pdf", "png" or "jpeg" judged by parsing the bytes; None for anything else."""
    if _is_pdf(upload):
        return "pdf"
    return _IMAGE_KINDS.get(detect_image_format(upload) or "")


def validate_scan(upload) -> None:
    """A scan: PDF, PNG or JPEG by content, at most SCAN_MAX_BYTES."""
    limit = scan_max_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("The scan is too large: %(size)d bytes, the limit is %(max)d bytes.")
            % {"size": upload.size, "max": limit}
        )
    too_large = image_too_many_pixels(upload)  # None for a PDF: Pillow does not open those
    if too_large:
        raise forms.ValidationError(too_large)
    if scan_kind(upload) is None:
        raise forms.ValidationError(_("The scan must be a PDF, JPEG or PNG file."))


class ScanFieldFile(FieldFile):
    def save(self, name, content, save=True):
        # Every write path ends here (form, service, shell): a file that is not a scan is refused
        # before storage sees it, and the extension comes from what the bytes are.
        kind = scan_kind(content)
        if kind is None:
            raise forms.ValidationError(_("The scan must be a PDF, JPEG or PNG file."))
        name = "%s.%s" % (os.path.splitext(os.path.basename(name or "scan"))[0] or "scan", SCAN_EXTENSIONS[kind])
        super().save(name, content, save)


class ScanField(models.FileField):
    """A FileField for scans: validated by content, stored with the detected type's extension."""

    attr_class = ScanFieldFile
    default_validators = [validate_scan]
