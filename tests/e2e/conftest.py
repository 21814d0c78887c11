"""Browser tests: Playwright's sync API driving Debian's Chromium (it cannot download its own).

Playwright runs an event loop in this thread, so Django's async-safety check must be relaxed for
the test process; the live server itself runs in its own thread as usual.
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium not found at %s: apt-get install chromium (see README)" % CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """login("editor") signs in through the admin login form with the demo password."""

    def _login(username: str, password: str = "zhiku-demo"):
        page.context.clear_cookies()
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        return page

    return _login


@pytest.fixture
def e2e_demo(transactional_db, settings):
    """load_demo for browser tests (the live server needs committed data)."""
    from django.core.management import call_command

    settings.DEBUG = True
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    settings.DEBUG = False
