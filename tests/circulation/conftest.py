import pytest

from tests.factories import UserFactory, role_user
from zhiku import roles


@pytest.fixture
def clerk(db):
    return role_user(roles.CIRCULATION, username="clerk-test")


@pytest.fixture
def editor_user(db):
    return role_user(roles.EDITOR, username="editor-test")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-test", is_superuser=True)
