"""The wheel as users get it, in a fresh virtual environment: the theme and the starter
files are inside, and ``init`` → ``new`` → ``build`` gives a valid site."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PINNED_ENV, nu_check

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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, REPO)
    return next(dist.glob("digest_ssg-*.whl"))


def _our_site_dirs() -> list[str]:
    """Where this interpreter's packages (the dependencies of digest) are installed.

    Not ``venv --system-site-packages``: from inside a venv that reaches the base
    interpreter, which has none of them."""
    dirs = site.getsitepackages()
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if Path(d).is_dir()]


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv that sees the installed dependencies but has its own copy of digest."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # Plain directory lines: appended to sys.path after the venv's own site-packages, and
    # their .pth files (such as the editable install of this checkout) are not run.
    (Path(purelib.strip()) / "outer-site-packages.pth").write_text(
        "".join(f"{d}\n" for d in _our_site_dirs()), encoding="utf-8"
    )
    _run(python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel)
    location = _run(python, "-c", "import digest; print(digest.__file__)")
    assert location.startswith(str(venv))
    return venv / "bin"


def test_the_wheel_carries_theme_archetype_workflow_and_starter(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        "digest/theme/templates/base.html",
        "digest/theme/templates/archetypes/post.md",
        "digest/theme/static/assets/style.css",
        "digest/theme/.github/workflows/publish.yml",
        "digest/starter/digest.toml",
        "digest/starter/en/example.md",
        "digest/starter/zh/example.md",
    ):
        assert name in names


def test_installed_wheel_builds_a_site_with_only_content(venv_bin: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "2024-02-19.md").write_text("## 1. 第一条\n\n正文。\n", encoding="utf-8")
    _run(venv_bin / "digest", "build", cwd=site)

    assert (site / "public" / "assets" / "style.css").is_file()
    post = (site / "public" / "2024" / "02" / "19" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="/assets/style.css">' in post
    assert "正文。" in post


def test_init_new_build_from_the_wheel_gives_a_valid_site(venv_bin: Path, tmp_path: Path) -> None:
    digest = venv_bin / "digest"
    _run(digest, "init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    workflow = site / ".github" / "workflows" / "publish.yml"
    assert workflow.read_bytes() == (REPO / ".github" / "workflows" / "publish.yml").read_bytes()

    # init took the machine's zone (TZ); the pinned clock is 2025-12-31 16:00 there.
    assert 'timezone = "America/Los_Angeles"' in (site / "digest.toml").read_text("utf-8")
    created = _run(digest, "new", cwd=site).strip()
    assert created == "content/2025/12-31.md"
    output = _run(digest, "build", "--strict", "--drafts", cwd=site)  # the new post is a draft
    assert "built 2 posts" in output

    public = site / "public"
    skeleton = (public / "2025" / "12" / "31" / "index.html").read_text(encoding="utf-8")
    for number in (1, 2, 3):
        assert f'<h2 id="{number}-headline">{number}. Headline' in skeleton
    assert (public / "2025" / "12" / "30" / "index.html").is_file()  # the example post
    nu_check(public)
