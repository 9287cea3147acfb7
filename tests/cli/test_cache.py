"""A damaged cache is never fatal: the build warns once, sets it aside and builds as if
cold, giving the same files as a clean build."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SiteFolder

DAMAGED = ".digest-cache: discarded a damaged cache ("


@pytest.fixture
def cached(built_site: SiteFolder) -> SiteFolder:
    """A built site with more posts, so its cache spans many database pages."""
    for day in range(1, 29):
        built_site.write(
            f"content/2024-03-{day:02d}.md",
            f"---\ntitle: 三月 {day} 日\ntags: [t{day % 5}]\n---\n\n第 {day} 天。\n\n"
            + "一段文字。" * 200
            + "\n",
        )
    assert built_site.digest("build").code == 0
    return built_site


def _cache(site: SiteFolder) -> Path:
    (cache,) = (site.root / ".digest-cache").glob("build-*.sqlite")
    return cache


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _assert_builds_like_a_clean_build(site: SiteFolder, *, warning: str) -> None:
    site.write("content/2024-03-05.md", "---\ntitle: 改过\ntags: [t0]\n---\n\n改过的文字。\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.endswith("[warning]")]
    assert len(warnings) == 1, run.stderr
    assert warnings[0].startswith(warning), warnings
    assert site.digest("build", "--clean", "--output", "clean").code == 0
    assert _files(site.root / "public") == _files(site.root / "clean")
    again = site.digest("build")  # the new cache works: nothing said, nothing written
    assert (again.code, again.stderr) == (0, "")
    assert "0 files written" in again.stdout


def test_bit_flips_in_the_cache_file(cached: SiteFolder) -> None:
    cache = _cache(cached)
    data = bytearray(cache.read_bytes())
    chance = random.Random(2024)
    for _ in range(200):
        where = chance.randrange(len(data) // 4, len(data) * 3 // 4)
        data[where] ^= 1 << chance.randrange(8)
    cache.write_bytes(bytes(data))

    _assert_builds_like_a_clean_build(cached, warning=DAMAGED)
    assert cache.with_name(cache.name + ".damaged").is_file()  # kept for a bug report


def test_garbage_in_stored_values(cached: SiteFolder) -> None:
    with sqlite3.connect(_cache(cached)) as db:
        db.execute("UPDATE parsed SET post = X'80049501000000000000008c'")
        db.execute("UPDATE meta SET value = X'00' WHERE name = 'report'")
    db.close()

    _assert_builds_like_a_clean_build(cached, warning=DAMAGED)


def test_a_cache_that_cannot_be_written(cached: SiteFolder) -> None:
    # What a read-only cache file does, even to root: every write to it fails.
    with sqlite3.connect(_cache(cached)) as db:
        for table in ("posts", "parsed", "outputs", "meta"):
            db.execute(
                f"CREATE TRIGGER no_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END"
            )
    db.close()

    _assert_builds_like_a_clean_build(
        cached,
        warning=".digest-cache: cannot save the cache (IntegrityError: attempt to write a "
        "readonly database); set it aside",
    )


def test_a_folder_where_the_cache_file_goes(cached: SiteFolder) -> None:
    cache = _cache(cached)
    cache.unlink()
    (cache / "inside").mkdir(parents=True)

    _assert_builds_like_a_clean_build(cached, warning=DAMAGED)


def test_clean_never_reads_a_damaged_cache(cached: SiteFolder) -> None:
    cache = _cache(cached)
    cache.write_bytes(cache.read_bytes()[:4096] + b"\xff" * 40_000)

    run = cached.digest("build", "--clean")

    assert (run.code, run.stderr) == (0, "")
    assert "0 files written" in run.stdout


def test_check_reads_past_a_damaged_cache(cached: SiteFolder) -> None:
    with sqlite3.connect(_cache(cached)) as db:
        db.execute("UPDATE parsed SET post = X'00'")
    db.close()
    cached.write("content/2024-03-05.md", "---\ntitle: 改过\n---\n\n改过。\n")

    run = cached.digest("check")

    assert run.code == 0, run.stderr
    assert run.stdout.startswith("checked 30 posts: no problems")
