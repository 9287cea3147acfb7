"""What a writer sees in a real browser (headless Chromium) while ``digest serve`` runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Events, Preview

WAIT_MS = 15_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def _url(preview: Preview, path: str) -> str:
    return f"http://127.0.0.1:{preview.port}{path}"


def test_an_edit_shows_up_without_touching_the_page(preview: Preview, page: Page) -> None:
    page.goto(_url(preview, "/2024/02/19/"))
    expect(page.locator("article")).to_contain_text("原来的文字。")

    page.evaluate("window.digestMarker = 'same page'")

    preview.write("content/2024-02-19.md", "---\ntitle: 新标题\n---\n\n保存后的新文字。\n")

    expect(page.locator("article")).to_contain_text("保存后的新文字。", timeout=WAIT_MS)
    expect(page).to_have_title(re.compile("新标题"))
    # The new page was swapped in place: nothing reloaded, and it keeps refreshing.
    assert page.evaluate("window.digestMarker") == "same page"
    preview.write("content/2024-02-19.md", "---\ntitle: 新标题\n---\n\n又改了一次。\n")
    expect(page.locator("article")).to_contain_text("又改了一次。", timeout=WAIT_MS)
    assert page.locator("script[src$='/__digest/reload.js']").count() == 1


def test_a_page_with_its_own_scripts_reloads_so_they_run_again(
    preview: Preview, page: Page
) -> None:
    count = "document.body.dataset.runs = (Number(document.body.dataset.runs) || 0) + 1"
    script = f"<script>{count}</script>"
    events = Events(preview.port)
    events.next()
    preview.write("content/2024-02-19.md", f"---\ntitle: 第一期\n---\n\n有脚本。\n\n{script}\n")
    events.next()  # built: opening the page now brings no reload after
    events.close()
    page.goto(_url(preview, "/2024/02/19/"))
    expect(page.locator("article")).to_contain_text("有脚本。", timeout=WAIT_MS)
    page.evaluate("window.digestMarker = 'old page'")

    preview.write("content/2024-02-19.md", f"---\ntitle: 第一期\n---\n\n改过了。\n\n{script}\n")

    expect(page.locator("article")).to_contain_text("改过了。", timeout=WAIT_MS)
    page.wait_for_function("document.body.dataset.runs === '1'", timeout=WAIT_MS)
    assert page.evaluate("window.digestMarker") is None  # a new page, not a swapped body


def test_a_new_post_appears_on_the_open_home_page(preview: Preview, page: Page) -> None:
    page.goto(_url(preview, "/"))
    expect(page.locator("main")).to_contain_text("第一期")

    preview.write("content/2024-02-20-new.md", "---\ntitle: 刚写好的一期\n---\n\n正文。\n")

    expect(page.locator("main")).to_contain_text("刚写好的一期", timeout=WAIT_MS)


def test_a_broken_front_matter_shows_an_overlay_until_fixed(preview: Preview, page: Page) -> None:
    page.goto(_url(preview, "/2024/02/19/"))

    preview.write("content/2024-02-19.md", "---\ntitle: [unclosed\n---\n\nx\n")
    overlay = page.locator("#digest-overlay")
    expect(overlay).to_contain_text(
        "content/2024-02-19.md:2: invalid front matter", timeout=WAIT_MS
    )
    expect(page.locator("article")).to_contain_text("原来的文字。")  # the last good page

    preview.write("content/2024-02-19.md", "---\ntitle: 修好了\n---\n\n修好后的文字。\n")
    expect(overlay).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("article")).to_contain_text("修好后的文字。", timeout=WAIT_MS)


def test_a_stylesheet_edit_applies_without_a_reload(preview: Preview, page: Page) -> None:
    theme_css = (REPO / "static" / "assets" / "style.css").read_text(encoding="utf-8")
    events = Events(preview.port)
    events.next()
    preview.write("static/assets/style.css", theme_css + "/* the site's own copy */\n")
    events.next()  # the site's own copy of the stylesheet is built
    events.close()
    page.goto(_url(preview, "/2024/02/19/"))
    page.evaluate("window.digestMarker = 'still here'")

    preview.write("static/assets/style.css", theme_css + "\nh1 { color: rgb(255, 0, 0); }\n")

    expect(page.locator("h1")).to_have_css("color", "rgb(255, 0, 0)", timeout=WAIT_MS)
    assert page.evaluate("window.digestMarker") == "still here"


def test_scroll_position_survives_a_reload(preview: Preview, page: Page) -> None:
    long_body = "\n\n".join(f"第 {n} 段，用来把页面撑长。" for n in range(200))
    events = Events(preview.port)
    events.next()
    preview.write("content/2024-02-19.md", f"---\ntitle: 长文\n---\n\n{long_body}\n")
    events.next()  # the long page is built: opening it now brings no reload after
    events.close()
    page.goto(_url(preview, "/2024/02/19/"))
    expect(page.locator("article")).to_contain_text("第 199 段", timeout=WAIT_MS)
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("window.scrollY > 1400")
    page.wait_for_timeout(100)  # the position is recorded on the next animation frame

    preview.write(
        "content/2024-02-19.md", f"---\ntitle: 长文\n---\n\n{long_body}\n\n新加的一段。\n"
    )

    expect(page.locator("article")).to_contain_text("新加的一段。", timeout=WAIT_MS)
    page.wait_for_function("window.scrollY > 1400", timeout=WAIT_MS)

    # A template that changes what the head loads makes the page reload for real.
    page.evaluate("window.digestMarker = 'before the reload'")
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    preview.write("templates/base.html", base.replace("</head>", "<style>p{}</style>\n</head>"))

    page.wait_for_function("window.digestMarker === undefined", timeout=WAIT_MS)
    expect(page.locator("article")).to_contain_text("新加的一段。", timeout=WAIT_MS)
    page.wait_for_function("window.scrollY > 1400", timeout=WAIT_MS)


def test_pages_work_without_javascript(preview: Preview, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(_url(preview, "/"))
    tab.get_by_role("link", name="第一期").click()

    expect(tab.locator("article h1")).to_have_text("第一期")
    context.close()


def test_many_warnings_show_as_the_terminal_says_them(preview: Preview, page: Page) -> None:
    # Every page carries the panel's lines: a few of each kind and a count, not thousands.
    page.goto(_url(preview, "/2024/02/19/"))
    images = "\n\n".join(f"![](https://img.example.com/shot-{n}.png)" for n in range(40))
    preview.write("content/2024-02-19.md", f"---\ntitle: 第一期\n---\n\n图很多。\n\n{images}\n")

    panel = page.locator("#digest-warnings")
    expect(panel).to_contain_text("digest: 40 warnings", timeout=WAIT_MS)
    expect(panel).to_contain_text("shot-2.png")
    expect(panel).to_contain_text("… and 37 more alt-text warnings")
    expect(panel).not_to_contain_text("shot-39.png")
    served = page.request.get(_url(preview, "/2024/02/19/")).text()
    assert served.count("shot-39.png") == 1  # the image itself, not a warning about it


def test_warnings_show_in_a_panel_that_can_be_closed(preview: Preview, page: Page) -> None:
    page.goto(_url(preview, "/2024/02/19/"))
    preview.write(
        "content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n原来的文字。[坏](nowhere/)\n"
    )

    panel = page.locator("#digest-warnings")
    expect(panel).to_contain_text("missing page or file: nowhere/", timeout=WAIT_MS)
    expect(page.locator("#digest-overlay")).to_have_count(0)  # not the error overlay
    expect(page.locator("article")).to_contain_text("原来的文字。")  # the page stays usable
    panel.get_by_role("button", name="close").click()
    expect(panel).to_have_count(0)
    page.reload()
    expect(page.locator("article")).to_contain_text("原来的文字。")
    expect(panel).to_have_count(0)  # closed stays closed while the warnings are the same

    preview.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n[另一个](elsewhere/)\n")
    expect(panel).to_contain_text("missing page or file: elsewhere/", timeout=WAIT_MS)
