"""Screenshots of the sample site for the README: home, a post and search, light and dark,
desktop and phone, taken in headless Chromium (Debian's, driven by Playwright).

    python benchmarks/screenshots.py [--out docs/screenshots]

It builds this repository's sample site into a temporary folder, serves it on 127.0.0.1
and writes one PNG per page, scheme and screen. Rerun it when the theme changes, and
review the pictures before committing them.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests.browser.chromium import CHROMIUM, FLAGS  # noqa: E402 - the repo's own helper

PAGES = {"home": "/", "post": "/2024/03/01/", "search": "/search/?q=模型"}
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")


def build(output: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "digest", "build", "--output", str(output)],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )


def shoot(site: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    made = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for screen, viewport in SCREENS.items():
                for scheme in SCHEMES:
                    context = browser.new_context(
                        viewport=viewport,  # type: ignore[arg-type]
                        color_scheme=scheme,  # type: ignore[arg-type]
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    for name, path in PAGES.items():
                        page.goto(origin + path, wait_until="networkidle")
                        target = out / f"{name}-{screen}-{scheme}.png"
                        page.screenshot(path=str(target))
                        made.append(target)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build(site)
        for path in shoot(site, args.out):
            print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
