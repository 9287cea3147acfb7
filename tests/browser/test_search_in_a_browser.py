"""Searching the sample site in a real browser (headless Chromium): Chinese and English
words typed into the header's box find the right posts, at the root and under a
sub-path; without JavaScript the search page says so and links the archive. A site big
enough for several index shards finds words of its oldest and newest shards alike."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PINNED_ENV, Preview, SiteFolder

REPO = Path(__file__).resolve().parents[2]
WAIT_MS = 15_000
GEMINI_POST = "2024/02/15/"
READING_LIST = "2024/02/19/reading-list/"


def _build(output: Path, *args: str, site: Path = REPO) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-s", str(site), "-o", str(output), *args],
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module", params=["/", "/news/"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The sample site built by the real CLI and served over HTTP: the site's own URL."""
    yield from _serve(REPO, request.param, tmp_path_factory.mktemp("search"))


OLD_WORD, OLD_POST = "熊猫", "2021/02/03/"
NEW_WORD, NEW_POST = "zeppelin", "2024/01/02/"


@pytest.fixture(scope="module", params=["/", "/news/"])
def sharded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A site of 1,100 daily posts from 2021 (three shards of posts, one of pages), built
    and served like the sample site; one old post and one new have a word of their own."""
    site = tmp_path_factory.mktemp("sharded")
    (site / "digest.toml").write_text('title = "日报"\nlanguage = "zh-CN"\n', encoding="utf-8")
    (site / "content").mkdir()
    for number in range(1100):
        day = date(2021, 1, 1) + timedelta(days=number)
        extra = {OLD_POST: f"动物园来了{OLD_WORD}。", NEW_POST: f"A {NEW_WORD} flew by."}
        body = f"今天的第{number}条新闻。{extra.get(f'{day:%Y/%m/%d}/', '')}"
        (site / f"content/{day}.md").write_text(
            f"---\ntitle: {day} 日报\n---\n\n{body}\n", encoding="utf-8"
        )
    yield from _serve(site, request.param, site / "served")


def _serve(site: Path, base: str, folder: Path) -> Iterator[str]:
    """``site`` built under ``base`` into ``folder`` and served over HTTP: its URL."""
    output = folder / base.strip("/") if base != "/" else folder / "public"
    _build(output, "--base-url", base, site=site)
    top = folder if base != "/" else folder / "public"
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(top))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def _result_links(page: Page) -> list[str]:
    links = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    return [str(link) for link in links]


def test_chinese_word_in_the_header_box_finds_its_post(served: str, page: Page) -> None:
    page.goto(served)
    expect(page.get_by_role("banner").get_by_role("search")).to_have_count(1)  # a landmark
    box = page.get_by_role("searchbox", name="搜索本站")  # labelled
    box.fill("谷歌")
    box.press("Enter")

    expect(page).to_have_url(f"{served}search/?q={quote('谷歌')}")
    expect(page.locator("#search-results li")).to_have_count(1, timeout=WAIT_MS)
    assert _result_links(page) == [f"{served}{GEMINI_POST}"]
    expect(page.locator("#search-results p")).to_contain_text("谷歌推出了 Gemini 1.5 Pro")
    expect(page.locator("#search-results mark").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("搜索需要 JavaScript")
    expect(page.get_by_role("status")).to_have_text("找到 1 条结果")


def test_english_word_typed_on_the_search_page_finds_its_post(served: str, page: Page) -> None:
    page.goto(f"{served}search/")
    page.get_by_label("搜索本站").press_sequentially("weekend")

    expect(page.locator("#search-results li")).to_have_count(1, timeout=WAIT_MS)
    assert _result_links(page) == [f"{served}{READING_LIST}"]
    expect(page).to_have_url(f"{served}search/?q=weekend")  # a link to these results
    page.get_by_role("link", name="Weekend reading list").click()
    expect(page.locator("h1")).to_contain_text("Weekend reading list")


def test_a_search_link_shows_results_on_load(served: str, page: Page) -> None:
    page.goto(f"{served}search/?q={quote('Gemini')}")
    expect(page.locator("#search-results li").first).to_be_visible(timeout=WAIT_MS)
    assert f"{served}{GEMINI_POST}" in _result_links(page)
    expect(page.get_by_label("搜索本站")).to_have_value("Gemini")


@pytest.mark.parametrize(("word", "post"), [(OLD_WORD, OLD_POST), (NEW_WORD, NEW_POST)])
def test_words_of_the_oldest_and_the_newest_shard_are_found(
    sharded: str, page: Page, word: str, post: str
) -> None:
    page.goto(f"{sharded}search/?q={quote(word)}")

    expect(page.locator("#search-results li")).to_have_count(1, timeout=WAIT_MS)
    assert _result_links(page) == [f"{sharded}{post}"]
    expect(page.locator("#search-results mark")).to_have_text(word)


def test_listings_and_navigation_are_not_indexed(served: str, page: Page) -> None:
    # "归档" (Archive) is in every page's header and footer, never in a post's body.
    page.goto(f"{served}search/?q={quote('归档')}")
    expect(page.get_by_role("status")).to_have_text("没有找到结果。", timeout=WAIT_MS)


def test_without_javascript_the_search_page_says_so(served: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}search/?q={quote('谷歌')}")

    expect(page.locator("main")).to_contain_text("搜索需要 JavaScript")
    page.get_by_role("link", name="归档").last.click()
    expect(page).to_have_url(f"{served}archive/")
    context.close()


def test_under_serve_a_new_post_is_found_once_its_index_is_made(
    preview: Preview, browser: Browser
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{preview.port}/search/?q=weekend")
    expect(page.get_by_role("status")).to_have_text("No results.", timeout=WAIT_MS)

    preview.write("content/2024-02-20-new.md", "---\ntitle: Reading\n---\n\nA weekend read.\n")

    # The open search page hears that the index is current and searches again.
    results = page.locator("#search-results a")
    expect(results).to_have_count(1, timeout=WAIT_MS)
    expect(results).to_have_attribute("href", "/2024/02/20/new/")
    expect(page.locator("#search-stale")).to_be_hidden()
    context.close()


def test_an_english_site_finds_the_words_of_its_chinese_posts(
    tmp_path: Path, browser: Browser
) -> None:
    site = SiteFolder(tmp_path / "site")
    site.write("digest.toml", 'title = "Daily"\nlanguage = "en"\n')
    site.write(
        "content/2024-02-19.md", "---\ntitle: 中文\nlang: zh-CN\n---\n\n今天谷歌发布了模型。\n"
    )
    site.write("content/2024-02-20.md", "---\ntitle: English\n---\n\nHello, weekend readers.\n")
    assert site.digest("build").code == 0
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site.root / "public"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    try:
        for word, post in (("谷歌", "/2024/02/19/"), ("readers", "/2024/02/20/")):
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote(word)}")
            expect(page.get_by_role("status")).to_have_text("1 found", timeout=WAIT_MS)
            expect(page.locator("#search-results a")).to_have_attribute("href", post)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
