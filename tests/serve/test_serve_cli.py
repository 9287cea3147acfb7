"""``digest serve`` as a writer runs it: a real process, real files, real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import PINNED_ENV, Events, Preview, start_preview, stop_preview

# Stands in for a browser: webbrowser runs $BROWSER with the address for %s.
RECORDING_BROWSER = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"


def test_a_saved_edit_reaches_the_page(preview: Preview) -> None:
    events = Events(preview.port)
    assert events.next()["version"] == 1
    assert "原来的文字。" in preview.get("/2024/02/19/")

    preview.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n改过的文字。\n")

    assert events.next() == {
        "version": 2,
        "problems": [],
        "warnings": [],
        "warning_count": 0,
        "css": False,
    }
    assert "改过的文字。" in preview.get("/2024/02/19/")
    events.close()


def test_the_search_index_follows_each_build_without_holding_it_up(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()
    while events.next("search")["state"] != "current":
        pass  # the first build's index

    preview.write("content/2024-02-20-new.md", "---\ntitle: 新的一篇\n---\n\n谷歌正文。\n")

    seen = [events.any()]
    while seen[-1] != ("search", {"state": "current"}):
        seen.append(events.any())
    # The new pages are announced first; the index is made after, and said when current.
    assert seen[0] == (
        "message",
        {"version": 2, "problems": [], "warnings": [], "warning_count": 0, "css": False},
    )
    assert ("search", {"state": "indexing"}) in seen
    assert "新的一篇" in preview.get("/")
    search_page = preview.get("/search/")
    (bundle,) = re.findall(r'data-bundles="([^"]*)"', search_page)  # one shard: two posts
    entry = json.loads(preview.get(f"{bundle}pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == 2  # the site's language
    assert 'data-search="current"' in search_page
    events.close()


def test_a_new_post_appears_on_the_home_page(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()

    preview.write("content/2024-02-20-new.md", "---\ntitle: 新的一篇\n---\n\n正文。\n")

    assert events.next()["problems"] == []
    assert "新的一篇" in preview.get("/")
    events.close()


def test_a_mistake_is_announced_and_clears_when_fixed(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()

    preview.write("content/2024-02-19.md", "---\ntitle: [unclosed\n---\n\nx\n")
    broken = events.next()
    page = preview.get("/2024/02/19/")
    preview.write("content/2024-02-19.md", "---\ntitle: 修好了\n---\n\nx\n")
    fixed = events.next()

    assert broken["problems"] == [
        "content/2024-02-19.md:2: invalid front matter: did not find expected ',' or ']'"
    ]
    assert "原来的文字。" in page  # the last good page is still served, with the overlay data
    assert "invalid front matter" in page
    assert fixed["problems"] == []
    assert "修好了" in preview.get("/2024/02/19/")
    events.close()


def test_a_date_that_is_no_day_is_announced_and_serving_goes_on(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()

    preview.write("content/2024-02-19.md", "---\ntitle: 第一期\ndate: 2026-02-30\n---\n\nx\n")
    broken = events.next()
    page = preview.get("/2024/02/19/")
    preview.write("content/2024-02-19.md", "---\ntitle: 第一期\ndate: 2026-02-28\n---\n\n好了。\n")
    fixed = events.next()

    assert broken["problems"] == [
        "content/2024-02-19.md:3: invalid date '2026-02-30' (February has 28 days in 2026)"
    ]
    assert "原来的文字。" in page  # the server still answers, with the last good page
    assert "February has 28 days in 2026" in page  # in the data the overlay shows
    assert fixed["problems"] == []
    assert "好了。" in preview.get("/2026/02/28/")
    assert preview.process.poll() is None
    events.close()


def test_a_build_that_fails_by_a_bug_is_announced_and_serving_goes_on(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()
    # Nothing in digest turns this Python error into a located one (yet): it stands for
    # any bug of ours that a build may run into.
    overflow = '{% extends "base.html" %}{% block main %}{{ 2 ** 10000 * 1.0 }}{% endblock %}\n'

    preview.write("templates/post.html", overflow)
    broken = events.next()
    page = preview.get("/2024/02/19/")
    preview.write("templates/post.html", '{% extends "base.html" %}\n')
    fixed = events.next()

    problems = broken["problems"]
    assert isinstance(problems, list)
    assert len(problems) == 1
    assert "int too large to convert to float" in problems[0]
    assert "原来的文字。" in page
    assert fixed["problems"] == []
    assert preview.process.poll() is None
    events.close()


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_in_the_first_build_shows_a_traceback_only_with_debug(
    tmp_path: Path, debug: bool
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "2024-02-19.md").write_text("正文。\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "post.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ 2 ** 10000 * 1.0 }}{% endblock %}\n'
    )
    command = [sys.executable, "-m", "digest", "serve", "--port", "0", "-j", "1"]
    process = subprocess.Popen(
        [*command, "--debug"] if debug else command,
        cwd=tmp_path,
        env={**os.environ, **PINNED_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    said = []
    for line in process.stdout:
        said.append(line)
        if line.startswith("serving "):
            break
    process.kill()
    process.wait()
    process.stdout.close()

    assert said[-1].startswith("serving ")  # the preview runs, though its first build failed
    problem = next(line for line in said if "int too large to convert to float" in line)
    assert ("Traceback (most recent call last)" in "".join(said)) is debug
    assert problem.endswith("(rerun with --debug)\n") is not debug


def test_css_changes_are_announced_as_css_only(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()
    preview.write("static/assets/extra.css", "body { color: red; }\n")
    assert events.next()["css"] is False  # a new folder: pages may link new files

    preview.write("static/assets/extra.css", "body { color: blue; }\n")

    assert events.next()["css"] is True
    events.close()


def test_editor_temp_files_do_not_rebuild(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()
    preview.write("content/.2024-02-19.md.swp", "swap")
    preview.write("content/2024-02-19.md~", "backup")
    preview.write("content/4913", "vim probe")
    preview.write("content/2024-02-21.md", "marker\n")

    event = events.next()

    assert event["version"] == 2  # one build, for the real file only
    events.close()


def test_build_output_stays_out_of_public_and_has_no_reload_script(preview: Preview) -> None:
    assert not (preview.root / "public").exists()
    built = (preview.root / ".digest-cache/serve/2024/02/19/index.html").read_text()
    assert "__digest" not in built
    assert "/__digest/reload.js" in preview.get("/2024/02/19/")


def test_ctrl_c_stops_cleanly(preview: Preview) -> None:
    preview.process.send_signal(signal.SIGINT)

    assert preview.process.wait(timeout=10) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", preview.port), timeout=1).close()


def test_serve_starts_over_a_damaged_cache(preview: Preview) -> None:
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=10) == 0
    for cache in (preview.root / ".digest-cache").glob("build-*.sqlite"):
        data = bytearray(cache.read_bytes())
        for where in range(len(data) // 4, len(data) * 3 // 4, 97):
            data[where] ^= 0x55  # damage all through the middle of the file
        cache.write_bytes(bytes(data))

    again = subprocess.Popen(
        # The same port: the same base URL, so the same cache is read.
        [sys.executable, "-m", "digest", "serve", "--port", str(preview.port), "-j", "1"],
        cwd=preview.root,
        env={**os.environ, **PINNED_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert again.stdout is not None
    lines = []
    for line in again.stdout:
        lines.append(line)
        if line.startswith("serving "):
            break
    again.send_signal(signal.SIGINT)
    again.wait(timeout=10)
    again.stdout.close()

    assert lines[-1].startswith("serving "), lines
    assert "internal error" not in "".join(lines)


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "digest", "serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert done.returncode == 1
    assert f"port {port} in use; choose another with --port" in done.stderr
    assert not (tmp_path / ".digest-cache" / "serve" / "index.html").exists()


def test_serve_refuses_a_folder_that_is_no_site(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "app.js").write_text("start();\n")

    done = subprocess.run(
        [sys.executable, "-m", "digest", "serve", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 1
    assert done.stderr.startswith("no digest site here (no digest.toml, no [tool.digest], ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_templates_folder_made_after_start_is_watched(preview: Preview) -> None:
    events = Events(preview.port)
    events.next()
    template = '{% extends "base.html" %}{% block main %}<p>MARK-VALUE</p>{% endblock %}\n'

    preview.write("templates/post.html", template.replace("VALUE", "one"))
    events.next()
    preview.write("templates/post.html", template.replace("VALUE", "two"))
    events.next()

    assert "MARK-two" in preview.get("/2024/02/19/")
    events.close()


def _wait_for(path: Path) -> str:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "the browser was never started"
        time.sleep(0.05)
    return path.read_text()


def _next_line(stream: IO[str]) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert lines, "serve printed nothing more"
    return lines[0]


def test_open_shows_the_site_in_a_browser_with_its_styles(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "2024-02-19.md").write_text("## 1. 第一条\n\n正文。\n")
    script, opened = tmp_path / "browser.py", tmp_path / "opened.txt"
    script.write_text(RECORDING_BROWSER)
    browser = f"{sys.executable} {script} {opened} %s"
    preview = start_preview(root, "--open", env={"BROWSER": browser})
    try:
        address = _wait_for(opened)
        home = preview.get("/")
        connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
        connection.request("GET", "/assets/style.css", headers={"Host": address[7:-1]})
        style = connection.getresponse()
        style.read()
        connection.close()
    finally:
        stop_preview(preview)

    assert address == f"http://127.0.0.1:{preview.port}/"
    assert '<link rel="stylesheet" href="/assets/style.css">' in home
    assert 'href="/2024/02/19/"' in home
    assert style.status == 200
    assert style.getheader("Content-Type", "").startswith("text/css")


def test_open_without_a_browser_says_so_and_keeps_serving(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "2024-02-19.md").write_text("正文。\n")
    preview = start_preview(root, "--open", env={"BROWSER": "false"})
    assert preview.process.stdout is not None
    try:
        said = _next_line(preview.process.stdout)
        home = preview.get("/2024/02/19/")
    finally:
        stop_preview(preview)

    assert said == f"no browser found; open http://127.0.0.1:{preview.port}/ yourself\n"
    assert "正文。" in home


def test_warnings_reach_the_page_and_the_terminal_once(preview: Preview) -> None:
    events = Events(preview.port)
    assert events.next()["warnings"] == []

    preview.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n[坏](nowhere/)\n")
    warned = events.next()
    preview.write("content/2024-02-19.md", "---\ntitle: 第二版\n---\n\n[坏](nowhere/)\n")
    again = events.next()
    preview.write("content/2024-02-19.md", "---\ntitle: 修好了\n---\n\n好了。\n")
    fixed = events.next()

    line = "content/2024-02-19.md:5: missing page or file: nowhere/ [warning: missing-link]"
    assert warned["problems"] == [] and warned["warnings"] == [line]
    assert again["warnings"] == [line]
    assert fixed["warnings"] == []
    events.close()
    preview.process.kill()
    assert preview.process.stdout is not None
    said = preview.process.stdout.read()
    # The terminal names a warning when it appears, then only counts it.
    assert said.count(f"  {line}\n") == 1
    assert said.count(", 1 warning\n") == 2
