"""Worker processes never outlive the build: a killed or stopped ``digest build`` leaves
no process holding its output open, and a stopped one no half-written site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PINNED_ENV, SiteFolder

if not sys.platform.startswith("linux"):
    pytest.skip("reads child processes from /proc", allow_module_level=True)


def _many_posts(site: SiteFolder, count: int = 1500) -> None:
    for number in range(count):
        day = f"{2000 + number // 300}-{number // 28 % 12 + 1:02d}-{number % 28 + 1:02d}"
        site.write(
            f"content/{day}-p{number}.md",
            f"---\ntitle: 第 {number} 期\ntags: [t{number % 40}]\n---\n\n"
            + f"## 第 {number} 条\n\n一段文字，[链接](https://example.com/{number})。\n" * 8,
        )


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(child) for child in text.split())
    return found


def _start(site: SiteFolder) -> tuple[subprocess.Popen[bytes], set[int]]:
    """``digest build -j 2`` running, and its workers once they are there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "-j", "2"],
        cwd=site.root,
        env={**os.environ, **PINNED_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if len(workers) == 2:
            return process, workers
        assert process.poll() is None, "the build ended before its workers were seen"
        time.sleep(0.01)
    pytest.fail("no workers started")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _assert_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"workers still running: {pids}"
        time.sleep(0.05)


def test_workers_end_when_the_build_is_killed(site: SiteFolder) -> None:
    _many_posts(site)
    process, workers = _start(site)

    process.kill()

    _assert_gone(workers)
    # Nothing holds the build's output open any more: a reader sees its end.
    process.communicate(timeout=5)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("stop", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")], ids=["term", "int"]
)
def test_a_stopped_build_ends_cleanly(site: SiteFolder, stop: signal.Signals, name: str) -> None:
    _many_posts(site)
    assert site.digest("build").code == 0
    site.write("templates/post.html", '{% extends "base.html" %}{% block main %}X{% endblock %}')
    before = site.snapshot()
    process, workers = _start(site)

    process.send_signal(stop)

    _, err = process.communicate(timeout=20)
    assert process.returncode == 128 + stop, err.decode()
    stopped = f"digest: stopped by {name}; no file was left half-written"
    assert err.decode().splitlines() == [stopped]
    _assert_gone(workers)
    assert site.snapshot() == before
