import pytest

from briefs.models import Series
from tests.factories import role_user
from zhiku import roles


@pytest.fixture
def importer(db):
    """An administrator by role (not a superuser): holds backcatalogue.import_back_issues."""
    return role_user(roles.ADMINISTRATOR, username="archivist")


@pytest.fixture
def series(db):
    return Series.objects.create(
        name="领军参阅",
        slug="lingjun",
        publisher_lines="苏州太湖书院 主办\n苏州太湖智库",
        tagline="市管重点新型智库",
        fax="65519639",
        address="苏州市吴中区胥口镇灵山路 609 号",
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
