"""What is kept per person (permissions, 待我处理, the issue page) survives a login — every login
saves the user's last_login — and is forgotten when the person really changes."""

from briefs import issue_page, waiting
from tests.factories import UserFactory
from zhiku.auth_backends import PERMISSIONS

KEPT_BY_PERSON = (PERMISSIONS, waiting.GENERATION, issue_page.GENERATION)


def _generations():
    return [generation.current() for generation in KEPT_BY_PERSON]


def test_a_login_moves_no_generation_and_a_changed_person_moves_them_all(db, client):
    user = UserFactory()
    before = _generations()
    client.force_login(user)  # saves last_login alone
    user.refresh_from_db()
    assert user.last_login is not None
    assert _generations() == before
    user.first_name = "新"
    user.save()
    assert all(now != then for now, then in zip(_generations(), before, strict=True))
