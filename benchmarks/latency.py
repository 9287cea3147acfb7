"""Edit-to-refresh latency of ``digest serve``: file written → new text visible in a browser.

    python benchmarks/latency.py [--sizes 100 5000] [--repeat 5]

For each size it writes a corpus (benchmarks/corpus.py), starts ``digest serve``, opens
headless Chromium (Debian's, driven by Playwright) and measures, as the median of
--repeat tries:

    body edit   one post's text changed while its page is open
    new post    the next day's post added while the home page is open

The clock starts just before the file is written and stops when the browser shows the
new text, so it includes the watcher's quiet period, the rebuild, the reload signal,
the reload and the page's rendering. Before each try the search index that serve makes
in the background after a build is let finish, as it does between a writer's saves: the
measure is the preview's, not two builds' worth of CPU sharing two cores.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.corpus import write_corpus  # noqa: E402 - run as a script from the repo
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.chromium import FLAGS  # noqa: E402 - shared with the tests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_index(server: subprocess.Popen[str]) -> None:
    """Until no Pagefind process of ``server``'s is running (the background index is made)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = False
        for entry in Path("/proc").iterdir():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"PPid:\t{server.pid}\n" in status and b"pagefind" in command:
                running = True
                break
        if not running:
            return
        time.sleep(0.05)


def seconds_until_visible(page: Page, text: str, write: object) -> float:
    started = time.perf_counter()
    write()  # type: ignore[operator]
    page.wait_for_function(
        "text => document.body && document.body.innerText.includes(text)",
        arg=text,
        timeout=60_000,
        polling=5,
    )
    return time.perf_counter() - started


def measure(size: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        write_corpus(Path(folder), size, seed=2024, hugo=False)
        site = Path(folder) / "digest"
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--port", str(port)],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving "):
                break
        # Read the rest, so the server never waits on a full pipe.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        posts = sorted((site / "content").rglob("*.md"))
        newest = posts[-1]
        day = newest.parent.name + "/" + newest.stem.replace("-", "/")
        base = f"http://127.0.0.1:{port}"
        edits: list[float] = []
        added: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=FLAGS
                )
                page = browser.new_page()
                for attempt in range(repeat):
                    wait_for_index(server)
                    page.goto(f"{base}/{day}/")
                    marker = f"延迟测试标记{attempt}号"

                    def edit(marker: str = marker) -> None:
                        with newest.open("a", encoding="utf-8") as stream:
                            stream.write(f"\n\n{marker}\n")

                    edits.append(seconds_until_visible(page, marker, edit))
                    wait_for_index(server)
                    page.goto(f"{base}/")
                    # The next day's digest, as a writer adds one every day.
                    title = f"新加的一期{attempt}号"
                    last = max((site / "content").rglob("*.md"))  # content/YYYY/MM-DD.md
                    tomorrow = date.fromisoformat(f"{last.parent.name}-{last.stem}") + timedelta(1)
                    target = site / "content" / f"{tomorrow:%Y}" / f"{tomorrow:%m-%d}.md"

                    def add(title: str = title, target: Path = target) -> None:
                        target.parent.mkdir(exist_ok=True)
                        target.write_text(f"---\ntitle: {title}\n---\n\n正文。\n", encoding="utf-8")

                    added.append(seconds_until_visible(page, title, add))
                browser.close()
        finally:
            server.terminate()
            server.wait()
            server.stdout.close()
    return {"body edit": statistics.median(edits), "new post": statistics.median(added)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; median of {args.repeat}; seconds from save to visible")
    print(f"{'posts':>6}  {'body edit':>10}  {'new post':>10}")
    for size in args.sizes:
        result = measure(size, args.repeat)
        print(f"{size:>6}  {result['body edit']:>10.3f}  {result['new post']:>10.3f}")


if __name__ == "__main__":
    main()
