"""Helpers of the journey tests of issue 11 §B and §C: a signed-in browser context on a phone
(390×844, the size of a common phone today) or at a desk, collecting what went wrong in the
page, and the checks a user would notice (nothing sideways, no code where a name belongs)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import TEST_PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp/h6shots")

# A 6- to 15-digit org code standing where a name should: a place written as its code.
ORG_CODE = re.compile(r"(?<![\d.])\d{6,15}(?![\d.])")


def open_as(browser, live_server, username, viewport=PHONE, **context_options):
    """A fresh signed-in context in Chinese; `page.js_errors` collects script errors, console
    errors and failed requests."""
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone,
                                  **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.js_errors = errors
    if username:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    return context, page


def shot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def nothing_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def main_text(page) -> str:
    """The words of the page's main part, as the user reads them."""
    return page.locator("main").inner_text()
