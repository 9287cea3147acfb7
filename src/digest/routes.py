"""Plan the site: every output file, its template and exactly what its template sees.

Layer 4: imports errors, model and urls. One function per page kind; ``plan`` joins
them and refuses two outputs at one path, naming both sources.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from digest.errors import BuildFailed, ContentError, DigestError
from digest.model import Archive, Link, Output, Paginator, Site
from digest.urls import output_path, page_url

NOT_FOUND_URL = "/404.html"


def plan(site: Site) -> list[Output]:
    """Every page of the site, in a stable order."""
    nav = _nav(site)
    outputs = [
        *_post_pages(site, nav),
        *_home_pages(site, nav),
        *_period_pages(site, nav),
        _timeline_page(site, nav),
        *_tag_pages(site, nav),
        _page(NOT_FOUND_URL, "404.html", "404", nav, {}),
    ]
    _refuse_collisions(outputs)
    return outputs


def _nav(site: Site) -> Mapping[str, Any]:
    """Site-wide facts every page may show; small on purpose (it is in every fingerprint)."""
    return {
        "years": tuple(Link(url=year.url, title=year.title) for year in site.years),
        "latest": Link(url=site.posts[0].url, title=site.posts[0].title) if site.posts else None,
        "post_count": len(site.posts),
        "tag_count": len(site.tags),
    }


def _page(
    url: str, template: str, source: str, nav: Mapping[str, Any], context: Mapping[str, Any]
) -> Output:
    full = {"current_url": url, "nav": nav, "kind": template.removesuffix(".html"), **context}
    return Output(url=url, path=output_path(url), template=template, context=full, source=source)


def _post_pages(site: Site, nav: Mapping[str, Any]) -> Iterator[Output]:
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
        )


def _home_pages(site: Site, nav: Mapping[str, Any]) -> Iterator[Output]:
    size = site.config.posts_per_page
    chunks = [site.posts[i : i + size] for i in range(0, len(site.posts), size)] or [()]
    urls = tuple(page_url("/", number) for number in range(1, len(chunks) + 1))
    for number, chunk in enumerate(chunks, start=1):
        paginator = Paginator(number=number, urls=urls)
        yield _page(
            urls[number - 1], "index.html", "home", nav, {"posts": chunk, "paginator": paginator}
        )


def _period_pages(site: Site, nav: Mapping[str, Any]) -> Iterator[Output]:
    day_pages = {post.url for post in site.posts if post.is_day_page}
    archives: tuple[Archive, ...] = site.years + site.months + site.days
    for archive in archives:
        if archive.url in day_pages:
            continue
        yield _page(
            archive.url,
            "period.html",
            f"{archive.kind} archive",
            nav,
            {"archive": archive, "posts": archive.posts},
        )


def _timeline_page(site: Site, nav: Mapping[str, Any]) -> Output:
    timeline = tuple(
        (year, tuple(month for month in site.months if month.start.year == year.start.year))
        for year in site.years
    )
    return _page("/archive/", "archive.html", "timeline", nav, {"timeline": timeline})


def _tag_pages(site: Site, nav: Mapping[str, Any]) -> Iterator[Output]:
    yield _page("/tags/", "tags.html", "tag index", nav, {"tags": site.tags})
    for tag in site.tags:
        yield _page(tag.url, "tag.html", f"tag {tag.name!r}", nav, {"tag": tag, "posts": tag.posts})


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
