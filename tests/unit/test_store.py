"""The cache store on its own: what a save records is what the next build reads back,
and a damaged or foreign cache is never trusted."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from digest.config import Config
from digest.content import ParsedPost, decode_post
from digest.errors import ContentError
from digest.fingerprints import Stat
from digest.model import Link, Nav, Output, Post, Report
from digest.state import (
    CacheBroken,
    Changes,
    CopyRow,
    OutputChange,
    PostChange,
    Store,
    recipe_of,
)

KEY = "key-1"
STAT: Stat = (10, 1_000, 1_000, 7)
SOURCE = "content/2024/03-10.md"


def _parsed(source: str = SOURCE, body: str = "Day 10.") -> ParsedPost:
    return decode_post(source, f"---\ntags: [a]\n---\n\n{body}\n".encode(), Config())


def _report() -> Report:
    return Report(
        written=(),
        unchanged=0,
        rendered=(),
        copied=0,
        deleted=(),
        warnings=(),
        seconds=0.0,
        posts=1,
        pages=1,
        output="public",
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "site"


def _open(root: Path, key: str = KEY, *, fresh: bool = False) -> Store:
    return Store(root, root / "public", key, fresh=fresh)


def test_what_is_saved_is_read_back_after_reopening(root: Path) -> None:
    parsed = _parsed()
    page = Output(
        url="/2024/03/10/", path="2024/03/10/index.html", template="post.html",
        context={"post": parsed.post}, source=SOURCE,
    )  # fmt: skip
    warning = ContentError("image without alt text", SOURCE, 3)
    store = _open(root)
    store.save(
        Changes(
            posts={SOURCE: PostChange(STAT, "hash-1", parsed)},
            outputs={page.path: OutputChange("fp-1", STAT, frozenset({"top"}), recipe_of(page))},
            copies={"logo.png": CopyRow(STAT, STAT)},
            warnings=[warning],
            frame="frame-1",
            report=_report(),
            urls={SOURCE: parsed.post.url},
        )
    )
    store.close()

    store = _open(root)
    try:
        row = store.post_rows()[SOURCE]
        assert (row.stat, row.hash, row.card, row.url) == (
            STAT, "hash-1", parsed.post.card, parsed.post.url,
        )  # fmt: skip
        assert store.parsed_posts([SOURCE])[SOURCE] == parsed
        assert store.output_rows()[page.path].fingerprint == "fp-1"
        assert store.output_rows([page.path]).keys() == {page.path}
        assert store.ids([page.path]) == {page.path: frozenset({"top"})}
        assert store.copy_rows() == {"logo.png": CopyRow(STAT, STAT)}
        assert [str(w) for w in store.warnings()] == [str(warning)]
        assert store.meta("frame") == "frame-1"
        assert store.meta("urls") == {SOURCE: parsed.post.url}
        assert store.pages_showing([SOURCE]) == {page.path}
        assert store.shown_by([page.path]) == {SOURCE}
    finally:
        store.close()


def test_a_recipe_takes_its_posts_from_the_caller(root: Path) -> None:
    old, new = _parsed(body="Old."), _parsed(body="New.")
    page = Output(
        url="/x/",
        path="x/index.html",
        template="post.html",
        context={"post": old.post},
        source=SOURCE,
    )
    store = _open(root)
    store.save(Changes(outputs={page.path: OutputChange("fp", STAT, None, recipe_of(page))}))
    asked: list[str] = []

    def post(source: str) -> Post:
        asked.append(source)
        return new.post

    recipe = store.recipes([page.path], post)[page.path]
    store.close()

    assert recipe.context["post"] == new.post
    assert asked == [SOURCE]


def _nav(*years: str) -> Nav:
    return Nav(
        years=tuple(Link(url=f"/{year}/", title=year) for year in years),
        has_tags=True,
        menu=(Link(url="/about/", title="关于"),),
        custom_css=False,
    )


def _page_with(nav: Nav, path: str) -> Output:
    return Output(
        url=f"/{path}/", path=f"{path}/index.html", template="post.html",
        context={"nav": nav, "kind": "post"}, source=SOURCE,
    )  # fmt: skip


def _no_post(source: str) -> Post:
    raise AssertionError(f"{source} was not shown")


def _navs_stored(store: Store) -> int:
    with closing(sqlite3.connect(store.path)) as db:
        count: int = db.execute("SELECT count(*) FROM navs").fetchone()[0]
    return count


def test_the_nav_every_recipe_shows_is_stored_once_and_read_back_as_one(root: Path) -> None:
    nav = _nav("2024", "2023")
    pages = [_page_with(nav, name) for name in ("a", "b", "c")]
    recipes = {page.path: recipe_of(page) for page in pages}
    store = _open(root)
    store.save(Changes(outputs={p: OutputChange("fp", STAT, None, r) for p, r in recipes.items()}))

    loaded = store.recipes(recipes, _no_post)
    assert _navs_stored(store) == 1
    assert not any(b"/2023/" in recipe.blob for recipe in recipes.values())
    assert [output.context["nav"] for output in loaded.values()] == [nav] * 3
    assert len({id(output.context["nav"]) for output in loaded.values()}) == 1

    # A new year: every page renders again with the new nav, and the old one goes.
    newer = _nav("2025", "2024", "2023")
    again = {p.path: recipe_of(_page_with(newer, p.path.split("/")[0])) for p in pages}
    store.save(Changes(outputs={p: OutputChange("fp2", STAT, None, r) for p, r in again.items()}))
    assert _navs_stored(store) == 1
    assert store.recipes(["a/index.html"], _no_post)["a/index.html"].context["nav"] == newer
    store.close()


def test_a_page_showing_a_second_nav_keeps_it_in_its_recipe(root: Path) -> None:
    site_nav, other = _nav("2024"), _nav("2023")
    page = Output(
        url="/a/", path="a/index.html", template="post.html",
        context={"nav": site_nav, "other": other}, source=SOURCE,
    )  # fmt: skip
    store = _open(root)
    store.save(Changes(outputs={page.path: OutputChange("fp", STAT, None, recipe_of(page))}))

    loaded = store.recipes([page.path], _no_post)[page.path]
    store.close()

    assert (loaded.context["nav"], loaded.context["other"]) == (site_nav, other)


def test_a_recipe_whose_nav_is_missing_is_a_broken_cache(root: Path) -> None:
    page = _page_with(_nav("2024"), "a")
    store = _open(root)
    store.save(Changes(outputs={page.path: OutputChange("fp", STAT, None, recipe_of(page))}))
    with closing(sqlite3.connect(store.path)) as db:
        db.execute("DELETE FROM navs")
        db.commit()

    with pytest.raises(CacheBroken, match="nav is missing"):
        store.recipes([page.path], _no_post)
    store.close()


def test_a_touched_post_keeps_what_it_parsed_to(root: Path) -> None:
    parsed = _parsed()
    store = _open(root)
    store.save(Changes(posts={SOURCE: PostChange(STAT, "hash-1", parsed)}))
    later: Stat = (10, 5_000, 5_000, 7)
    store.save(Changes(posts={SOURCE: PostChange(later, "hash-1", None)}))

    assert store.post_rows()[SOURCE].stat == later
    assert store.parsed_posts([SOURCE])[SOURCE] == parsed
    store.close()


def test_removed_posts_and_outputs_are_forgotten(root: Path) -> None:
    store = _open(root)
    store.save(
        Changes(
            posts={SOURCE: PostChange(STAT, "h", _parsed())},
            outputs={"a.html": OutputChange("fp", STAT, None, None)},
        )
    )
    store.save(Changes(removed_posts={SOURCE}, removed_outputs={"a.html"}))

    assert store.post_rows() == {}
    assert store.output_rows() == {}
    with pytest.raises(CacheBroken):
        store.parsed_posts([SOURCE])
    store.close()


def test_another_key_or_fresh_starts_empty(root: Path) -> None:
    store = _open(root)
    store.save(Changes(frame="frame-1"))
    store.close()

    for other in (_open(root, "key-2"), _open(root, fresh=True)):
        assert other.meta("frame") is None
        other.close()


def test_a_damaged_value_is_refused_and_set_aside(root: Path) -> None:
    store = _open(root)
    store.save(Changes(warnings=[ContentError("w", SOURCE, 1)]))
    with closing(sqlite3.connect(store.path)) as other:  # damage on disk, as from a bad sector
        other.execute("UPDATE meta SET value = ? WHERE name = 'warnings'", (b"\0" * 40,))
        other.commit()

    with pytest.raises(CacheBroken) as broken:
        store.warnings()
    store.discard(broken.value)

    assert store.warnings() == []
    assert store.note is not None and "damaged" in store.note
    assert store.path.with_name(store.path.name + ".damaged").exists()
    store.close()


def test_the_reader_sees_only_a_cache_of_its_key(root: Path) -> None:
    assert Store.reader(root, root / "public", KEY) is None  # none yet
    store = _open(root)
    store.save(Changes(frame="frame-1"))
    store.close()

    assert Store.reader(root, root / "public", "key-2") is None
    reader = Store.reader(root, root / "public", KEY)
    assert reader is not None
    assert reader.meta("frame") == "frame-1"
    reader.close()
