"""Shared fixtures. App-specific fixtures live in tests/<app>/conftest.py."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media_root():
    """zhiku.settings.test puts media in a fresh temporary folder per run; remove it at the end."""
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    yield
    if root.name.startswith("zhiku-test-media-"):
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def demo(db, settings):
    """The demo data as `make run` loads it (accounts included, as under DEBUG)."""
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    from briefs.models import Issue

    return {
        "issue_117": Issue.objects.get(total_number=117),
        "twin": Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力"),
    }
