"""Which pages the search index holds, in which shards, in which language: a function of
the site alone (posts' dates and output paths), so the routes can link the shards and a
quick plan can keep them from the last report; and what of a page the index holds
(``indexed_part``), so a page whose rest changed is not indexed again. Makes no index and
touches no files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import groupby

from digest.fingerprints import fingerprint_text
from digest.model import Shard, Site
from digest.urls import output_path

SEARCH_FOLDER = "pagefind"
"""The shards' bundles, under the output folder (``/pagefind/<shard>/``)."""
SHARD_POSTS = 500
"""About how many posts a shard holds: Pagefind indexes one in about a second and a
fraction of the memory the whole archive takes, and a site has few of them."""
PAGES_SHARD = "pages"
"""The first part of the name of the shard of the standalone pages (they have no date)."""
SEGMENTED = ("zh", "ja")
"""Languages whose words Pagefind's extended binary finds in text without spaces."""
BODY = b"data-pagefind-body"
"""The attribute of the element whose content Pagefind indexes."""
BODY_END = b"<!--/indexed-->"
"""Put by a template right after the element that has ``BODY``: where what Pagefind
reads of the page ends (``indexed_part``)."""
_PAGEFIND_ATTRIBUTE = b"data-pagefind-"


def search_shards(site: Site, cap: int = SHARD_POSTS) -> tuple[Shard, ...]:
    """The site's search shards, the primary first: the posts in date order, cut between
    months into shards of at most ``cap`` posts (a month with more is a shard of its own),
    then the standalone pages in one shard (or one empty shard, when there is nothing).

    Filled greedily from the oldest month, the shards stay put as a site grows: a new post
    changes only the newest shard, an edit none but its own. The primary is the oldest,
    the shard that changes least, so the scripts and wasm the browser caches stay at one
    address for longest.
    """
    language = search_language(site)
    posts = sorted(site.posts, key=lambda post: (post.date, post.url))
    groups: list[tuple[str, list[str]]] = []
    for month, in_month in groupby(posts, key=lambda post: f"{post.date:%Y-%m}"):
        paths = [output_path(post.url) for post in in_month]
        if groups and len(groups[-1][1]) + len(paths) <= cap:
            groups[-1][1].extend(paths)
        else:
            groups.append((month, paths))
    if site.pages or not groups:
        groups.append((PAGES_SHARD, [output_path(page.url) for page in site.pages]))
    return tuple(
        _shard(first, paths, language, primary=number == 0)
        for number, (first, paths) in enumerate(groups)
    )


def bundle_url(shard: Shard) -> str:
    """The site URL of a shard's bundle (``/pagefind/2024-03-1a2b3c4d/``)."""
    return f"/{SEARCH_FOLDER}/{shard.name}/"


def _shard(first: str, paths: Iterable[str], language: str, *, primary: bool) -> Shard:
    """A shard named by its first month and a hash of what its bundle must hold."""
    members = tuple(sorted(paths))
    role = "primary" if primary else "merged"
    hashed = fingerprint_text(language, role, *members)[:8]
    return Shard(name=f"{first}-{hashed}", paths=members, primary=primary)


def search_language(site: Site) -> str:
    """The index's language: the site's, or Chinese (Japanese) when a post or page says it
    is written in one, since only an index in such a language finds its words; English
    words are found in it too (by their letters, without English stemming)."""
    own = primary_language(site.config.language)
    if own in SEGMENTED:
        return own
    languages = {primary_language(post.language) for post in (*site.posts, *site.pages)}
    return next((language for language in SEGMENTED if language in languages), own)


def primary_language(tag: str) -> str:
    """The primary subtag of a language tag: ``zh`` of ``zh-CN``."""
    return tag.lower().replace("_", "-").split("-")[0]


def indexed_part(page: bytes) -> str | None:
    """A hash of what Pagefind reads of a page, or None when that cannot be told.

    Pagefind reads the element that has ``data-pagefind-body``, the page's first ``<h1>``
    (the result's title) and the first ``<img>`` after it (its image), and any other
    ``data-pagefind-*`` attribute. So when a page has one such element, closed by one
    ``BODY_END`` mark, and no other such attribute, only the element and that heading and
    image count: a new header, footer or year list leaves the hash, and the search index,
    as they were. Anything else is None (read as "changed" whenever the page is).
    """
    body = page.find(BODY)
    if body < 0:
        return None  # listings: Pagefind reads none of them
    start = page.rfind(b"<", 0, body)  # where the element's tag opens
    end = page.find(BODY_END, body)
    if (
        start < 0
        or end < 0
        or page.find(BODY, body + 1) >= 0
        or page.find(BODY_END, end + 1) >= 0
        or page.rfind(_PAGEFIND_ATTRIBUTE, 0, start) >= 0
        or page.find(_PAGEFIND_ATTRIBUTE, end) >= 0
    ):
        return None
    heading = page.find(b"<h1")
    heading_end = page.find(b"</h1>", heading) if heading >= 0 else -1
    image = page.find(b"<img", heading_end) if heading_end >= 0 else -1
    image_end = page.find(b">", image) if image >= 0 else -1
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        page[start:end],
        page[heading:heading_end] if heading_end >= 0 else b"",
        page[image:image_end] if image_end >= 0 else b"",
    ):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()
