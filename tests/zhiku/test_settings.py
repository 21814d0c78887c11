"""Configuration comes from the environment; production settings pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    # Start from the test process's environment minus what the tests themselves set (the browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly reports).
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    """With the documented variables set, `check --deploy` reports nothing, warnings included."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="zhiku.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://zhiku@127.0.0.1:5432/zhiku",
        ALLOWED_HOSTS="briefs.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """No secret in code: without SECRET_KEY the production settings do not load."""
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="zhiku.settings.production",
        DATABASE_URL="postgres://zhiku@127.0.0.1:5432/zhiku",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_chinese_locale_and_timezone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_sqlite_is_tuned_for_concurrent_use(settings):
    """WAL and IMMEDIATE transactions, so concurrent writers queue instead of failing."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        assert db["ENGINE"] == "django.db.backends.postgresql"
        return
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_every_app_catalogue_is_found_and_no_locale_path_is_missing(settings):
    """LOCALE_PATHS names only folders that exist, and each of our apps has a compiled zh_Hans
    catalogue in its own locale folder (where Django looks through INSTALLED_APPS)."""
    from pathlib import Path

    assert [p for p in settings.LOCALE_PATHS if not Path(p).is_dir()] == []
    catalogues = {
        app: (Path(settings.BASE_DIR) / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").is_file()
        for app in ("zhiku", "briefs", "circulation", "clusters")
    }
    assert catalogues == {"zhiku": True, "briefs": True, "circulation": True, "clusters": True}
