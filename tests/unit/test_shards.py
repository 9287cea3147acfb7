"""search_shards: the posts cut between months into shards of a capped size, greedily
from the oldest; the pages in a shard of their own; names that change only when what a
shard holds changes; and the part of a page the index reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from digest.config import Config
from digest.model import Post, Shard, Site
from digest.routes import plan
from digest.shards import indexed_part, search_shards
from digest.site import assemble

CONFIG = Config(language="zh-CN")
NOW = datetime(2030, 1, 1, tzinfo=UTC)
CAP = 5


def _post(month: str, day: int, *, slug: str = "", lang: str = "") -> Post:
    moment = datetime.fromisoformat(f"{month}-{day:02d}").replace(tzinfo=UTC)
    url = f"/{moment:%Y/%m/%d}/" + (f"{slug}/" if slug else "")
    source = f"content/{month}-{day:02d}{slug}.md"
    return Post(source=source, title=source, date=moment, slug=slug, url=url, language=lang)


def _page(name: str) -> Post:
    source = f"content/{name}.md"
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return Post(source=source, title=name, date=epoch, slug=name, url=f"/{name}/", kind="page")


def _month(month: str, count: int) -> list[Post]:
    return [_post(month, day) for day in range(1, count + 1)]


def _site(posts: list[Post], config: Config = CONFIG) -> Site:
    return assemble(config, posts, now=NOW)


def _shards(site: Site) -> tuple[Shard, ...]:
    return search_shards(site, cap=CAP)


# Months of 2, 2, 1 | 3, 2 | 7 (over the cap: alone) | 1, 2
POSTS = [
    *_month("2024-01", 2),
    *_month("2024-02", 2),
    *_month("2024-03", 1),
    *_month("2024-04", 3),
    *_month("2024-05", 2),
    *_month("2024-06", 7),
    *_month("2024-07", 1),
    *_month("2024-08", 2),
    _page("about"),
]


def test_months_fill_shards_greedily_from_the_oldest_and_pages_come_last() -> None:
    shards = _shards(_site(POSTS))

    assert [shard.name.rsplit("-", 1)[0] for shard in shards] == [
        "2024-01",
        "2024-04",
        "2024-06",  # seven posts: more than the cap, a shard of its own
        "2024-07",
        "pages",
    ]
    assert [len(shard.paths) for shard in shards] == [5, 5, 7, 3, 1]
    assert shards[0].paths == tuple(
        sorted(
            f"2024/{month:02d}/{day:02d}/index.html"
            for month, days in ((1, 2), (2, 2), (3, 1))
            for day in range(1, days + 1)
        )
    )
    assert shards[-1].paths == ("about/index.html",)
    assert [shard.primary for shard in shards] == [True, False, False, False, False]
    assert all(len(shard.name.rsplit("-", 1)[1]) == 8 for shard in shards)


def test_the_same_site_gives_the_same_shards() -> None:
    assert _shards(_site(POSTS)) == _shards(_site(list(reversed(POSTS))))


def test_an_edit_renames_no_shard_and_a_new_post_only_the_newest() -> None:
    before = _shards(_site(POSTS))
    edited = [replace(post, title="改过的标题", html_utf8="<p>新</p>".encode()) for post in POSTS]
    assert _shards(_site(edited)) == before

    after = _shards(_site([*POSTS, _post("2024-08", 20)]))

    assert [s.name for s in after[:3]] == [s.name for s in before[:3]]
    assert after[3].name != before[3].name  # the newest: one more post
    assert after[3].name.startswith("2024-07-")
    assert after[4] == before[4]


def test_a_removed_post_renames_only_its_shard() -> None:
    before = _shards(_site(POSTS))
    removed = POSTS[6]  # 2024-04-02, in the second shard

    after = _shards(_site([post for post in POSTS if post is not removed]))

    assert [s.name == b.name for s, b in zip(after, before, strict=True)] == [
        True,
        False,
        True,
        True,
        True,
    ]
    assert "2024/04/02/index.html" not in after[1].paths


def test_a_new_month_past_the_cap_starts_a_shard() -> None:
    before = _shards(_site(POSTS))

    after = _shards(_site([*POSTS, *_month("2024-09", 3)]))

    assert [s.name.rsplit("-", 1)[0] for s in after] == [
        "2024-01",
        "2024-04",
        "2024-06",
        "2024-07",
        "2024-09",
        "pages",
    ]
    assert after[:4] == before[:4]  # 3 + 3 is over the cap: the July shard stays as it was


def test_the_primary_and_the_language_are_in_the_name() -> None:
    shards = _shards(_site(POSTS))
    without_oldest = _shards(_site(POSTS[5:]))  # the April shard becomes the primary
    assert without_oldest[0].paths == shards[1].paths
    assert without_oldest[0].primary
    assert without_oldest[0].name != shards[1].name

    english = _shards(_site(POSTS, Config(language="en")))
    assert [s.paths for s in english] == [s.paths for s in shards]
    assert not {s.name for s in english} & {s.name for s in shards}


def test_a_site_of_pages_or_of_nothing_has_one_shard() -> None:
    (pages,) = _shards(_site([_page("about"), _page("contact")]))
    assert pages.primary
    assert pages.paths == ("about/index.html", "contact/index.html")

    (empty,) = _shards(_site([]))
    assert empty.primary
    assert empty.paths == ()
    assert empty.name.startswith("pages-")


def test_the_search_page_links_every_shard_primary_first() -> None:
    site = _site(POSTS)
    (page,) = [output for output in plan(site) if output.url == "/search/"]

    assert page.context["search_bundles"] == tuple(
        f"/pagefind/{shard.name}/" for shard in search_shards(site)
    )


# ---- what of a page the index reads ------------------------------------------------------


def _html(header: str = "<p>页眉</p>", article: str = "<p>正文</p>", footer: str = "") -> bytes:
    return (
        f'<html><head><meta name="description" content="x"></head><body>{header}'
        f"<main><article data-pagefind-body><h1>标题</h1>{article}</article>"
        f"<!--/indexed--></main>{footer}</body></html>"
    ).encode()


def test_the_indexed_part_ignores_the_header_and_footer_but_not_the_article() -> None:
    first = indexed_part(_html())

    assert first is not None
    assert indexed_part(_html(header="<nav>新导航</nav>", footer="<p>2026年</p>")) == first
    assert indexed_part(_html(article="<p>改过的正文</p>")) != first


def test_the_first_heading_and_the_image_after_it_count_wherever_they_are() -> None:
    outside = indexed_part(_html(header="<h1>站名</h1>"))

    assert outside != indexed_part(_html(header="<h1>新站名</h1>"))
    with_image = indexed_part(_html(footer='<img src="a.png" alt="">'))  # after the h1
    assert with_image != indexed_part(_html(footer='<img src="b.png" alt="">'))


@pytest.mark.parametrize(
    "page",
    [
        _html().replace(b"<!--/indexed-->", b""),  # a template without the mark
        _html(article="<code>&lt;p data-pagefind-body&gt;</code>"),  # a second body
        _html(article="<!--/indexed-->"),  # the mark inside the article
        _html(header='<span data-pagefind-filter="author">我</span>'),  # read elsewhere
        b"<html><body><p>no body marked</p></body></html>",
    ],
)
def test_a_page_whose_indexed_part_cannot_be_told_has_none(page: bytes) -> None:
    assert indexed_part(page) is None
