import pytest

from circulation import services
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


@pytest.fixture
def numbered(demo, clerk):
    """Issue 117 with its copies numbered (001…N) by the clerk."""
    issue = demo["issue_117"]
    services.copies_number(issue=issue, user=clerk)
    return issue
