"""assemble and plan: what is published, how it is grouped, which pages exist."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from digest.config import Config
from digest.errors import BuildFailed
from digest.model import Post, Reference
from digest.routes import plan
from digest.site import assemble, link_markdown_files

CONFIG = Config(language="en", posts_per_page=2)
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _post(source: str, when: str, slug: str = "", **fields: object) -> Post:
    moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
    url = f"/{moment:%Y/%m/%d}/" + (f"{slug}/" if slug else "")
    return Post(source=source, title=source, date=moment, slug=slug, url=url, **fields)  # type: ignore[arg-type]


POSTS = [
    _post("content/a.md", "2024-01-31"),
    _post("content/b.md", "2024-02-01", tags=("AI",)),
    _post("content/c.md", "2024-02-01 10:00", slug="extra", tags=("AI", "模型")),
    _post("content/d.md", "2024-03-05"),
    _post("content/draft.md", "2024-03-06", draft=True),
    _post("content/later.md", "2024-07-01"),
]


def test_published_posts_are_newest_first_without_drafts_and_future() -> None:
    site = assemble(CONFIG, POSTS, now=NOW)

    assert [p.source for p in site.posts] == [
        "content/d.md",
        "content/c.md",
        "content/b.md",
        "content/a.md",
    ]
    assert (site.skipped_drafts, site.skipped_future) == (1, 1)
    assert site.next_future == datetime(2024, 7, 1, tzinfo=UTC)


def test_drafts_and_future_can_be_included() -> None:
    site = assemble(CONFIG, POSTS, now=NOW, drafts=True, future=True)

    assert len(site.posts) == 6
    assert site.skipped_drafts == site.skipped_future == 0


def test_archives_link_up_and_to_neighbours_with_posts() -> None:
    site = assemble(CONFIG, POSTS, now=NOW)

    months = {m.url: m for m in site.months}
    february = months["/2024/02/"]
    assert february.title == "February 2024"
    assert february.up is not None and february.up.url == "/2024/"
    assert february.previous is not None and february.previous.url == "/2024/01/"
    assert february.next is not None and february.next.url == "/2024/03/"
    assert [c.url for c in february.children] == ["/2024/02/01/"]
    day = next(d for d in site.days if d.url == "/2024/03/05/")
    # The neighbour of 2024-03-05 skips the empty days back to 2024-02-01.
    assert day.previous is not None and day.previous.url == "/2024/02/01/"
    assert [y.url for y in site.years] == ["/2024/"]
    assert [c.url for c in site.years[0].children] == ["/2024/03/", "/2024/02/", "/2024/01/"]


def test_tags_keep_chinese_and_list_their_posts() -> None:
    site = assemble(CONFIG, POSTS, now=NOW)

    assert [(t.name, t.url, len(t.posts)) for t in site.tags] == [
        ("AI", "/tags/ai/", 2),
        ("模型", "/tags/模型/", 1),
    ]


def test_tags_that_differ_only_in_punctuation_are_an_error_naming_both() -> None:
    posts = [
        _post("content/a.md", "2024-01-01", tags=("AI!",)),
        _post("content/b.md", "2024-01-02", tags=("AI?",)),
    ]

    with pytest.raises(BuildFailed) as failure:
        assemble(CONFIG, posts, now=NOW)

    assert [str(p) for p in failure.value.problems] == [
        "content/b.md:1: tag 'AI?' gets the same URL /tags/ai/ as tag 'AI!' in content/a.md "
        "(tags that differ only in punctuation share a URL: spell them alike)"
    ]


def test_tags_that_differ_in_case_or_width_are_one_tag_spelled_as_most_posts_do() -> None:
    posts = [
        _post("content/a.md", "2024-01-01", tags=("ai",)),
        _post("content/b.md", "2024-01-02", tags=("AI",)),
        _post("content/c.md", "2024-01-03", tags=("ＡＩ", "AI")),
        _post("content/d.md", "2024-01-04", tags=("AI", "c++", "c#")),
    ]

    site = assemble(CONFIG, posts, now=NOW)

    assert [(t.name, t.url, len(t.posts)) for t in site.tags] == [
        ("AI", "/tags/ai/", 4),
        ("c#", "/tags/csharp/", 1),
        ("c++", "/tags/c++/", 1),
    ]
    assert {post.source: post.tags for post in site.posts} == {
        "content/a.md": ("AI",),
        "content/b.md": ("AI",),
        "content/c.md": ("AI",),
        "content/d.md": ("AI", "c++", "c#"),
    }
    changed = {post.source: post for post in site.posts}
    assert changed["content/a.md"].card != posts[0].card
    assert changed["content/b.md"] is posts[1]


def test_a_tie_between_spellings_goes_to_the_oldest_post() -> None:
    posts = [
        _post("content/new.md", "2024-05-01", tags=("OpenAI",)),
        _post("content/old.md", "2024-01-01", tags=("openai",)),
    ]

    site = assemble(CONFIG, posts, now=NOW)

    assert [t.name for t in site.tags] == ["openai"]


def test_pages_of_the_site() -> None:
    outputs = plan(assemble(CONFIG, POSTS, now=NOW))

    paths = [o.path for o in outputs]
    assert len(paths) == len(set(paths))
    for expected in (
        "index.html",
        "page/2/index.html",
        "2024/index.html",
        "2024/02/index.html",
        "2024/02/01/index.html",
        "2024/02/01/extra/index.html",
        "archive/index.html",
        "tags/index.html",
        "tags/模型/index.html",
        "404.html",
    ):
        assert expected in paths
    day_page = next(o for o in outputs if o.path == "2024/02/01/index.html")
    # A post without a slug stands in for its day archive and lists the day's others.
    assert day_page.template == "post.html"
    assert [p.source for p in day_page.context["day_posts"]] == ["content/c.md"]
    home = next(o for o in outputs if o.path == "index.html")
    assert [p.source for p in home.context["posts"]] == ["content/d.md", "content/c.md"]
    assert home.context["paginator"].next == "/page/2/"


def test_a_post_and_a_page_at_one_url_are_an_error() -> None:
    post = replace(_post("content/tags.md", "2024-01-01", slug="tags", tags=("AI",)), url="/tags/")
    site = assemble(Config(permalink="/{slug}/"), [post], now=NOW)

    with pytest.raises(BuildFailed) as failure:
        plan(site)

    problem = failure.value.problems[0]
    assert problem.path == "content/tags.md"
    assert problem.message == "tag index and content/tags.md both want /tags/"


def test_a_site_without_tags_has_no_tag_index() -> None:
    site = assemble(CONFIG, [_post("content/a.md", "2024-01-01")], now=NOW)

    outputs = plan(site)

    assert "tags/index.html" not in [o.path for o in outputs]
    assert all(o.context["nav"].has_tags is False for o in outputs if "nav" in o.context)


def test_links_to_markdown_files_of_posts_become_links_to_their_pages() -> None:
    target = _post("content/2024/新闻.md", "2024-02-18", slug="news")
    html = (
        '<a href="/news/2024/%E6%96%B0%E9%97%BB.md#%E4%B8%80">one</a> '
        '<a href="/news/2024/other.md">two</a> <a href="/news/2024/新闻.md">three</a>'
    )
    reference = Reference(1, "新闻.md#一", "link")
    linking = _post("content/2024/b.md", "2024-02-19", html_utf8=html.encode(),
                    references=(reference,), fingerprint="f")  # fmt: skip
    plain = _post(
        "content/2024/c.md", "2024-02-20", html_utf8=b'<a href="x.md">x</a>', fingerprint="g"
    )
    urls = {p.source: p.url for p in (target, linking, plain)}

    moved, untouched = link_markdown_files([linking, plain], urls, "/news/")

    assert moved.html == (
        '<a href="/news/2024/02/18/news/#%E4%B8%80">one</a> '
        '<a href="/news/2024/other.md">two</a> <a href="/news/2024/02/18/news/">three</a>'
    )
    assert untouched is plain  # no reference to a .md file: nothing to look at
    # The page that links must render again when the linked post moves.
    elsewhere = {**urls, target.source: "/2024/02/18/elsewhere/"}
    (again,) = link_markdown_files([linking], elsewhere, "/news/")
    assert len({linking.fingerprint, moved.fingerprint, again.fingerprint}) == 3
