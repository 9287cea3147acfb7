"""What a reader sees of a built digest in a real browser: the home page scans at a
glance on a desktop, and no page is wider than a phone."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from benchmarks.corpus import write_corpus
from playwright.sync_api import Browser, Route

from tests.conftest import SiteFolder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 30-day link-dense digest, built by the real CLI and served over HTTP."""
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root, posts=30, seed=2024, hugo=False)
    site = SiteFolder(root / "digest")
    run = site.digest("build")
    assert run.code == 0, run.stderr
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site.root / "public"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _local_only(route: Route) -> None:
    # The corpus points its images at example hosts: nothing leaves the machine.
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


def test_ten_days_fit_on_a_desktop_screen(browser: Browser, served: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", _local_only)
    page.goto(f"{served}/")

    tops = page.eval_on_selector_all(
        "article.day :is(h2)", "headings => headings.map(h => h.getBoundingClientRect().top)"
    )
    context.close()

    assert len(tops) == 10
    assert sum(top < 900 for top in tops) >= 10, tops


@pytest.mark.parametrize("path", ["/", "/2020/01/", "/feeds/", "/archive/", "/tags/"])
def test_nothing_is_wider_than_a_phone(browser: Browser, served: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.route("**/*", _local_only)
    page.goto(f"{served}{path}")
    post = page.get_attribute("article.day a", "href") if path == "/" else None

    widths = [page.evaluate("document.documentElement.scrollWidth")]
    if post:
        page.goto(f"{served}{post}")
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
    context.close()

    assert all(width <= 390 for width in widths), widths
