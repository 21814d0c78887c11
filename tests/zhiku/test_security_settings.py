"""Security settings: the site-wide CSP forbids inline script; HSTS preload is opt-in."""

import json
import secrets
import subprocess
import sys

import pytest

from tests.zhiku.test_settings import ROOT


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script(client):
    """The login page (no session needed) carries the policy: scripts from our origin only."""
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives.get("default-src", [])


def _production_setting(name: str, **env) -> object:
    code = "import json; from django.conf import settings; print(json.dumps(getattr(settings, %r)))" % name
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "zhiku.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": "postgres://zhiku@127.0.0.1:5432/zhiku",
            **env,
        },
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_preload_is_off_unless_asked_for():
    """HSTS for a year by default, but not preload (hard to undo); SECURE_HSTS_PRELOAD=1 turns it on."""
    assert _production_setting("SECURE_HSTS_SECONDS") == 31536000
    assert _production_setting("SECURE_HSTS_PRELOAD") is False
    assert _production_setting("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") is True
