"""Plan the site: every output file, its template and exactly what its template sees.

One function per page kind; ``plan`` joins them and refuses two outputs at one path,
naming both sources.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from digest.errors import BuildFailed, ContentError, DigestError
from digest.model import Archive, Link, Nav, Output, Paginator, Post, Site
from digest.shards import bundle_url, search_shards
from digest.urls import output_path, page_url

NOT_FOUND_URL = "/404.html"
FEEDS_URL = "/feeds/"
SEARCH_URL = "/search/"


CUSTOM_CSS = "assets/custom.css"
"""A site's own stylesheet (``static/assets/custom.css``): every page links it when copied."""


def plan(site: Site, copies: Collection[str] = ()) -> list[Output]:
    """Every page of the site, in a stable order; ``copies`` are the output paths of the
    static files copied beside the pages."""
    nav = _nav(site, copies)
    pages = [
        *_post_pages(site, nav),
        *_standalone_pages(site, nav),
        *_home_pages(site, nav),
        *_period_pages(site, nav),
        _timeline_page(site, nav),
        *_tag_pages(site, nav),
        _page(FEEDS_URL, "feeds.html", "feeds page", nav, {}),
        *([_search_page(site, nav)] if site.config.search else []),
        _page(NOT_FOUND_URL, "404.html", "404", nav, {}),
    ]
    outputs = [*pages, *_feeds(site), *_crawler_files(pages)]
    _refuse_collisions(outputs)
    return outputs


def _nav(site: Site, copies: Collection[str]) -> Nav:
    return Nav(
        years=tuple(Link(url=year.url, title=year.title) for year in site.years),
        has_tags=bool(site.tags),
        menu=tuple(
            Link(url=page.url, title=page.menu)
            for page in sorted(site.pages, key=lambda p: (p.weight, p.menu, p.source))
            if page.menu
        ),
        custom_css=CUSTOM_CSS in copies,
    )


def _page(
    url: str,
    template: str,
    source: str,
    nav: Nav,
    context: Mapping[str, Any],
    newest: Sequence[Post] = (),
) -> Output:
    full = {"current_url": url, "nav": nav, "kind": template.removesuffix(".html"), **context}
    return Output(
        url=url,
        path=output_path(url),
        template=template,
        context=full,
        source=source,
        lastmod=_last_change(newest),
    )


def _last_change(posts: Sequence[Post]) -> datetime | None:
    return max((post.updated or post.date for post in posts), default=None)


def _post_pages(site: Site, nav: Nav) -> Iterator[Output]:
    posts = site.posts
    days = {day.url: day for day in site.days}
    for index, post in enumerate(posts):
        newer = posts[index - 1] if index > 0 else None
        older = posts[index + 1] if index + 1 < len(posts) else None
        day = days.get(post.url) if post.is_day_page else None
        same_day = tuple(p for p in day.posts if p is not post) if day else ()
        yield _page(
            post.url,
            "post.html",
            post.source,
            nav,
            {
                "page": post,
                "previous": older,
                "next": newer,
                "day_posts": same_day,
                "archive": day,
            },
            (post,),
        )


def _standalone_pages(site: Site, nav: Nav) -> Iterator[Output]:
    """``about.md`` and the like: a page each, dated in the sitemap only when ``updated``."""
    for page in site.pages:
        yield _page(
            page.url, "page.html", page.source, nav, {"page": page}, (page,) if page.updated else ()
        )


def _paginated(
    first: str,
    posts: Sequence[Post],
    size: int,
    template: str,
    source: str,
    nav: Nav,
    context: Mapping[str, Any],
) -> Iterator[Output]:
    """A listing of ``posts`` cut into pages of ``size``; each page sees its own ``posts``
    and a ``paginator``, beside ``context``."""
    chunks = [posts[i : i + size] for i in range(0, len(posts), size)] or [()]
    urls = tuple(page_url(first, number) for number in range(1, len(chunks) + 1))
    for number, chunk in enumerate(chunks, start=1):
        paginator = Paginator(number=number, urls=urls)
        full = {**context, "posts": tuple(chunk), "paginator": paginator}
        yield _page(urls[number - 1], template, source, nav, full, chunk)


def _home_pages(site: Site, nav: Nav) -> Iterator[Output]:
    size = site.config.posts_per_page
    yield from _paginated("/", site.posts, size, "index.html", "home", nav, {})


def _period_pages(site: Site, nav: Nav) -> Iterator[Output]:
    day_pages = {post.url for post in site.posts if post.is_day_page}
    archives: tuple[Archive, ...] = site.years + site.months + site.days
    for archive in archives:
        if archive.url in day_pages:
            continue
        yield from _paginated(
            archive.url,
            archive.posts,
            site.config.posts_per_page,
            "period.html",
            f"{archive.kind} archive",
            nav,
            {"archive": archive},
        )


def _timeline_page(site: Site, nav: Nav) -> Output:
    timeline = tuple(
        (year, tuple(month for month in site.months if month.start.year == year.start.year))
        for year in site.years
    )
    return _page("/archive/", "archive.html", "timeline", nav, {"timeline": timeline}, site.posts)


def _tag_pages(site: Site, nav: Nav) -> Iterator[Output]:
    if not site.tags:
        return  # no empty "tags" page, and the header does not link one (``nav.has_tags``)
    yield _page("/tags/", "tags.html", "tag index", nav, {"tags": site.tags}, site.posts)
    for tag in site.tags:
        context = {"tag": tag, "tag_feed": tag_feed_url(tag.url)}
        size = site.config.posts_per_page
        yield from _paginated(
            tag.url, tag.posts, size, "tag.html", f"tag {tag.name!r}", nav, context
        )


def tag_feed_url(tag_page: str) -> str:
    return f"{tag_page}feed.xml"


FEED_TEMPLATES = ("builtin:rss", "builtin:atom", "builtin:json")


def _feeds(site: Site) -> Iterator[Output]:
    """The site's feeds in three formats, and an RSS feed per tag."""
    config = site.config
    paths = (config.rss_path, config.atom_path, config.json_feed_path)
    newest = site.posts[: config.feed_entries]
    context = {"posts": newest, "title": config.title, "page_url": "/", "paths": paths}
    for path, template in zip(paths, FEED_TEMPLATES, strict=True):
        yield Output(
            url=path, path=output_path(path), template=template, context=context, source="feed"
        )
    for tag in site.tags:
        url = tag_feed_url(tag.url)
        tag_context = {
            "posts": tag.posts[: config.feed_entries],
            "title": f"{config.title} · #{tag.name}",
            "page_url": tag.url,
            "paths": (url, url, url),
        }
        yield Output(
            url=url,
            path=output_path(url),
            template="builtin:rss",
            context=tag_context,
            source=f"tag {tag.name!r} feed",
        )


def _search_page(site: Site, nav: Nav) -> Output:
    """The search page, which loads the primary shard's bundle and merges the others':
    a new shard, or one whose pages changed, renders it again."""
    bundles = tuple(bundle_url(shard) for shard in search_shards(site))
    return _page(SEARCH_URL, "search.html", "search page", nav, {"search_bundles": bundles})


def _crawler_files(pages: Sequence[Output]) -> Iterator[Output]:
    # The search page shows nothing until asked: no page for a crawler.
    unlisted = (NOT_FOUND_URL, SEARCH_URL)
    entries = tuple((page.url, page.lastmod) for page in pages if page.url not in unlisted)
    yield Output(
        url="/sitemap.xml",
        path="sitemap.xml",
        template="builtin:sitemap",
        context={"entries": entries},
        source="sitemap",
    )
    yield Output(
        url="/robots.txt", path="robots.txt", template="builtin:robots", context={}, source="robots"
    )


def _refuse_collisions(outputs: list[Output]) -> None:
    owners: dict[str, Output] = {}
    problems: list[DigestError] = []
    for output in outputs:
        first = owners.setdefault(output.path, output)
        if first is not output:
            problems.append(
                ContentError(
                    f"{output.source} and {first.source} both want {output.url}",
                    output.source if "/" in output.source else first.source,
                    1,
                    "change the post's slug or the permalink pattern",
                )
            )
    if problems:
        raise BuildFailed(problems)
