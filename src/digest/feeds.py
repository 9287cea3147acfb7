"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one item model, with absolute urls only.

Pure: posts in, bytes out. XML is written by ElementTree, which escapes text itself: no
hand-made CDATA, so a ``]]>`` in a post cannot break a feed.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urljoin

from digest.config import Config
from digest.markdown import without_heading_anchors
from digest.model import Post
from digest.rawhtml import rewrite_html_urls
from digest.urls import join, origin

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """One post as every feed format sees it."""

    id: str
    url: str
    title: str
    html: str
    summary: str
    published: datetime
    updated: datetime
    tags: tuple[str, ...]
    image: str | None
    author: str
    """The post's own author, or "" when it is the feed's."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """A channel: the whole site, or one tag."""

    title: str
    description: str
    language: str
    author: str
    """The site's ``author``, else its title: Atom requires an author (RFC 4287 4.1.1)."""
    home: str
    """Absolute url of the page the feed belongs to."""
    rss: str
    atom: str
    json: str
    """Absolute urls of the feed in each format (for self links)."""
    updated: datetime | None
    """The newest item's date: never the clock, so rebuilding changes nothing."""
    items: tuple[FeedItem, ...]


def absolute(config: Config, site_url: str) -> str:
    """A site url (``/2024/``) as a permalink (``https://example.org/news/2024/``)."""
    return origin(config.base_url) + join(config.base_path, site_url)


def clean(text: str) -> str:
    """Drop characters XML 1.0 forbids."""
    return _CONTROL.sub("", text)


def make_feed(
    config: Config,
    posts: Sequence[Post],
    *,
    title: str,
    page_url: str,
    paths: tuple[str, str, str],
) -> Feed:
    """The newest ``feed_entries`` of ``posts`` (already newest first) as a Feed."""
    newest = tuple(posts[: config.feed_entries])
    items = tuple(_item(config, post) for post in newest)
    rss, atom, json_path = (absolute(config, path) for path in paths)
    return Feed(
        title=title,
        description=config.description,
        language=config.language,
        author=config.author or config.title,
        home=absolute(config, page_url),
        rss=rss,
        atom=atom,
        json=json_path,
        updated=max((item.updated for item in items), default=None),
        items=items,
    )


def _item(config: Config, post: Post) -> FeedItem:
    permalink = absolute(config, post.url)
    home = origin(config.base_url) + "/"

    def resolve(url: str) -> str:
        if url.startswith("#"):
            return permalink + url
        return urljoin(home if url.startswith("/") else permalink, url)

    return FeedItem(
        id=permalink,
        url=permalink,
        title=post.title,
        html=rewrite_html_urls(without_heading_anchors(post.html), resolve),
        summary=post.summary,
        published=post.date,
        updated=post.updated or post.date,
        tags=post.tags,
        image=resolve(post.cover) if post.cover else None,
        author=post.author if post.author != (config.author or config.title) else "",
    )


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = clean(text)
    return element


def _as_html(text: str) -> str:
    """Plain text as the HTML that shows it: RSS 2.0 readers take ``description`` as HTML,
    so text escaped only once by the XML would reach them as live markup."""
    return html.escape(text, quote=False)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def rss(feed: Feed) -> bytes:
    namespaces = {"atom": ATOM_NS, "media": MEDIA_NS, "dc": DC_NS, "content": CONTENT_NS}
    root = ET.Element("rss", {"version": "2.0", **{f"xmlns:{k}": v for k, v in namespaces.items()}})
    channel = ET.SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.home)
    _text(channel, "description", _as_html(feed.description or feed.title))
    _text(channel, "language", feed.language)
    ET.SubElement(
        channel, "atom:link", {"href": feed.rss, "rel": "self", "type": "application/rss+xml"}
    )
    if feed.updated:
        _text(channel, "lastBuildDate", format_datetime(feed.updated))
    for item in feed.items:
        entry = ET.SubElement(channel, "item")
        _text(entry, "title", item.title)
        _text(entry, "link", item.url)
        _text(entry, "guid", item.id, isPermaLink="true")
        _text(entry, "pubDate", format_datetime(item.published))
        _text(entry, "dc:creator", item.author or feed.author)
        for tag in item.tags:
            _text(entry, "category", tag)
        _text(entry, "description", _as_html(item.summary or item.title))
        _text(entry, "content:encoded", item.html)
        if item.image:
            ET.SubElement(entry, "media:content", {"url": item.image, "medium": "image"})
    return _xml(root)


def atom(feed: Feed) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": feed.language})
    _text(root, "title", feed.title)
    if feed.description:
        _text(root, "subtitle", feed.description)
    _text(root, "id", feed.home)
    ET.SubElement(root, "link", {"href": feed.home, "rel": "alternate", "type": "text/html"})
    ET.SubElement(root, "link", {"href": feed.atom, "rel": "self", "type": "application/atom+xml"})
    if feed.updated:
        _text(root, "updated", feed.updated.isoformat())
    _text(ET.SubElement(root, "author"), "name", feed.author)
    ET.SubElement(root, "generator").text = "digest"
    for item in feed.items:
        entry = ET.SubElement(root, "entry")
        _text(entry, "title", item.title)
        _text(entry, "id", item.id)
        ET.SubElement(entry, "link", {"href": item.url, "rel": "alternate", "type": "text/html"})
        _text(entry, "published", item.published.isoformat())
        _text(entry, "updated", item.updated.isoformat())
        if item.author:
            _text(ET.SubElement(entry, "author"), "name", item.author)
        for tag in item.tags:
            ET.SubElement(entry, "category", {"term": clean(tag)})
        if item.summary:
            _text(entry, "summary", item.summary)
        _text(entry, "content", item.html, type="html")
        if item.image:
            ET.SubElement(
                entry,
                "link",
                {"href": item.image, "rel": "enclosure", "type": _image_type(item.image)},
            )
    return _xml(root)


def json_feed(feed: Feed) -> bytes:
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": clean(feed.title),
        "home_page_url": feed.home,
        "feed_url": feed.json,
        "language": feed.language,
    }
    if feed.description:
        document["description"] = clean(feed.description)
    document["authors"] = [{"name": clean(feed.author)}]
    items = []
    for item in feed.items:
        entry: dict[str, object] = {
            "id": item.id,
            "url": item.url,
            "title": clean(item.title),
            "content_html": clean(item.html),
            "date_published": item.published.isoformat(),
            "date_modified": item.updated.isoformat(),
        }
        if item.summary:
            entry["summary"] = clean(item.summary)
        if item.author:
            entry["authors"] = [{"name": clean(item.author)}]
        if item.tags:
            entry["tags"] = [clean(tag) for tag in item.tags]
        if item.image:
            entry["image"] = item.image
        items.append(entry)
    document["items"] = items
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _image_type(url: str) -> str:
    suffix = url.rsplit(".", 1)[-1].lower().split("?")[0]
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "svg": "image/svg+xml",
    }.get(suffix, "image/*")


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap(config: Config, entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    """Every public page with the date of its newest content.

    Written as text, in the layout ``_xml`` gives the feeds: a site has an entry per page
    (16,245 for 10,000 posts: 0.05 s of CPU as text, 0.14 s through ElementTree).
    """
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for url, lastmod in sorted(entries, key=lambda entry: entry[0]):
        lines.append(f"  <url>\n    <loc>{_xml_text(absolute(config, url))}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _xml_text(text: str) -> str:
    """Text as ElementTree writes it in an element: control characters dropped, & < > escaped."""
    return html.escape(clean(text), quote=False)


def robots(config: Config) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(config, '/sitemap.xml')}\n".encode()


def render_builtin(config: Config, template: str, context: Mapping[str, Any]) -> bytes:
    """Bytes of a machine-readable output that routes asked for by ``builtin:`` name."""
    if template == "builtin:sitemap":
        return sitemap(config, context["entries"])
    if template == "builtin:robots":
        return robots(config)
    feed = make_feed(
        config,
        context["posts"],
        title=context["title"],
        page_url=context["page_url"],
        paths=context["paths"],
    )
    writers = {"builtin:rss": rss, "builtin:atom": atom, "builtin:json": json_feed}
    return writers[template](feed)
