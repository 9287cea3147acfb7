"""The rules the W3C Feed Validation Service applies, checked on built feeds.

Atom (RFC 4287): the feed and each entry have an ``id``, a ``title`` and an ``updated``
date in RFC 3339; the feed has an ``author`` unless every entry has one (4.1.1); an entry
has a ``link rel="alternate"`` or content; ids are unique absolute IRIs; no ``xml:base``,
so every URL is absolute. RSS 2.0: the channel has ``title``, ``link`` and
``description``; dates are RFC 822; a ``guid`` marked as a permalink is an absolute URL.
Both are built with the default configuration (no ``author``), where the rules bit.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime

import pytest

from tests.conftest import SiteFolder

ATOM = "{http://www.w3.org/2005/Atom}"
RFC_3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ABSOLUTE = re.compile(r"https?://[^/\s]+/")


@pytest.fixture
def default_site(site: SiteFolder) -> SiteFolder:
    site.write("digest.toml", 'title = "日报"\nbase_url = "https://example.org/news/"\n')
    site.write(
        "content/2024/02-19.md",
        "---\ntitle: 第一期\ntags: [AI]\nauthor: 小王\n---\n\n## 1、谷歌发布模型\n\n正文。\n",
    )
    site.write("content/2024/02-18.md", "---\ntags: [AI]\n---\n\n## 第一条\n\n昨天。\n")
    run = site.digest("build")
    assert run.code == 0, run.stderr
    return site


def test_atom_has_what_rfc_4287_requires(default_site: SiteFolder) -> None:
    feed = ET.fromstring(default_site.read("public/atom.xml").encode())

    assert "{http://www.w3.org/XML/1998/namespace}base" not in feed.attrib
    for element in (feed, *feed.findall(f"{ATOM}entry")):
        assert (element.findtext(f"{ATOM}title") or "").strip()
        assert ABSOLUTE.match(element.findtext(f"{ATOM}id") or "")
        assert RFC_3339.match(element.findtext(f"{ATOM}updated") or "")
    # Without `author` in the config the feed's author is the site's title.
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "日报"
    entries = feed.findall(f"{ATOM}entry")
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries) == 2
    for entry in entries:
        links = entry.findall(f"{ATOM}link[@rel='alternate']")
        assert len(links) == 1 and ABSOLUTE.match(links[0].get("href", ""))
        assert RFC_3339.match(entry.findtext(f"{ATOM}published") or "")
    # A post's own author is named on its entry; the others have the feed's.
    assert [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries] == ["小王", None]


@pytest.mark.parametrize("path", ["public/feed.xml", "public/tags/ai/feed.xml"])
def test_rss_has_what_rss_2_requires(default_site: SiteFolder, path: str) -> None:
    channel = ET.fromstring(default_site.read(path).encode()).find("channel")
    assert channel is not None

    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    assert ABSOLUTE.match(channel.findtext("link") or "")
    assert isinstance(parsedate_to_datetime(channel.findtext("lastBuildDate") or ""), datetime)
    items = channel.findall("item")
    assert len(items) == 2
    for item in items:
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert ABSOLUTE.match(guid.text or "") and guid.text == item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
    creators = [item.findtext("{http://purl.org/dc/elements/1.1/}creator") for item in items]
    assert creators == ["小王", "日报"]


def test_feed_items_carry_headings_without_their_anchor_links(
    default_site: SiteFolder,
) -> None:
    atom = default_site.read("public/atom.xml")
    rss = default_site.read("public/feed.xml")
    page = default_site.read("public/2024/02/19/index.html")

    assert "heading-anchor" in page
    for feed in (atom, rss):
        assert "heading-anchor" not in feed
        assert "1、谷歌发布模型&lt;/h2&gt;" in feed
