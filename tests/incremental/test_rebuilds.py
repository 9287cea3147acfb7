"""Incremental builds: what a rebuild renders after each kind of edit, and that it is right."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.errors import BuildFailed
from digest.model import Report

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("digest.toml", 'title = "Inc"\nbase_url = "https://example.org/"\n')
        self.write("templates/.keep", "")
        for day, tags in ((10, "a, b"), (11, "b"), (12, "a"), (13, "c")):
            self.write(f"content/2024/03-{day}.md", f"---\ntags: [{tags}]\n---\n\nDay {day}.\n")

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def build(self, **options: object) -> Report:
        return build(BuildOptions(root=self.root, now=NOW, jobs=1, **options))  # type: ignore[arg-type]


@pytest.fixture
def inc(tmp_path: Path) -> Site:
    site = Site(tmp_path / "site")
    first = site.build()
    assert len(first.rendered) == first.pages
    return site


def test_second_build_renders_and_writes_nothing(inc: Site) -> None:
    report = inc.build()

    assert report.rendered == ()
    assert report.written == ()
    assert report.deleted == ()


def test_editing_a_post_body_renders_exactly_what_shows_it(inc: Site) -> None:
    inc.write("content/2024/03-11.md", "---\ntags: [b]\n---\n\nDay 11, corrected.\n")

    report = inc.build()

    assert set(report.rendered) == {
        "2024/03/11/index.html",  # the post
        "2024/03/10/index.html",  # its neighbours link to it by title
        "2024/03/12/index.html",
        "index.html",  # listings that show it
        "2024/index.html",
        "2024/03/index.html",
        "archive/index.html",
        "tags/index.html",  # it carries each tag's posts
        "tags/b/index.html",
        "tags/b/feed.xml",
        "feed.xml",
        "atom.xml",
        "feed.json",
    }
    assert "2024/03/11/index.html" in report.written
    assert "Day 11, corrected." in (inc.root / "public/2024/03/11/index.html").read_text()


def test_an_edit_below_the_summary_renders_only_pages_showing_the_whole_post(inc: Site) -> None:
    with (inc.root / "content/2024/03-11.md").open("a", encoding="utf-8") as stream:
        stream.write("\nA second paragraph, added later.\n")

    report = inc.build()

    # Listings show the title and summary, which did not change: they stay as they are.
    assert set(report.rendered) == {
        "2024/03/11/index.html",
        "2024/03/10/index.html",  # post pages may show their neighbours whole
        "2024/03/12/index.html",
        "feed.xml",  # feeds carry whole posts
        "atom.xml",
        "feed.json",
        "tags/b/feed.xml",
    }
    assert set(report.written) == {"2024/03/11/index.html", "feed.xml", "atom.xml", "feed.json",
                                   "tags/b/feed.xml"}  # fmt: skip
    clean = inc.build(clean=True, output=inc.root / "clean")
    assert (report.pages, report.posts) == (clean.pages, clean.posts)
    assert "A second paragraph" in (inc.root / "public/2024/03/11/index.html").read_text()
    assert "A second paragraph" in (inc.root / "public/feed.xml").read_text()


def test_a_new_item_heading_renders_the_listings_a_text_edit_below_it_does_not(
    inc: Site,
) -> None:
    inc.write("content/2024/03-13.md", "---\ntags: [c]\n---\n\nDay 13.\n\n## 1、新闻\n\n正文。\n")
    assert "index.html" in inc.build().rendered  # the home page lists the new item

    inc.write("content/2024/03-13.md", "---\ntags: [c]\n---\n\nDay 13.\n\n## 1、新闻\n\n改正文。\n")
    report = inc.build()

    assert "2024/03/13/index.html" in report.rendered
    assert not {"index.html", "2024/index.html", "tags/c/index.html"} & set(report.rendered)
    home = (inc.root / "public/index.html").read_text(encoding="utf-8")
    assert '<a href="/2024/03/13/#1新闻">1、新闻</a>' in home


def test_warnings_follow_body_edits(inc: Site) -> None:
    inc.write(
        "content/2024/03-10.md",
        "---\ntags: [a, b]\n---\n\nDay 10.\n\n[later](../2024/03/11/#later)\n",
    )
    first = inc.build()
    assert tuple(map(str, first.warnings)) == (
        "content/2024/03-10.md:7: no #later on /2024/03/11/",
    )

    with (inc.root / "content/2024/03-11.md").open("a", encoding="utf-8") as stream:
        stream.write("\n![](missing.png)\n")
    broken = inc.build()
    assert tuple(map(str, broken.warnings)) == (
        "content/2024/03-10.md:7: no #later on /2024/03/11/",
        "content/2024/03-11.md:7: image without alt text: missing.png",
        "content/2024/03-11.md:7: missing image: missing.png",
    )

    # A heading gives /2024/03/11/ the id the link of another post was missing.
    inc.write("content/2024/03-11.md", "---\ntags: [b]\n---\n\nDay 11.\n\n## Later\n")
    healed = inc.build()
    assert tuple(map(str, healed.warnings)) == ()


def test_strict_fails_a_body_edit_with_a_broken_link_and_writes_nothing(inc: Site) -> None:
    inc.write("digest.toml", 'title = "Inc"\nbase_url = "https://example.org/"\nstrict = true\n')
    inc.build()
    page = inc.root / "public/2024/03/11/index.html"
    before = page.read_bytes()
    with (inc.root / "content/2024/03-11.md").open("a", encoding="utf-8") as stream:
        stream.write("\n[gone](../nowhere/)\n")

    with pytest.raises(BuildFailed) as failed:
        inc.build()

    assert [str(p) for p in failed.value.problems] == [
        "content/2024/03-11.md:7: missing page or file: ../nowhere/"
    ]
    assert page.read_bytes() == before

    inc.write("digest.toml", 'title = "Inc"\nbase_url = "https://example.org/"\n')
    relaxed = inc.build()
    assert tuple(map(str, relaxed.warnings)) == (
        "content/2024/03-11.md:7: missing page or file: ../nowhere/",
    )
    assert ">gone</a>" in page.read_text(encoding="utf-8")


def test_editing_one_template_renders_only_its_pages(inc: Site) -> None:
    inc.write("templates/tags.html", '{% extends "base.html" %}{% block main %}TAGS{% endblock %}')

    report = inc.build()

    assert report.rendered == ("tags/index.html",)


def test_editing_the_base_template_renders_every_page_but_not_feeds(inc: Site) -> None:
    shutil.copy(Path(__file__).parents[2] / "templates/base.html", inc.root / "templates/base.html")
    with (inc.root / "templates/base.html").open("a", encoding="utf-8") as stream:
        stream.write("{# changed #}\n")

    report = inc.build()

    assert all(path.endswith(".html") for path in report.rendered)
    assert "index.html" in report.rendered and "404.html" in report.rendered
    assert "feed.xml" not in report.rendered
    assert report.written == ()  # the comment renders to nothing: no file changes


def test_adding_deleting_and_redating_posts(inc: Site) -> None:
    inc.write("content/2024/03-14.md", "---\ntags: [c]\n---\n\nDay 14.\n")
    added = inc.build()
    assert "2024/03/14/index.html" in added.written
    assert "2024/03/13/index.html" in added.rendered  # its 'next digest' link now exists
    # The daily case: older posts' pages and other tags do not render again.
    assert "2024/03/11/index.html" not in added.rendered
    assert "tags/a/index.html" not in added.rendered
    assert "Day 14" in (inc.root / "public/index.html").read_text()

    (inc.root / "content/2024/03-12.md").unlink()
    deleted = inc.build()
    assert "2024/03/12/index.html" in deleted.deleted
    assert not (inc.root / "public/tags/a/index.html").read_text().count("March 12")

    inc.write("content/2024/03-10.md", "---\ndate: 2024-04-01\ntags: [a, b]\n---\n\nMoved.\n")
    moved = inc.build()
    assert "2024/04/01/index.html" in moved.written  # a date-named file is its day's page
    assert "2024/03/10/index.html" in moved.deleted


def test_a_page_changed_by_hand_in_the_output_is_made_again(inc: Site) -> None:
    page = inc.root / "public/2024/03/12/index.html"
    original = page.read_bytes()
    page.write_text("tampered", encoding="utf-8")

    report = inc.build()

    assert report.rendered == ("2024/03/12/index.html",)
    assert page.read_bytes() == original


def test_an_unreadable_cache_is_discarded_with_a_warning(inc: Site) -> None:
    caches = list((inc.root / ".digest-cache").glob("build-*.sqlite"))
    assert len(caches) == 1
    caches[0].write_bytes(b"not a database, but long enough to look like a file header" * 20)

    report = inc.build()

    assert tuple(map(str, report.warnings)) == (
        ".digest-cache: discarded a damaged cache (DatabaseError: file is not a database); "
        "built without it",
    )
    assert len(report.rendered) == report.pages
    assert report.written == ()


def test_a_cache_from_another_version_is_replaced(inc: Site) -> None:
    (cache,) = (inc.root / ".digest-cache").glob("build-*.sqlite")
    with sqlite3.connect(cache) as db:  # another version: other key, other table layout
        db.execute("UPDATE meta SET value = 'other' WHERE name IN ('key', 'code')")
        db.execute("DROP TABLE posts")
        db.execute("CREATE TABLE posts (source TEXT, something_else BLOB)")
    db.close()

    report = inc.build()

    assert tuple(map(str, report.warnings)) == (
        ".digest-cache: discarded a cache made by another version of digest or its libraries",
    )
    assert len(report.rendered) == report.pages
    assert report.written == ()
    again = inc.build()
    assert (again.rendered, again.warnings) == ((), ())


def test_a_config_change_starts_the_cache_afresh_without_a_word(inc: Site) -> None:
    inc.write("digest.toml", 'title = "Inc, renamed"\nbase_url = "https://example.org/"\n')

    report = inc.build()

    assert tuple(map(str, report.warnings)) == ()
    assert len(report.rendered) == report.pages


def test_a_broken_cache_is_never_fatal_even_when_strict(inc: Site) -> None:
    inc.write("digest.toml", 'title = "Inc"\nbase_url = "https://example.org/"\nstrict = true\n')
    inc.build()
    (cache,) = (inc.root / ".digest-cache").glob("build-*.sqlite")
    cache.write_bytes(b"garbage, not a database" * 50)

    report = inc.build()

    assert tuple(map(str, report.warnings)) == (
        ".digest-cache: discarded a damaged cache (DatabaseError: file is not a database); "
        "built without it",
    )


def test_a_cache_folder_that_cannot_be_made_does_not_stop_the_build(inc: Site) -> None:
    shutil.rmtree(inc.root / ".digest-cache")
    (inc.root / ".digest-cache").write_text("a file where the cache folder would go\n")
    inc.write("content/2024/03-11.md", "---\ntags: [b]\n---\n\nDay 11, corrected.\n")

    report = inc.build()

    assert len(report.warnings) == 1
    assert str(report.warnings[0]).startswith(".digest-cache: cannot keep a cache there (")
    assert str(report.warnings[0]).endswith("building without one")
    assert "Day 11, corrected." in (inc.root / "public/2024/03/11/index.html").read_text()
    assert len(report.rendered) == report.pages  # nothing remembered: everything rendered
    assert "2024/03/10/index.html" not in report.written  # but unchanged files stay


def test_clean_ignores_the_cache(inc: Site) -> None:
    report = inc.build(clean=True)

    assert len(report.rendered) == report.pages
    assert report.written == ()


def test_a_future_post_appears_when_its_day_comes(inc: Site) -> None:
    inc.write("content/2026/01-05.md", "---\ntags: [c]\n---\n\nNot yet.\n")
    before = inc.build()
    assert before.skipped_future == 1
    assert inc.build().rendered == ()  # nothing changed, nothing due

    later = build(BuildOptions(root=inc.root, now=datetime(2026, 1, 6, tzinfo=UTC), jobs=1))

    assert "2026/01/05/index.html" in later.written
    assert later.skipped_future == 0


def test_a_deleted_output_file_is_made_again(inc: Site) -> None:
    (inc.root / "public/tags/c/index.html").unlink()

    report = inc.build()

    assert report.written == ("tags/c/index.html",)
    assert (inc.root / "public/tags/c/index.html").is_file()


def test_an_edit_that_keeps_size_and_modification_time_is_seen(inc: Site) -> None:
    post = inc.root / "content/2024/03-11.md"
    os.utime(post, ns=(0, 1_700_000_000_000_000_000))  # written long before the build
    inc.build()
    edited = inc.root / "edited.md"  # the same size, copied in as cp -p / tar / rsync -t do
    edited.write_text(post.read_text(encoding="utf-8").replace("Day 11", "Day 77"))
    shutil.copystat(post, edited)
    shutil.copy2(edited, post)

    report = inc.build()

    assert "2024/03/11/index.html" in report.written
    assert "Day 77" in (inc.root / "public/2024/03/11/index.html").read_text()


def test_a_moved_site_keeps_its_cache(inc: Site) -> None:
    moved = inc.root.parent / "moved"
    inc.root.rename(moved)
    inc.root = moved

    report = inc.build()

    assert (report.rendered, report.written, report.warnings) == ((), (), ())
    assert report.output == str(moved / "public")
    assert len(list((moved / ".digest-cache").glob("build-*.sqlite"))) == 1
    inc.write("content/2024/03-11.md", "---\ntags: [b]\n---\n\nDay 11, corrected.\n")
    assert "2024/03/11/index.html" in inc.build().written
