"""Browser tests: Playwright's sync API driving Debian's Chromium against a live server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 740}


@pytest.fixture(autouse=True)
def _serve_project_static_files():
    """Serve src/gridgov/static (our CSS/JS, vendored Leaflet) if settings do not list it yet.

    The project's static directory is not an app's, so it needs STATICFILES_DIRS; until
    settings carry it (tests/views/test_static_files.py checks), add it for the browser."""
    from django.contrib.staticfiles import finders
    from django.test import override_settings

    import gridgov

    if finders.find("gridgov/css/app.css"):
        yield
        return
    static_dir = Path(gridgov.__file__).resolve().parent / "static"
    with override_settings(STATICFILES_DIRS=[static_dir]):
        finders.get_finder.cache_clear()
        yield
    finders.get_finder.cache_clear()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; run scripts/install-system-deps.sh")
        pytest.skip(f"{CHROMIUM} is not installed (scripts/install-system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized browser context (its own cookies) with Chinese as the browser language."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.js_errors = errors  # script errors, console errors and failed requests
    yield page
    context.close()


@pytest.fixture
def town_demo(transactional_db):
    """The town demo, seeded through the services as `make demo` does (the journeys of issues 13, 14)."""
    from gridgov.demo.generator import seed_demo
    from gridgov.events.catalog import seed_categories
    from tests.factories import TEST_PASSWORD

    seed_categories()
    return seed_demo(scale="town", password=TEST_PASSWORD)
