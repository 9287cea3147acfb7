"""The theme's pages checked by axe-core (WCAG 2 A and AA rules) in a real browser, light
and dark: the sample site of this repository, built by the real CLI and served over HTTP.

axe-core comes from the npm registry (``tests/tools/axe``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import SiteFolder

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/page/2/", "/2024/03/01/", "/2024/02/19/", "/2024/", "/archive/", "/tags/"]
PAGES += ["/feeds/", "/about/", "/search/?q=模型", "/404.html"]


@pytest.fixture(scope="module")
def axe_ready() -> None:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("tests/tools/axe is required in CI (.ci/run installs it)")
        pytest.skip("run 'npm install --prefix tests/tools/axe'")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "pyproject.toml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    site = SiteFolder(root)
    run = site.digest("build")
    assert run.code == 0, run.stderr
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root / "public"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(browser: Browser, axe_ready: None, served: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(served + path)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
            })).violations.map(
                v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")
            )"""
        )
        if violations:
            found[path] = violations
    context.close()

    assert found == {}
