"""What a reader of a daily digest sees on the listings (home, tags, dates), the feeds
page and the post page, and how a site makes the theme its own, through the real CLI."""

from __future__ import annotations

import re

from tests.conftest import SiteFolder, nu_check

ZH_CONFIG = 'title = "测试日报"\nlanguage = "zh-CN"\ntimezone = "Asia/Shanghai"\n'
DAY = """---
date: 2024/02/19
---

今天的几条要闻如下。

## 1、谷歌推出了 Gemini 1.5 Pro

正文一。

## 2、OpenAI 发布 Sora

正文二。
"""


def _ids(html: str) -> list[str]:
    return re.findall(r'<h[23] id="([^"]+)"', html)


def _pages(site: SiteFolder) -> list[str]:
    return sorted(
        path.relative_to(site.root / "public").as_posix()
        for path in (site.root / "public").rglob("*.html")
    )


def test_home_lists_each_days_items_linked_to_their_place_on_the_post(site: SiteFolder) -> None:
    site.write("digest.toml", ZH_CONFIG)
    site.write("content/2024-02-19.md", DAY)
    # Items one level down (### under no ##) are still the items.
    site.write(
        "content/2024-02-20.md",
        "---\ntitle: 周二\n---\n\n### 甲新闻\n\n正文。\n\n### 乙新闻\n\n正文。\n",
    )

    run = site.digest("build")

    assert run.code == 0, run.stderr
    home = site.read("public/index.html")
    for url, names in (
        ("/2024/02/19/", ("1、谷歌推出了 Gemini 1.5 Pro", "2、OpenAI 发布 Sora")),
        ("/2024/02/20/", ("甲新闻", "乙新闻")),
    ):
        ids = _ids(site.read(f"public{url}index.html"))
        assert len(ids) == 2
        for anchor, name in zip(ids, names, strict=True):
            assert f'<a href="{url}#{anchor}">{name}</a>' in home
    # The untitled day is called by its date, written once, in the site's format.
    assert home.count("2024年2月19日") == 1
    assert "今天的几条要闻如下" not in home, "a day with items shows them, not its summary"


def test_a_post_without_item_headings_keeps_its_summary(site: SiteFolder) -> None:
    site.write("content/2024-02-19-note.md", "---\ntitle: A note\n---\n\nJust one thought today.\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    home = site.read("public/index.html")
    assert '<p class="summary">Just one thought today.</p>' in home
    assert 'class="items"' not in home


def test_tag_and_date_listings_are_paginated_and_compact(site: SiteFolder) -> None:
    site.write("digest.toml", 'posts_per_page = 2\ntimezone = "UTC"\n')
    for day in range(1, 6):
        site.write(
            f"content/2024-03-0{day}.md",
            f"---\ntitle: Day {day}\ntags: [ai]\n---\n\n## Item {day}a\n\nText.\n",
        )

    run = site.digest("build")

    assert run.code == 0, run.stderr
    for first in ("tags/ai/", "2024/", "2024/03/"):
        pages = [f"public/{first}index.html"] + [
            f"public/{first}page/{number}/index.html" for number in (2, 3)
        ]
        listed = [site.read(page) for page in pages]
        assert not (site.root / f"public/{first}page/4").exists()
        assert [page.count('class="day"') for page in listed] == [2, 2, 1]
        assert "Page 2 of 3" in listed[1]
        assert f'<a rel="prev" href="/{first}">' in listed[1]
        assert f'<a rel="next" href="/{first}page/3/">' in listed[1]
        # Oldest post last: its date and item, not a full card.
        assert '<time datetime="2024-03-01T00:00:00+00:00">March 1, 2024</time>' in listed[2]
        assert "Item 1a</a>" in listed[2]
        assert "min read" not in listed[2]
    sitemap = site.read("public/sitemap.xml")
    assert "/tags/ai/page/3/</loc>" in sitemap and "/2024/03/page/2/</loc>" in sitemap
    nu_check(site.root / "public")


def test_every_page_links_the_feeds_page_which_explains_the_feeds(site: SiteFolder) -> None:
    site.write("digest.toml", 'base_url = "https://example.org/news/"\n')
    site.write("content/2024-02-19.md", "---\ntitle: One\ntags: [models]\n---\n\nText.\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    pages = _pages(site)
    assert "feeds/index.html" in pages
    for page in pages:
        html = site.read(f"public/{page}")
        assert re.search(r'<a class="subscribe" href="/news/feeds/"[^>]*>Subscribe</a>', html), page
        assert '<a href="/news/feed.xml">RSS</a>' in html, page
    feeds = site.read("public/feeds/index.html")
    for address in ("feed.xml", "atom.xml", "feed.json"):
        assert f"<code>https://example.org/news/{address}</code>" in feeds
    tag = site.read("public/tags/models/index.html")
    assert '<a class="feed-link" href="/news/tags/models/feed.xml">' in tag
    assert "<loc>https://example.org/news/feeds/</loc>" in site.read("public/sitemap.xml")


def test_the_post_page_shows_a_cover_the_front_matter_names(site: SiteFolder) -> None:
    site.write("content/images/chart.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    site.write(
        "content/2024-02-19-covered.md",
        "---\ntitle: Covered\ncover: images/chart.svg\ncover_alt: A chart\n---\n\nText.\n",
    )
    site.write(
        "content/2024-02-20-inline.md",
        "---\ntitle: Inline\n---\n\n![A photo](images/chart.svg)\n\nText.\n",
    )

    run = site.digest("build")

    assert run.code == 0, run.stderr
    covered = site.read("public/2024/02/19/covered/index.html")
    assert '<figure class="post-cover"><img src="/images/chart.svg" alt="A chart"' in covered
    inline = site.read("public/2024/02/20/inline/index.html")
    assert "post-cover" not in inline, "the body's own first image is not shown twice"
    assert inline.count('src="/images/chart.svg"') == 1
    home = site.read("public/index.html")
    assert home.count('<a class="thumb" href=') == 2, "both have a thumbnail on the home page"


def test_a_site_template_extends_the_theme_and_replaces_one_block(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: One\n---\n\nText.\n")
    site.write(
        "templates/base.html",
        '{% extends "theme/base.html" %}\n'
        '{% block footer %}<footer class="mine"><p>Made by hand</p></footer>{% endblock %}\n',
    )

    run = site.digest("build")

    assert run.code == 0, run.stderr
    for page in _pages(site):
        html = site.read(f"public/{page}")
        assert '<footer class="mine"><p>Made by hand</p></footer>' in html, page
        assert '<header class="site-header"' in html, page
        assert "site-footer" not in html, page
    nu_check(site.root / "public")

    site.write(
        "templates/base.html",
        '{% extends "theme/base.html" %}\n'
        '{% block footer %}<footer class="mine"><p>Made by hand, again</p></footer>'
        "{% endblock %}\n",
    )
    again = site.digest("build")
    assert again.code == 0, again.stderr
    assert "Made by hand, again" in site.read("public/2024/02/19/index.html")


def test_a_broken_site_template_names_its_own_file(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: One\n---\n\nText.\n")
    site.write(
        "templates/base.html",
        '{% extends "theme/base.html" %}\n{% block footer %}{{ nothing.here }}{% endblock %}\n',
    )

    run = site.digest("build")

    assert run.code == 1
    assert "templates/base.html:2: undefined" in run.stderr


def test_the_config_can_reword_any_label(site: SiteFolder) -> None:
    site.write("digest.toml", '[labels]\nsubscribe = "Follow along"\nhome = "Front page"\n')
    site.write("content/2024-02-19.md", "---\ntitle: One\n---\n\nText.\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    home = site.read("public/index.html")
    assert '<a class="subscribe" href="/feeds/">Follow along</a>' in home
    assert ">Front page</a>" in home
    assert ">Archive</a>" in home, "labels the site does not name stay the theme's"


def test_an_unknown_label_is_a_config_error_with_a_suggestion(site: SiteFolder) -> None:
    site.write("digest.toml", 'title = "T"\n\n[labels]\nsubscrbe = "Follow"\n')
    site.write("content/2024-02-19.md", "---\ntitle: One\n---\n\nText.\n")

    run = site.digest("build")

    assert run.code == 1
    assert "digest.toml:4: unknown label 'subscrbe' (did you mean 'subscribe'?)" in run.stderr, (
        run.stderr
    )
    assert not (site.root / "public").exists()


def test_custom_css_is_linked_only_while_the_site_has_one(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: One\n---\n\nText.\n")
    link = '<link rel="stylesheet" href="/assets/custom.css">'

    assert site.digest("build").code == 0
    assert link not in site.read("public/index.html")

    site.write("static/assets/custom.css", ":root { --link: #800; }\n")
    assert site.digest("build").code == 0
    for page in _pages(site):
        assert link in site.read(f"public/{page}"), page
    assert site.read("public/assets/custom.css") == ":root { --link: #800; }\n"

    (site.root / "static/assets/custom.css").unlink()
    assert site.digest("build").code == 0
    assert link not in site.read("public/index.html")
    assert not (site.root / "public/assets/custom.css").exists()
