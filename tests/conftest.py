"""Shared fixtures. App-specific fixtures live in tests/<app>/conftest.py."""

import pytest
from django.core.management import call_command


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
