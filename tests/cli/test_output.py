"""The output folder: digest removes files only where it built before, and a build that
fails while writing leaves the previous site as it was."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PINNED_ENV, SiteFolder

FOREIGN = (
    "refusing to build into public: it has files that digest did not make (no .digest from "
    "an earlier build), and building there would remove them "
    "(choose another --output, or empty the folder)"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_folder_digest_did_not_make_keeps_its_files(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n正文。\n")
    site.write("public/app.js", "start();\n")
    site.write("public/index.html", "<h1>the app</h1>\n")

    run = site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines()[0] == FOREIGN
    assert _files(site.root / "public") == {
        "app.js": b"start();\n",
        "index.html": b"<h1>the app</h1>\n",
    }
    assert site.digest("build", "--output", "site-out").code == 0


def test_the_first_build_marks_its_folder_and_later_builds_prune_it(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n正文。\n")
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")  # dotfiles only: empty

    assert site.digest("build").code == 0
    assert (site.root / "public/.digest").is_file()
    site.write("public/stale.html", "left from an older build\n")
    site.write("content/2024-02-20.md", "---\ntitle: 第二期\n---\n\n正文。\n")
    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert not (site.root / "public/stale.html").exists()
    assert (site.root / "public/.git/HEAD").is_file()


def test_a_site_built_before_the_mark_existed_keeps_building(built_site: SiteFolder) -> None:
    # What an earlier version left: no mark, and its cache named by the absolute folder.
    (built_site.root / "public/.digest").unlink()
    (cache,) = (built_site.root / ".digest-cache").glob("build-*.sqlite")
    public = str((built_site.root / "public").resolve())
    name = hashlib.blake2b(public.encode(), digest_size=6).hexdigest()
    cache.rename(cache.with_name(f"build-{name}.sqlite"))
    built_site.write("public/stale.html", "left from an older build\n")
    built_site.write("content/2024-02-21.md", "---\ntitle: 第三期\n---\n\n正文。\n")

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    assert not (built_site.root / "public/stale.html").exists()
    assert (built_site.root / "public/.digest").is_file()
    assert list((built_site.root / ".digest-cache").glob("build-*.sqlite")) == [cache]


def test_obstacles_are_found_before_anything_is_written(built_site: SiteFolder) -> None:
    built_site.write("content/2024-02-19.md", "---\ntitle: 第一期，改过\n---\n\n改过。\n")
    built_site.write("content/2024-03-01.md", "---\ntitle: 三月\n---\n\n新的。\n")
    page = built_site.root / "public/2024/02/20/second/index.html"
    page.unlink()
    page.mkdir()  # a folder where a page goes
    built_site.write("public/2024/03", "a file where a folder goes\n")
    before = built_site.snapshot()

    run = built_site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines() == [
        "public/2024/02/20/second/index.html: a folder is where this file must go; remove it",
        "public/2024/03: a file is where a folder must go; remove it",
        "digest: build failed with 2 problems; nothing was written",
    ]
    assert built_site.snapshot() == before


def _limit_file_size() -> None:
    # Any write past 64 KB fails (EFBIG), even for root: a failure in the middle of writing.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


def _python(
    site: SiteFolder, *arguments: str, before: Callable[[], object] | None = None
) -> subprocess.CompletedProcess[str]:
    """Python with ``arguments`` in the site folder; ``before`` runs in the child first."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=site.root,
        env={**os.environ, **PINNED_ENV, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=before,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _build_with_a_file_size_limit(site: SiteFolder) -> subprocess.CompletedProcess[str]:
    return _python(site, "-m", "digest", "build", before=_limit_file_size)


def _no_leftovers(site: SiteFolder) -> None:
    assert not list((site.root / "public").rglob(".digest-*[!k]"))  # .digest (the mark) stays


def test_a_failure_while_writing_leaves_the_previous_site(built_site: SiteFolder) -> None:
    # Rendered pages are staged first, then moved into place with the copied files; a copy
    # too big to write fails after some pages have moved: those moves are undone.
    built_site.write("content/2024-02-19.md", "---\ntitle: 第一期，改过\n---\n\n改过。\n")
    built_site.write("content/2024-02-20-second.md", "---\ntitle: Second\n---\n\nChanged.\n")
    built_site.write("content/2024-02-22.md", "---\ntitle: 新的\n---\n\n新的一期。\n")
    (built_site.root / "static").mkdir(exist_ok=True)
    (built_site.root / "static/video.bin").write_bytes(os.urandom(100_000))
    before = built_site.snapshot()

    done = _build_with_a_file_size_limit(built_site)

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "public/video.bin: cannot write: File too large; the previous output is back",
        "digest: build failed; nothing was written",
    ]
    assert built_site.snapshot() == before  # every byte and every modification time
    assert not (built_site.root / "public/2024/02/22").exists()
    _no_leftovers(built_site)
    (built_site.root / "static/video.bin").unlink()
    assert built_site.digest("build").code == 0
    assert "新的一期" in built_site.read("public/2024/02/22/index.html")


def test_a_page_too_big_to_write_stops_the_build_before_it_writes(built_site: SiteFolder) -> None:
    built_site.write("content/2024-02-19.md", "---\ntitle: 第一期，改过\n---\n\n改过。\n")
    built_site.write("content/2024-02-21.md", "---\ntitle: 大\n---\n\n" + "很长的一段。" * 6000)
    before = built_site.snapshot()

    done = _build_with_a_file_size_limit(built_site)

    assert done.returncode == 1
    lines = done.stderr.splitlines()
    # The page and the feeds that carry it whole: each said, nothing written.
    assert lines[0] == "public/2024/02/21/index.html: cannot write: File too large"
    assert lines[-1].startswith("digest: build failed with ")
    assert lines[-1].endswith(" problems; nothing was written")
    assert built_site.snapshot() == before
    _no_leftovers(built_site)
    assert built_site.digest("build").code == 0
    assert "很长的一段" in built_site.read("public/2024/02/21/index.html")


def _modes(folder: Path) -> tuple[set[str], set[str]]:
    """The permission bits of the files and of the folders under ``folder``."""
    paths = [folder, *folder.rglob("*")]
    files = {oct(path.stat().st_mode & 0o777) for path in paths if path.is_file()}
    folders = {oct(path.stat().st_mode & 0o777) for path in paths if path.is_dir()}
    return files, folders


@pytest.mark.parametrize(
    ("umask", "file", "folder"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)]
)
def test_files_and_folders_follow_the_umask(
    site: SiteFolder, umask: int, file: int, folder: int
) -> None:
    # As any program's files do, and all alike: a changed page is written to a temporary
    # file (which is made private) and moved into place; it must not end up more private
    # than the search index beside it, nor a page less private than its folder.
    def build() -> None:
        done = _python(site, "-m", "digest", "build", before=lambda: os.umask(umask))
        assert done.returncode == 0, done.stderr

    site.write("content/2024-02-19.md", "---\ndate: 2024/02/19\n---\n\n今天的新闻。\n")
    site.write("static/notes.txt", "第一版\n")
    build()
    site.write("content/2024-02-19.md", "---\ndate: 2024/02/19\n---\n\n改过的新闻。\n")
    site.write("static/notes.txt", "第二版\n")
    build()

    assert "改过的新闻" in site.read("public/2024/02/19/index.html")
    assert site.read("public/notes.txt") == "第二版\n"
    assert _modes(site.root / "public") == ({oct(file)}, {oct(folder)})


_WITHOUT_HARD_LINKS = """
import errno, os, sys
def no_link(*args, **kwargs):
    raise OSError(errno.EPERM, "Operation not permitted")
os.link = no_link  # as on FAT and exFAT drives
from digest.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_file_system_without_hard_links_gets_every_page(built_site: SiteFolder) -> None:
    # A page new in a folder that is already there is moved into place with a hard link
    # (it must not replace a file that appeared meanwhile); where there are none, the
    # build writes the page instead.
    (built_site.root / "public/index.html").unlink()
    (built_site.root / "public/feed.xml").unlink()
    built_site.write("content/2024-02-22.md", "---\ntitle: 新的\n---\n\n新的一期。\n")

    done = _python(built_site, "-c", _WITHOUT_HARD_LINKS, "build")

    assert done.returncode == 0, done.stderr
    assert "新的一期" in built_site.read("public/2024/02/22/index.html")
    assert "新的一期" in built_site.read("public/feed.xml")
    _no_leftovers(built_site)
    assert built_site.digest("build", "--clean", "--output", "clean").code == 0
    assert _files(built_site.root / "public") == _files(built_site.root / "clean")


def test_files_a_killed_build_left_are_removed_by_the_next(built_site: SiteFolder) -> None:
    # What kill -9 in the middle of writing leaves: temporary files and the note that
    # writing had begun. (The cache was not saved, so the next build redoes the work.)
    built_site.write("public/.digest-writing", "")
    built_site.write("public/2024/02/.digest-a1b2c3.tmp", "<html>half a page")
    built_site.write("public/.digest-d4e5f6.old", "a page set aside")

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    left = sorted(p.name for p in (built_site.root / "public").rglob(".digest*"))
    assert left == [".digest"]


def test_pages_a_killed_build_staged_are_removed_by_the_next(built_site: SiteFolder) -> None:
    # kill -9 while rendering leaves the staged pages only: nothing changed, yet the next
    # build (the quick one) clears them.
    built_site.write("public/.digest-staging-x1y2.tmp/0", "<html>a staged page")
    built_site.write("public/.digest-staging-x1y2.tmp/1", "<html>another")

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    assert sorted(p.name for p in (built_site.root / "public").rglob(".digest*")) == [".digest"]


def test_a_build_that_changes_nothing_leaves_the_output_folder_alone(
    built_site: SiteFolder,
) -> None:
    # Not even a staging folder made and removed: sync tools and watchers see no change.
    folder = built_site.root / "public"
    before = (folder.stat().st_mtime_ns, sorted(p.name for p in folder.iterdir()))

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    assert (folder.stat().st_mtime_ns, sorted(p.name for p in folder.iterdir())) == before


@pytest.fixture
def unprivileged() -> Iterator[tuple[SiteFolder, list[str]]]:
    """A site owned by a user that permissions apply to, and the command to run as it:
    the current user, or nobody when the tests run as root (whom no mode stops)."""
    if os.geteuid() != 0:
        folder = Path(tempfile.mkdtemp())
        yield SiteFolder(folder / "site"), []
    else:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to drop root")
        folder = Path(tempfile.mkdtemp(dir="/tmp"))
        folder.chmod(0o755)
        yield (
            SiteFolder(folder / "site"),
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"],
        )
    shutil.rmtree(folder)


def test_a_read_only_folder_is_found_before_anything_is_written(
    unprivileged: tuple[SiteFolder, list[str]],
) -> None:
    site, as_user = unprivileged
    site.write("content/2024-02-19.md", "---\ntitle: 一\n---\n\n正文。\n")
    site.write("content/2024-03-01.md", "---\ntitle: 三\n---\n\n正文。\n")
    if as_user:
        shutil.chown(site.root.parent, 65534, 65534)
        for path in [site.root, *site.root.rglob("*")]:
            shutil.chown(path, 65534, 65534)

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_user, sys.executable, "-m", "digest", "build"],
            cwd=site.root,
            env={**os.environ, **PINNED_ENV},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert build().returncode == 0
    site.write("content/2024-02-19.md", "---\ntitle: 一，改过\n---\n\n改过。\n")
    site.write("content/2024-03-01.md", "---\ntitle: 三，改过\n---\n\n改过。\n")
    (site.root / "public/2024/03").chmod(0o555)
    before = site.snapshot()

    done = build()

    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "public/2024/03: this folder is read-only"
    assert site.snapshot() == before
