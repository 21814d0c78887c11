"""Image upload for the rich-text editor: staff only, images only (by content), size-limited."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import UserFactory


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def url():
    return reverse("ck_editor_5_upload_file")


@pytest.mark.django_db
def test_staff_can_upload_a_png(client, url, settings):
    """A real PNG from a staff member is stored under a random name and its URL returned."""
    client.force_login(UserFactory(is_staff=True))
    response = client.post(url, {"upload": SimpleUploadedFile("图.png", png_bytes(), "image/png")})
    assert response.status_code == 200
    stored = response.json()["url"]
    assert stored.startswith("/media/richtext/") and stored.endswith(".png")
    assert "图" not in stored


@pytest.mark.django_db
def test_anonymous_and_non_staff_are_refused(client, url):
    """Uploads are for logged-in staff only; others get 403 and a Chinese message."""
    response = client.post(url, {"upload": SimpleUploadedFile("a.png", png_bytes(), "image/png")})
    assert response.status_code == 403
    assert "工作人员" in response.json()["error"]["message"]
    client.force_login(UserFactory(is_staff=False))
    response = client.post(url, {"upload": SimpleUploadedFile("a.png", png_bytes(), "image/png")})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<script>alert(1)</script>"),  # a script named like an image
        ("doc.jpg", b"%PDF-1.4 fake pdf"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
    ],
)
def test_non_images_are_refused_by_content(client, url, name, content):
    """The extension does not matter: the bytes must be a JPEG, PNG, GIF or WebP image."""
    client.force_login(UserFactory(is_staff=True))
    response = client.post(url, {"upload": SimpleUploadedFile(name, content, "image/png")})
    assert response.status_code == 400
    assert "只能上传" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_oversized_image_is_refused(client, url, settings):
    """An image over RICHTEXT_IMAGE_MAX_BYTES is refused with its size named, nothing stored."""
    settings.RICHTEXT_IMAGE_MAX_BYTES = 100
    client.force_login(UserFactory(is_staff=True))
    response = client.post(url, {"upload": SimpleUploadedFile("big.png", png_bytes((64, 64)), "image/png")})
    assert response.status_code == 400
    assert "图片过大" in response.json()["error"]["message"]


def declared_png(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb: the
    file is tiny, decoding it would allocate the whole canvas)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 16, 9)  # the first rows; enough for Pillow's checks
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.django_db
def test_an_image_over_the_pixel_cap_is_refused(client, url, settings, tmp_path):
    """Finding 5: a 12000×12000 PNG of a few KB is refused with its size in pixels; nothing stored."""
    settings.MEDIA_ROOT = str(tmp_path)
    bomb = declared_png(12000, 12000)
    assert len(bomb) < 150_000
    client.force_login(UserFactory(is_staff=True))
    response = client.post(url, {"upload": SimpleUploadedFile("bomb.png", bomb, "image/png")})
    assert response.status_code == 400
    assert "12000 × 12000" in response.json()["error"]["message"]
    assert "图片过大" in response.json()["error"]["message"]
    assert list(tmp_path.rglob("*.*")) == []


@pytest.mark.django_db
def test_a_wide_image_is_scaled_down_to_print_resolution(client, url, settings, tmp_path):
    """A 4000×1000 photo is stored at the print width (1900 px), aspect kept, still a JPEG."""
    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 1000), "blue").save(buffer, format="JPEG")
    client.force_login(UserFactory(is_staff=True))
    response = client.post(url, {"upload": SimpleUploadedFile("wide.jpg", buffer.getvalue(), "image/jpeg")})
    assert response.status_code == 200
    (stored,) = tmp_path.rglob("*.jpg")
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (1900, 475)


@pytest.mark.django_db
def test_a_narrow_image_is_stored_as_uploaded(client, url, settings, tmp_path):
    """An image already narrower than the print width is stored byte for byte."""
    settings.MEDIA_ROOT = str(tmp_path)
    original = png_bytes((300, 200))
    client.force_login(UserFactory(is_staff=True))
    assert client.post(url, {"upload": SimpleUploadedFile("n.png", original, "image/png")}).status_code == 200
    (stored,) = tmp_path.rglob("*.png")
    assert stored.read_bytes() == original


@pytest.mark.django_db
def test_a_scan_over_the_pixel_cap_is_refused():
    """Scans are images too: the same cap applies to a PNG 批示 scan."""
    from django.core.exceptions import ValidationError

    from zhiku.scans import validate_scan

    with pytest.raises(ValidationError) as excinfo:
        validate_scan(SimpleUploadedFile("scan.png", declared_png(12000, 12000)))
    assert "12000 × 12000" in str(excinfo.value)
