"""Issue 10, finding 7: wrong passwords lock the username+address out (django-axes).

After AXES_FAILURE_LIMIT wrong passwords for one account from one address, even the right
password is refused with a Chinese page (HTTP 429) until the cool-off passes or an administrator
unlocks it in the admin; the same account from another address is not affected.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import role_user
from zhiku import roles

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def editor(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = role_user(roles.EDITOR, "locked-editor")
    user.set_password("right-password")
    user.save()
    return user


def _lock_out(editor) -> Client:
    client = Client()
    for _attempt in range(2):
        assert _login(client, editor.username, "wrong").status_code == 200  # the form, with its error
    assert _login(client, editor.username, "wrong").status_code == 429  # the third locks
    return client


def test_the_right_password_is_refused_after_too_many_wrong_ones(editor):
    """Three wrong passwords, then the right one: refused with 429 and a Chinese message."""
    client = _lock_out(editor)
    response = _login(client, editor.username, "right-password")
    assert response.status_code == 429
    assert not _logged_in(response)
    page = response.content.decode()
    assert "登录已锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out(editor):
    """The lock is on username and address together: the owner at another desk still gets in."""
    _lock_out(editor)
    assert _logged_in(_login(Client(), editor.username, "right-password", address="10.0.0.2"))


def test_the_lock_lifts_after_the_cool_off(editor):
    """When the cool-off has passed since the last failure, the right password works again."""
    _lock_out(editor)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _logged_in(_login(Client(), editor.username, "right-password"))


def test_an_administrator_unlocks_in_the_admin(editor):
    """The 管理员 role sees the lockout in the admin (in Chinese) and deletes it; then the
    right password works at once."""
    _lock_out(editor)
    admin = Client()
    admin.force_login(role_user(roles.ADMINISTRATOR, "unlocker"))
    listing = admin.get("/admin/zhiku/loginlockout/")
    assert listing.status_code == 200
    assert editor.username in listing.content.decode() and "登录锁定" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=editor.username)
    response = admin.post("/admin/zhiku/loginlockout/%d/delete/" % attempt.pk, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _logged_in(_login(Client(), editor.username, "right-password"))
