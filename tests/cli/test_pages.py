"""Standalone pages (files without a date), section files, and titles from file names."""

from __future__ import annotations

import pytest

from tests.conftest import SiteFolder


@pytest.fixture
def paged_site(site: SiteFolder) -> SiteFolder:
    site.write("digest.toml", 'title = "日报"\nlanguage = "zh-CN"\ntimezone = "Asia/Shanghai"\n')
    site.write(
        "content/about.md",
        "---\ntitle: 关于本站\nmenu: 关于\nweight: 2\n---\n\n见[昨天的日报](2024/02-19.md)。\n",
    )
    site.write(
        "content/pages/subscribe.md",
        "---\nmenu: 订阅\nweight: 1\nurl: /subscribe\n---\n\n# 订阅方式\n\n用 RSS。\n",
    )
    site.write("content/pages/sources.md", "消息来源列表。\n")
    site.write(
        "content/2024/02-19.md", "---\ntags: [AI]\n---\n\n## 1、新闻\n\n[关于](../about.md)\n"
    )
    site.write("content/2024/239-山顶咖啡.md", "---\ndate: 2024-02-20\n---\n\n山顶。\n")
    site.write("content/2024/2024-02-21-openai.md", "一条。\n")
    site.write("content/2024/2024-02-22-OpenAI-DevDay.md", "两条。\n")
    return site


def test_files_without_a_date_are_pages_with_their_own_urls(paged_site: SiteFolder) -> None:
    run = paged_site.digest("build", "--strict")

    assert run.code == 0, run.stderr
    assert "<h1>关于本站</h1>" in paged_site.read("public/about/index.html")
    assert "<h1>订阅方式</h1>" in paged_site.read("public/subscribe/index.html")
    assert "消息来源列表" in paged_site.read("public/pages/sources/index.html")
    # Links between posts and pages point at pages, both ways.
    assert '<a href="/about/">关于</a>' in paged_site.read("public/2024/02/19/index.html")
    assert '<a href="/2024/02/19/">昨天的日报</a>' in paged_site.read("public/about/index.html")
    sitemap = paged_site.read("public/sitemap.xml")
    for url in ("/about/", "/subscribe/", "/pages/sources/"):
        assert f"{url}</loc>" in sitemap


def test_pages_stay_out_of_listings_feeds_archives_tags_and_neighbours(
    paged_site: SiteFolder,
) -> None:
    run = paged_site.digest("build")

    assert run.code == 0, run.stderr
    assert "built 4 posts" in run.stdout
    for output in (
        "public/feed.xml",
        "public/atom.xml",
        "public/feed.json",
        "public/archive/index.html",
        "public/2024/index.html",
        "public/tags/ai/index.html",
    ):
        text = paged_site.read(output)
        assert "关于本站" not in text and "消息来源" not in text, output
    newest = paged_site.read("public/2024/02/22/openai-devday/index.html")
    assert "关于本站" not in newest and "sources" not in newest


def test_menu_pages_are_in_every_header_by_weight(paged_site: SiteFolder) -> None:
    run = paged_site.digest("build")

    assert run.code == 0, run.stderr
    for page in ("public/index.html", "public/2024/02/19/index.html", "public/404.html"):
        html = paged_site.read(page)
        subscribe = html.index('<a href="/subscribe/">订阅</a>')
        about = html.index('<a href="/about/">关于</a>')
        assert subscribe < about, page
    assert 'href="/pages/sources/"' not in paged_site.read("public/index.html")


def test_words_after_the_date_or_a_number_become_the_title_unless_a_plain_slug(
    paged_site: SiteFolder,
) -> None:
    run = paged_site.digest("build")

    assert run.code == 0, run.stderr
    title = "<title>{} · 日报</title>"
    assert title.format("山顶咖啡") in paged_site.read("public/2024/02/20/239-山顶咖啡/index.html")
    assert title.format("OpenAI-DevDay") in paged_site.read(
        "public/2024/02/22/openai-devday/index.html"
    )
    # "openai" is a plain slug: the post is titled by its date.
    assert title.format("2024年2月21日") in paged_site.read("public/2024/02/21/openai/index.html")


def test_section_files_are_left_out_with_a_warning(paged_site: SiteFolder) -> None:
    paged_site.write("content/_index.md", "Hugo 的首页文字。\n")
    paged_site.write("content/2024/_index.md", "一个分区。\n")
    paged_site.write("content/index.md", "顶层 index。\n")

    run = paged_site.digest("build")

    assert run.code == 0, run.stderr
    for source in ("content/_index.md", "content/2024/_index.md", "content/index.md"):
        assert f"{source}: a section file (as Hugo has) is no post or page here" in run.stderr
    assert "Hugo 的首页文字" not in paged_site.read("public/index.html")
    assert paged_site.digest("build", "--strict").code == 1


def test_a_page_url_must_be_a_path_on_the_site(site: SiteFolder) -> None:
    site.write("content/about.md", "---\nurl: https://example.com/x\n---\n\n关于。\n")

    run = site.digest("build")

    assert run.code == 1
    assert run.stderr.startswith(
        "content/about.md:2: 'url' must be a path on the site such as /about/, "
        "not 'https://example.com/x'"
    )


def test_a_draft_page_is_left_out(site: SiteFolder) -> None:
    site.write("content/about.md", "---\ndraft: true\nmenu: 关于\n---\n\n关于。\n")
    site.write("content/2024-02-19.md", "正文。\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert not (site.root / "public/about").exists()
    assert "/about/" not in site.read("public/index.html")
