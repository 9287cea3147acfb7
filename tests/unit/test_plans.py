"""The plan sources on their own: what each hands the build's tail, and when the quick one
steps aside for the full one; and the one answer to "is this file current?"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.fingerprints import RACY_NS, stat_tuple
from digest.inputs import PostStat, read_inputs
from digest.plans import (
    Plan,
    copy_is_current,
    full_plan,
    output_is_current,
    post_is_current,
    quick_plan,
)
from digest.state import CopyRow, OutputRow, Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
POST = "content/2024/03-11.md"


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    _write(root, "digest.toml", 'title = "Plans"\n')
    for day, tags in ((10, "a"), (11, "a, b"), (12, "b")):
        _write(root, f"content/2024/03-{day}.md", f"---\ntags: [{tags}]\n---\n\nDay {day}.\n")
    return root


def _options(root: Path) -> BuildOptions:
    return BuildOptions(root=root, now=NOW, jobs=1)


@contextmanager
def _plans(root: Path) -> Iterator[tuple[Plan | None, Plan]]:
    """The quick plan (or None) and the full plan of the site as it is now."""
    options = _options(root)
    inputs = read_inputs(options)
    store = Store(root, inputs.output, inputs.key)
    try:
        yield quick_plan(options, inputs, store, None), full_plan(options, inputs, store, None)
    finally:
        store.close()


def _built(root: Path) -> None:
    build(_options(root))


def test_without_a_cache_only_the_full_plan_exists(root: Path) -> None:
    with _plans(root) as (quick, full):
        assert quick is None
        assert full.source == "full"
        assert full.prune
        paths = {output.path for output in full.outputs}
        assert {"index.html", "2024/03/11/index.html", "tags/a/index.html"} <= paths
        assert full.existing >= paths
        assert set(full.posts) == {f"content/2024/03-{day}.md" for day in (10, 11, 12)}


def test_a_body_edit_plans_only_the_pages_that_show_the_post(root: Path) -> None:
    _built(root)
    with (root / POST).open("a", encoding="utf-8") as stream:
        stream.write("\nA second paragraph: below the summary, so no listing shows it.\n")

    with _plans(root) as (quick, full):
        assert quick is not None
        assert quick.source == "quick"
        assert not quick.prune
        assert quick.copies is None  # the stored copies stand
        assert {output.path for output in quick.outputs} == {
            "2024/03/11/index.html",
            "2024/03/10/index.html",  # post pages may show their neighbours whole
            "2024/03/12/index.html",
            "feed.xml",  # feeds carry whole posts
            "atom.xml",
            "feed.json",
            "tags/a/feed.xml",
            "tags/b/feed.xml",
        }
        # Posts written within a moment of the save are read again (same bytes: touched).
        assert {source for source, c in quick.posts.items() if c.parsed is not None} == {POST}
        assert [post.source for post in quick.published] == [POST]
        # The full plan would plan every page; the quick one is a subset of it.
        assert {o.path for o in quick.outputs} < {o.path for o in full.outputs}


def test_a_changed_card_leaves_the_plan_to_the_full_source(root: Path) -> None:
    _built(root)
    _write(root, POST, "---\ntags: [c]\n---\n\nDay 11.\n")  # listings show tags

    with _plans(root) as (quick, _):
        assert quick is None


def test_a_new_post_leaves_the_plan_to_the_full_source(root: Path) -> None:
    _built(root)
    _write(root, "content/2024/03-13.md", "Day 13.\n")

    with _plans(root) as (quick, _):
        assert quick is None


def test_nothing_changed_plans_nothing_and_keeps_the_last_words(root: Path) -> None:
    _write(root, "content/2024/03-12.md", "---\ntags: [b]\n---\n\n![](missing.png)\n")
    _built(root)

    with _plans(root) as (quick, _):
        assert quick is not None
        assert quick.outputs == ()
        assert quick.warnings == ()
        assert quick.warnings_as_last is not None
        assert any("missing.png" in str(said) for said in quick.warnings_as_last)


def test_an_output_is_current_only_when_known_made_alike_and_untouched(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>hi</p>", encoding="utf-8")
    stat = stat_tuple((tmp_path / "page.html").stat())

    assert output_is_current(tmp_path, "page.html", "fp", OutputRow("fp", stat))
    assert not output_is_current(tmp_path, "page.html", "fp", None)  # never built
    assert not output_is_current(tmp_path, "page.html", "other", OutputRow("fp", stat))
    (tmp_path / "page.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    assert not output_is_current(tmp_path, "page.html", "fp", OutputRow("fp", stat))


def test_a_copy_is_current_only_when_source_and_copy_are_as_recorded(tmp_path: Path) -> None:
    source, copy = tmp_path / "logo.svg", tmp_path / "out" / "logo.svg"
    copy.parent.mkdir()
    for path in (source, copy):
        path.write_text("<svg/>", encoding="utf-8")
    row = CopyRow(stat_tuple(source.stat()), stat_tuple(copy.stat()))
    saved_late = max(row.source[1], row.source[2]) + RACY_NS + 1

    assert copy_is_current(copy.parent, "logo.svg", source, row, saved_late)
    assert not copy_is_current(copy.parent, "logo.svg", source, None, saved_late)
    # Saved in the same moment as the source changed: its time cannot be trusted.
    assert not copy_is_current(copy.parent, "logo.svg", source, row, row.source[1])
    source.write_text("<svg></svg>", encoding="utf-8")
    assert not copy_is_current(copy.parent, "logo.svg", source, row, saved_late)


def test_a_post_is_current_only_with_its_recorded_stat_saved_well_after(tmp_path: Path) -> None:
    path = tmp_path / "03-10.md"
    path.write_text("Day.\n", encoding="utf-8")
    stat = stat_tuple(path.stat())
    post = PostStat("content/03-10.md", str(path), stat)
    later = max(stat[1], stat[2]) + RACY_NS + 1

    assert post_is_current(stat, post, later)
    assert not post_is_current(None, post, later)
    assert not post_is_current(stat, post, stat[1])  # racy: saved as it was written
    assert not post_is_current((stat[0] + 1, *stat[1:]), post, later)
    assert not post_is_current(stat, PostStat(post.source, post.path, None), later)
