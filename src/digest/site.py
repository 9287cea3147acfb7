"""Assemble the site: choose what is published, order it, group it by tag and by date.

Pure: no I/O, no clock (the caller passes ``now``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from itertools import groupby
from urllib.parse import unquote

from digest.config import Config
from digest.dates import format_period
from digest.errors import BuildFailed, ContentError, DigestError, shown
from digest.fingerprints import fingerprint_text
from digest.folders import CONTENT_DIR
from digest.model import Archive, ArchiveKind, Link, Post, Site, Tag
from digest.urls import day_url, join, month_url, slugify, tag_url, year_url


def newest_first(posts: Iterable[Post]) -> tuple[Post, ...]:
    """Newest first; posts of the same moment by source path, so order never wobbles."""
    by_source = sorted(posts, key=lambda post: post.source)
    return tuple(sorted(by_source, key=lambda post: post.date, reverse=True))


def assemble(
    config: Config,
    posts: Sequence[Post],
    *,
    now: datetime,
    drafts: bool = False,
    future: bool = False,
) -> Site:
    """Build the Site from parsed posts; raises BuildFailed listing every clash."""
    drafts_left = [p for p in posts if p.draft and not drafts]
    future_left = [p for p in posts if p.date > now and not future and p not in drafts_left]
    left_out = {id(p) for p in drafts_left + future_left}
    published = newest_first(p for p in posts if id(p) not in left_out)

    urls = {post.source: post.url for post in published}
    linked = tuple(link_markdown_files(published, urls, config.base_path))
    pages = tuple(sorted((p for p in linked if p.kind == "page"), key=lambda p: p.source))
    published = tuple(with_one_spelling_per_tag([p for p in linked if p.kind == "post"]))

    problems: list[DigestError] = []
    problems.extend(_duplicate_urls((*published, *pages)))
    problems.extend(_long_names((*published, *pages)))
    tags = _tags(published, problems)
    if problems:
        raise BuildFailed(problems)

    days = _archives(config, published, "day", lambda d: d)
    months = _archives(config, published, "month", lambda d: d.replace(day=1))
    years = _archives(config, published, "year", lambda d: d.replace(month=1, day=1))
    return Site(
        config=config,
        posts=published,
        pages=pages,
        tags=tags,
        years=_with_children(years, months),
        months=_with_children(months, days),
        days=days,
        skipped_drafts=len(drafts_left),
        skipped_future=len(future_left),
        next_future=min((p.date for p in future_left), default=None),
    )


def _tag_key(name: str) -> str:
    """What makes two tags one: ``AI``, ``ai`` and full-width ``ＡＩ`` are the same tag."""
    return unicodedata.normalize("NFKC", name).casefold()


def with_one_spelling_per_tag(posts: Sequence[Post]) -> Iterator[Post]:
    """Posts whose tags are spelled the one way the site shows each tag: the spelling
    most posts use, on a tie the one of the oldest post. A post that changes gets a new
    card and fingerprint, so every page that shows its tags renders again."""
    spellings: dict[str, dict[str, int]] = {}
    for post in sorted(posts, key=lambda p: (p.date, p.source)):
        for name in post.tags:
            counts = spellings.setdefault(_tag_key(name), {})
            counts[name] = counts.get(name, 0) + 1
    # max() keeps the first of equal counts, and the dicts keep the oldest post's first.
    shown = {key: max(counts, key=counts.__getitem__) for key, counts in spellings.items()}
    for post in posts:
        tags = tuple(dict.fromkeys(shown[_tag_key(name)] for name in post.tags))
        if tags == post.tags:
            yield post
            continue
        marks = [fingerprint_text(mark, repr(tags)) for mark in (post.card, post.fingerprint)]
        yield replace(post, tags=tags, card=marks[0], fingerprint=marks[1])


_MARKDOWN_HREF = re.compile(r'href="([^"#?]*\.md)(#[^"]*)?"')


def link_markdown_files(
    posts: Iterable[Post], urls: Mapping[str, str], base_path: str
) -> Iterator[Post]:
    """Posts whose links to other posts' Markdown files (``[昨天](02-18.md)``, as an
    editor's preview follows them) point at those posts' pages instead.

    ``urls``: the url of every published post by source. A post whose links changed gets
    a fingerprint of its file and of the urls it now links to, so its page renders again
    when a linked post moves. Links to files that are no published post stay (and
    ``digest check`` reports them).
    """
    for post in posts:
        if not any(ref.kind == "link" and ".md" in ref.url for ref in post.references):
            yield post
            continue
        html, linked = _link_pages(post.html, urls, base_path)
        if not linked:
            yield post
            continue
        yield replace(
            post,
            html_utf8=html.encode("utf-8", "surrogatepass"),
            fingerprint=fingerprint_text(post.fingerprint, str(linked)),
        )


def _link_pages(html: str, urls: Mapping[str, str], base_path: str) -> tuple[str, list[str]]:
    prefix = base_path.rstrip("/")
    linked: list[str] = []

    def to_page(found: re.Match[str]) -> str:
        path = unquote(found.group(1))
        url = urls.get(f"{CONTENT_DIR}{path[len(prefix) :]}") if path.startswith(prefix) else None
        if url is None:
            return found.group()
        linked.append(url)
        return f'href="{join(base_path, url)}{found.group(2) or ""}"'

    return _MARKDOWN_HREF.sub(to_page, html), linked


def _duplicate_urls(posts: Sequence[Post]) -> list[DigestError]:
    owners: dict[str, Post] = {}
    problems: list[DigestError] = []
    for post in sorted(posts, key=lambda p: p.source):
        first = owners.setdefault(post.url, post)
        if first is not post:
            problems.append(
                ContentError(
                    f"URL {post.url} is also the URL of {first.source}",
                    post.source,
                    post.lines.get("slug") or post.lines.get("date") or 1,
                    "give one of them another 'slug' in its front matter",
                )
            )
    return problems


NAME_MAX_BYTES = 255
"""The longest file or folder name most file systems take (bytes, as UTF-8)."""


def _long_part(url: str) -> int:
    """Bytes of the longest part of ``url``, each of which becomes a folder or file name."""
    return max(len(part.encode("utf-8", "surrogatepass")) for part in url.split("/"))


def _long_names(posts: Sequence[Post]) -> list[DigestError]:
    """Posts whose URL has a part too long to be a file name: found here, at the line to
    fix, rather than as "File name too long" halfway through writing."""
    return [
        ContentError(
            f"URL {post.url} has a part of {size} bytes; a file name takes at most "
            f"{NAME_MAX_BYTES}",
            post.source,
            post.lines.get("slug") or post.lines.get("date") or 1,
            "give the post a shorter 'slug' in its front matter",
        )
        for post in sorted(posts, key=lambda p: p.source)
        if (size := _long_part(post.url)) > NAME_MAX_BYTES
    ]


def _tags(posts: Sequence[Post], problems: list[DigestError]) -> tuple[Tag, ...]:
    names_by_slug: dict[str, dict[str, Post]] = {}
    for post in sorted(posts, key=lambda p: p.source):
        for name in post.tags:
            slug = slugify(name)
            if not slug:
                problems.append(
                    ContentError(
                        f"tag {shown(name)} has no letters or digits for its URL",
                        post.source,
                        post.lines.get("tags", 1),
                    )
                )
                continue
            if len(slug.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES:
                problems.append(
                    ContentError(
                        f"tag {name[:12]!r}… makes a URL part of {len(slug.encode())} bytes; "
                        f"a file name takes at most {NAME_MAX_BYTES}",
                        post.source,
                        post.lines.get("tags", 1),
                        "use a shorter tag",
                    )
                )
                continue
            names_by_slug.setdefault(slug, {}).setdefault(name, post)
    by_name: dict[str, list[Post]] = {}
    for post in posts:
        for name in post.tags:
            by_name.setdefault(name, []).append(post)
    tags: list[Tag] = []
    for slug, names in sorted(names_by_slug.items()):
        if len(names) > 1:
            (first, first_post), *others = sorted(names.items())
            for other, post in others:
                problems.append(
                    ContentError(
                        f"tag {shown(other)} gets the same URL {tag_url(slug)} as tag "
                        f"{shown(first)} in {first_post.source}",
                        post.source,
                        post.lines.get("tags", 1),
                        "tags that differ only in punctuation share a URL: spell them alike",
                    )
                )
            continue
        name = next(iter(names))
        tagged = tuple(by_name.get(name, ()))
        tags.append(Tag(name=name, slug=slug, url=tag_url(slug), posts=tagged))
    return tuple(sorted(tags, key=lambda tag: (tag.name.lower(), tag.name)))


_URL_OF: dict[ArchiveKind, Callable[[date], str]] = {
    "year": lambda d: year_url(d.year),
    "month": lambda d: month_url(d.year, d.month),
    "day": day_url,
}
_UP_OF: dict[ArchiveKind, Callable[[date], date] | None] = {
    "year": None,
    "month": lambda d: d.replace(month=1, day=1),
    "day": lambda d: d.replace(day=1),
}
_UP_KIND: dict[ArchiveKind, ArchiveKind] = {"month": "year", "day": "month"}


def _archives(
    config: Config, posts: Sequence[Post], kind: ArchiveKind, period: Callable[[date], date]
) -> tuple[Archive, ...]:
    """One archive per period that has posts, newest first, linked to its neighbours."""
    groups = [(start, tuple(group)) for start, group in groupby(posts, lambda p: period(p.day))]
    language = config.language

    def link(start: date, of_kind: ArchiveKind) -> Link:
        title = format_period(of_kind, start, language, config.date_format)
        return Link(url=_URL_OF[of_kind](start), title=title)

    archives: list[Archive] = []
    for index, (start, group) in enumerate(groups):
        up_of = _UP_OF[kind]
        archives.append(
            Archive(
                kind=kind,
                start=start,
                url=_URL_OF[kind](start),
                title=format_period(kind, start, language, config.date_format),
                posts=group,
                up=link(up_of(start), _UP_KIND[kind]) if up_of else None,
                next=link(groups[index - 1][0], kind) if index > 0 else None,
                previous=link(groups[index + 1][0], kind) if index + 1 < len(groups) else None,
            )
        )
    return tuple(archives)


def _with_children(
    parents: tuple[Archive, ...], children: tuple[Archive, ...]
) -> tuple[Archive, ...]:
    """Give each year its months and each month its days (as links)."""
    inside: dict[str, list[Link]] = {}
    for child in children:
        if child.up is not None:
            inside.setdefault(child.up.url, []).append(Link(url=child.url, title=child.title))
    return tuple(replace(parent, children=tuple(inside.get(parent.url, ()))) for parent in parents)
