"""A non-editable install carries the built-in theme: a site without templates/ builds."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import PINNED_ENV

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_installed_wheel_builds_a_site_with_only_content(tmp_path: Path) -> None:
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", REPO)
    wheel = next((tmp_path / "dist").glob("digest_ssg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "digest/theme/templates/base.html" in names
    assert "digest/theme/static/assets/style.css" in names

    # The venv sees the already-installed dependencies but gets its own copy of digest.
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel)
    location = _run(python, "-c", "import digest; print(digest.__file__)")
    assert location.startswith(str(venv))

    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "2024-02-19.md").write_text("## 1. 第一条\n\n正文。\n", encoding="utf-8")
    _run(venv / "bin" / "digest", "build", cwd=site)

    assert (site / "public" / "assets" / "style.css").is_file()
    post = (site / "public" / "2024" / "02" / "19" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="/assets/style.css">' in post
    assert "正文。" in post
