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
