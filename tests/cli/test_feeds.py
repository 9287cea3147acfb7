"""Feeds, sitemap and robots.txt of a built site, read back by a real feed parser."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from tests.conftest import SiteFolder

TRICKY = """---
title: "Tricky <b>&</b> ]]> 标题 🚀"
date: 2024-02-19 08:30
tags: [AI, 模型]
---

第一段：a < b && c > d, and the string ]]> inside text 🚀\x01.

![图](pics/a.png) [脚注](#section) [home](/)

<img src="pics/b.png" srcset="pics/b.png 1x, pics/b2.png 2x">
<video src="clip.mp4" poster="pics/p.png"></video>
"""


@pytest.fixture
def feed_site(site: SiteFolder) -> SiteFolder:
    site.write(
        "digest.toml",
        'title = "日报"\nbase_url = "https://example.org/news/"\nauthor = "编辑部"\n'
        'timezone = "Asia/Shanghai"\nlanguage = "zh-CN"\nfeed_entries = 2\n',
    )
    site.write("content/2024/02-19.md", TRICKY)
    site.write("content/2024/02-18.md", "---\ntags: [AI]\n---\n昨天。\n")
    site.write("content/2024/02-17.md", "前天。\n")
    run = site.digest("build")
    assert run.code == 0, run.stderr
    return site


def _urls_in(text: str) -> list[str]:
    return re.findall(r'(?:href|src|poster)="([^"]*)"', text) + [
        part.split()[0]
        for srcset in re.findall(r'srcset="([^"]*)"', text)
        for part in srcset.split(",")
    ]


def test_rss_and_atom_parse_cleanly_with_absolute_urls(feed_site: SiteFolder) -> None:
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(feed_site.read(f"public/{name}"))
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 2  # feed_entries
        newest = parsed.entries[0]
        assert newest.title == "Tricky <b>&</b> ]]> 标题 🚀"
        assert newest.link == "https://example.org/news/2024/02/19/"
        assert newest.id == "https://example.org/news/2024/02/19/"
        assert [t.term for t in newest.tags] == ["AI", "模型"]
        html = newest.content[0].value
        assert "a &lt; b &amp;&amp; c &gt; d, and the string ]]&gt; inside text 🚀." in html
        assert "\x01" not in html
        urls = _urls_in(html)
        assert len(urls) == 6  # feedparser's sanitizer drops srcset; the JSON test checks it
        assert all(u.startswith("https://") for u in urls), urls
        assert "https://example.org/news/2024/clip.mp4" in urls
        assert "https://example.org/news/2024/02/19/#section" in urls
        # A root-relative link in a post bypasses the sub-path; it still becomes absolute.
        assert "https://example.org/" in urls


def test_dates_are_in_the_site_zone_and_the_right_format(feed_site: SiteFolder) -> None:
    rss = feed_site.read("public/feed.xml")
    atom = feed_site.read("public/atom.xml")

    assert "<pubDate>Mon, 19 Feb 2024 08:30:00 +0800</pubDate>" in rss
    assert "<lastBuildDate>Mon, 19 Feb 2024 08:30:00 +0800</lastBuildDate>" in rss
    assert "<published>2024-02-19T08:30:00+08:00</published>" in atom
    assert "<updated>2024-02-19T08:30:00+08:00</updated>" in atom


def test_json_feed_carries_the_same_items(feed_site: SiteFolder) -> None:
    document = json.loads(feed_site.read("public/feed.json"))

    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == "https://example.org/news/feed.json"
    first = document["items"][0]
    assert first["id"] == "https://example.org/news/2024/02/19/"
    assert first["date_published"] == "2024-02-19T08:30:00+08:00"
    assert first["image"] == "https://example.org/news/2024/pics/a.png"
    assert first["tags"] == ["AI", "模型"]
    assert "the string ]]&gt; inside text 🚀." in first["content_html"]
    urls = _urls_in(first["content_html"])
    assert len(urls) == 8
    assert all(u.startswith("https://") for u in urls), urls
    assert "https://example.org/news/2024/pics/b2.png" in urls


def test_ids_stay_when_a_post_is_added(feed_site: SiteFolder) -> None:
    before = [e.id for e in feedparser.parse(feed_site.read("public/atom.xml")).entries]
    feed_site.write("content/2024/02-20.md", "新的一天。\n")

    assert feed_site.digest("build").code == 0

    after = [e.id for e in feedparser.parse(feed_site.read("public/atom.xml")).entries]
    assert after == ["https://example.org/news/2024/02/20/", before[0]]


def test_tag_feeds_and_discovery_links(feed_site: SiteFolder) -> None:
    parsed = feedparser.parse(feed_site.read("public/tags/ai/feed.xml"))
    assert parsed.bozo == 0
    assert [e.link for e in parsed.entries] == [
        "https://example.org/news/2024/02/19/",
        "https://example.org/news/2024/02/18/",
    ]
    tag_page = feed_site.read("public/tags/ai/index.html")
    assert 'type="application/rss+xml" title="日报 · #AI" href="/news/tags/ai/feed.xml"' in tag_page
    home = feed_site.read("public/index.html")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="日报" href="/news/atom.xml">'
        in home
    )


def test_sitemap_lists_every_public_page_and_robots_points_to_it(feed_site: SiteFolder) -> None:
    root = ET.fromstring(feed_site.read("public/sitemap.xml"))
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {
        url.findtext("s:loc", namespaces=namespace): url.findtext("s:lastmod", namespaces=namespace)
        for url in root.findall("s:url", namespace)
    }
    pages = sorted((feed_site.root / "public").rglob("index.html"))
    search_page = feed_site.root / "public/search/index.html"  # empty until asked: unlisted
    assert search_page in pages
    assert len(entries) == len(pages) - 1
    assert entries["https://example.org/news/2024/02/19/"] == "2024-02-19T08:30:00+08:00"
    assert entries["https://example.org/news/"] == "2024-02-19T08:30:00+08:00"
    assert "https://example.org/news/404.html" not in entries
    assert feed_site.read("public/robots.txt").endswith(
        "Sitemap: https://example.org/news/sitemap.xml\n"
    )


def test_post_pages_carry_canonical_and_open_graph(feed_site: SiteFolder) -> None:
    page = feed_site.read("public/2024/02/19/index.html")

    assert '<link rel="canonical" href="https://example.org/news/2024/02/19/">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:image" content="https://example.org/news/2024/pics/a.png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def _tags_in_html(text: str) -> list[str]:
    """Start tags an HTML reader would make of ``text``."""
    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append(tag)

    collector = Collector()
    collector.feed(text)
    collector.close()
    return found


@pytest.mark.parametrize(
    ("front", "body", "shown"),
    [
        (
            "description: 'A <img src=x onerror=alert(2)> & co'",
            "正文。\n",
            "A <img src=x onerror=alert(2)> & co",
        ),
        ("", "转义的 &lt;img src=x onerror=alert(3)&gt; 文字。\n", "转义的 <img src=x"),
    ],
)
def test_rss_description_is_html_that_shows_the_authors_text(
    site: SiteFolder, front: str, body: str, shown: str
) -> None:
    site.write(
        "digest.toml",
        'title = "日报"\ndescription = "A <b>site</b>"\nbase_url = "https://example.org/"\n',
    )
    site.write("content/2024-02-19.md", f"---\ntitle: T\n{front}\n---\n\n{body}")
    assert site.digest("build").code == 0

    channel = ET.fromstring(site.read("public/feed.xml")).find("channel")
    assert channel is not None
    for description in (channel.findtext("description"), channel.findtext("item/description")):
        # RSS 2.0: the decoded text is HTML; the author wrote text, so no element may appear.
        assert description is not None
        assert _tags_in_html(description) == []
    item = channel.findtext("item/description") or ""
    assert html.unescape(item).startswith(shown)
    assert html.unescape(channel.findtext("description") or "") == "A <b>site</b>"

    parsed = feedparser.parse(site.read("public/feed.xml"))
    assert parsed.bozo == 0
    assert "<img" not in parsed.entries[0].summary
    assert html.unescape(parsed.entries[0].summary).startswith(shown)
