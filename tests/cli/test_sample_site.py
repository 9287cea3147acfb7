"""The repo's own sample site: built by the real CLI, checked by the Nu HTML checker."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import PINNED_ENV, nu_check

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sample") / "public"
    done = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-s", str(REPO), "-o", str(output), "--drafts"],
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return output


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_sample_site_passes_the_nu_html_checker(sample_output: Path) -> None:
    nu_check(sample_output)
    assert len(_pages(sample_output)) >= 15


class _Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.tags: list[str] = []
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "img" and "alt" not in values:
            self.images_without_alt.append(values.get("src") or "?")


def test_every_page_has_lang_landmarks_and_alt_text(sample_output: Path) -> None:
    for page in _pages(sample_output):
        parser = _Landmarks()
        parser.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(sample_output).as_posix()
        assert parser.lang, name
        for landmark in ("header", "nav", "main", "footer", "h1"):
            assert landmark in parser.tags, f"{name} has no <{landmark}>"
        assert parser.images_without_alt == [], name


def test_sample_site_uses_every_feature(sample_output: Path) -> None:
    day = (sample_output / "2024/02/15/index.html").read_text(encoding="utf-8")
    assert "<video" in day and "<small>" in day
    assert 'href="https://openai.com/sora" rel="noopener">https://openai.com/sora</a>）。' in day
    assert '<a href="https://x.com/OpenAI" rel="noopener">@OpenAI</a>' in day
    assert "<br>" in day
    untitled = (sample_output / "2024/02/19/index.html").read_text(encoding="utf-8")
    assert '<h1><time datetime="2024-02-19T00:00:00+08:00">2024年2月19日</time></h1>' in untitled
    title_block = untitled.split("</h1>", 1)[1].split("</header>", 1)[0]
    assert "<time" not in title_block, "an untitled day shows its date once, as its title"
    assert 'class="highlight"' in untitled
    assert "Weekend reading list" in untitled  # the day page lists the day's other post
    english = (sample_output / "2024/02/19/reading-list/index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english
    assert 'class="footnotes"' in english and "<s>" in english
    assert "<table>" in (sample_output / "2024/02/16/index.html").read_text(encoding="utf-8")
    assert (sample_output / "tags/机器人/index.html").is_file()
    assert (sample_output / "2024/03/02/index.html").is_file()  # the draft, built with --drafts


def test_the_sample_site_shows_items_a_cover_an_about_page_and_search(sample_output: Path) -> None:
    home = (sample_output / "index.html").read_text(encoding="utf-8")
    assert 'href="/2024/03/01/#1-claude-3-系列即将发布的传闻"' in home  # an item, linked
    assert 'href="/about/">关于</a>' in home
    assert 'action="/search/"' in home
    post = (sample_output / "2024/03/01/index.html").read_text(encoding="utf-8")
    assert "context-window.svg" in post  # the cover named in the front matter
    assert "关于 AI 日报" in (sample_output / "about/index.html").read_text(encoding="utf-8")
    assert len(list((sample_output / "pagefind").glob("*/pagefind.js"))) == 1  # the primary
