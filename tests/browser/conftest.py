"""Headless Chromium (Debian's package) driven by Playwright. Tests skip, saying why, where it is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DOYAK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
SCREENSHOT_DIR = Path(os.environ.get("DOYAK_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))

# Playwright's sync API runs an event loop in the test thread; the ORM calls in our tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def watch_csp(context, violations: list[str]) -> None:
    """Collect the console messages Chromium writes when the Content-Security-Policy refuses something."""
    context.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


@pytest.fixture
def logged_in_page(browser, live_server, client):
    """A page factory: ``open(user, lang, width)`` returns a page signed in as ``user``.

    Every page it opens fails its test at teardown if the Content-Security-Policy refused anything."""
    contexts = []
    csp_violations: list[str] = []

    def open_page(user, *, lang: str = "ko", width: int = 1280, height: int = 900):
        client.force_login(user)
        session_cookie = client.cookies["sessionid"].value
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
        contexts.append(context)
        watch_csp(context, csp_violations)
        context.add_cookies([
            {"name": "sessionid", "value": session_cookie, "url": live_server.url},
            {"name": "django_language", "value": lang, "url": live_server.url},
        ])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert csp_violations == [], csp_violations


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
