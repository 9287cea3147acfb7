"""The one headless Chromium the browser tests share (Debian's, driven by Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, FLAGS

try:
    from playwright.sync_api import Browser, sync_playwright
except ImportError:  # pragma: no cover - only without the test extras
    sync_playwright = None  # type: ignore[assignment]  # the tests skip when it is None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Started once per test module and stopped after it: Playwright's sync API keeps an
    event loop running while it is open, and in-process builds of later tests need none
    (Pagefind's Python API runs one of its own)."""
    if sync_playwright is None or not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("playwright and /usr/bin/chromium are required in CI")
        pytest.skip("needs PyPI playwright and Debian chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
