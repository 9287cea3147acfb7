"""The search index of a site big enough for several shards (1,100 short posts, one a
day, and a page): a build indexes only the shards whose pages changed, leaves the other
shards' files untouched, and leaves no folder of a shard the site no longer has."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import SiteFolder

CONFIG = 'title = "测试日报"\nlanguage = "zh-CN"\ntimezone = "Asia/Shanghai"\n'
FIRST_DAY = date(2021, 1, 1)
DAYS = 1100  # to 2024-01-05: about 30 posts a month, three shards of posts at 500 a shard


@pytest.fixture
def big(site: SiteFolder) -> SiteFolder:
    """The site, built once."""
    site.write("digest.toml", CONFIG)
    for number in range(DAYS):
        _post(site, FIRST_DAY + timedelta(days=number), f"今天的第{number}条新闻。Item {number}.")
    site.write("content/about.md", "---\ntitle: 关于\nkind: page\n---\n\n本站每天更新。\n")
    run = site.digest("build")
    assert run.code == 0, run.stderr
    assert "search: indexed 1101 pages (4 of 4 shards)" in run.stdout
    return site


def _post(site: SiteFolder, day: date, body: str) -> None:
    site.write(f"content/{day}.md", f"---\ntitle: {day} 日报\n---\n\n{body}\n")


def _shards(site: SiteFolder) -> list[str]:
    """Shard folders by name: the posts' by first month, then the pages'."""
    return sorted(path.name for path in (site.root / "public/pagefind").iterdir())


def _files(site: SiteFolder, shard: str) -> dict[str, tuple[bytes, int]]:
    """A shard's files with their bytes and mtimes."""
    return {
        path: value
        for path, value in site.snapshot().items()
        if path.startswith(f"pagefind/{shard}/")
    }


def _text(site: SiteFolder, shard: str) -> str:
    """Every word a shard's index holds (the texts of its fragments, without the
    zero-width spaces Pagefind puts between the Chinese words it found)."""
    texts = []
    for path in sorted((site.root / "public/pagefind" / shard / "fragment").iterdir()):
        fragment = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        texts.append(f"{fragment['url']} {fragment['content']}")
    return "\n".join(texts).replace("\u200b", "")


def test_the_posts_are_in_shards_by_months_and_the_pages_apart(big: SiteFolder) -> None:
    shards = _shards(big)

    assert [name.rsplit("-", 1)[0] for name in shards] == [
        "2021-01",
        "2022-05",
        "2023-09",
        "pages",
    ]
    assert "/2022/04/30/" in _text(big, shards[0])
    assert "/2022/05/01/" in _text(big, shards[1])
    assert "本站每天更新" in _text(big, shards[3])
    assert (big.root / "public/pagefind" / shards[0] / "pagefind.js").is_file()  # the primary
    assert not list((big.root / "public/pagefind" / shards[1]).glob("pagefind*.js"))
    page = big.read("public/search/index.html")
    assert 'data-bundles="' + " ".join(f"/pagefind/{name}/" for name in shards) + '"' in page


def test_an_edit_indexes_only_its_shard(big: SiteFolder) -> None:
    shards = _shards(big)
    before = {name: _files(big, name) for name in shards}

    _post(big, date(2023, 1, 15), "这一期改过了：量子计算机 quantumword。")
    run = big.digest("build")

    assert run.code == 0, run.stderr
    assert "search: indexed 488 pages (1 of 4 shards)" in run.stdout
    assert _shards(big) == shards  # no shard's pages changed, so no name did
    edited = shards[1]
    (line,) = [line for line in _text(big, edited).splitlines() if "量子计算机" in line]
    assert line.startswith("/2023/01/15/")
    assert line.endswith("这一期改过了：量子计算机 quantumword。")
    for name in shards:
        if name != edited:
            assert _files(big, name) == before[name]  # not a byte, not a mtime
    assert _files(big, edited) != before[edited]


def test_a_new_month_and_a_removed_post_change_their_shards_only(big: SiteFolder) -> None:
    oldest, middle, newest, pages = _shards(big)
    kept = {name: _files(big, name) for name in (middle, pages)}

    _post(big, date(2024, 2, 1), "二月的第一条。")
    (big.root / "content/2021-03-01.md").unlink()
    run = big.digest("build")

    assert run.code == 0, run.stderr
    assert "(2 of 4 shards)" in run.stdout
    after = _shards(big)
    assert len(after) == 4
    assert after[1:4:2] == [middle, pages]
    assert oldest not in after
    assert newest not in after  # their folders are gone
    assert after[0].startswith("2021-01-")
    assert after[2].startswith("2023-09-")
    assert "/2024/02/01/" in _text(big, after[2])
    assert "/2021/03/01/" not in _text(big, after[0])
    assert (big.root / "public/pagefind" / after[0] / "pagefind.js").is_file()
    assert {name: _files(big, name) for name in (middle, pages)} == kept
    page = big.read("public/search/index.html")
    assert 'data-bundles="' + " ".join(f"/pagefind/{name}/" for name in after) + '"' in page


def test_an_interrupted_indexing_is_redone_for_the_shards_it_names(
    big: SiteFolder, tmp_path: Path
) -> None:
    shards = _shards(big)
    before = {name: _files(big, name) for name in shards}
    _post(big, date(2023, 12, 24), "平安夜特刊 eveword。")
    # The pages are written, then indexing stops (as a killed build stops it) ...
    missing = {"PAGEFIND_BINARY_PATH": str(tmp_path / "no-pagefind")}
    assert big.digest("build", env=missing).code == 1
    mark = big.read("public/.digest-search-pending").split()
    assert mark[1:] == [shards[2]]  # after its token, the shard still to make

    run = big.digest("build")  # ... and the next build, which writes no page, makes it

    assert run.code == 0, run.stderr
    assert "search: indexed 127 pages (1 of 4 shards)" in run.stdout
    assert not (big.root / "public/.digest-search-pending").exists()
    assert "平安夜特刊 eveword" in _text(big, shards[2])
    for name in (shards[0], shards[1], shards[3]):
        assert _files(big, name) == before[name]


def test_a_template_change_indexes_only_the_shards_whose_words_it_changes(
    big: SiteFolder,
) -> None:
    shards = _shards(big)
    before = {name: _files(big, name) for name in shards}
    # Every page's footer changes (as in a new year): their articles do not.
    big.write(
        "templates/base.html",
        '{% extends "theme/base.html" %}{% block footer %}<footer>新页脚</footer>{% endblock %}\n',
    )

    run = big.digest("build")

    assert run.code == 0, run.stderr
    assert "新页脚" in big.read("public/2022/05/01/index.html")
    assert "search: indexed" not in run.stdout
    assert {name: _files(big, name) for name in shards} == before

    # The posts' article changes: every shard of posts is indexed again, not the pages'.
    theme = (Path(__file__).resolve().parents[2] / "templates/post.html").read_text("utf-8")
    note = "<p>编者按 editorword</p>\n<header>"
    big.write("templates/post.html", theme.replace("<header>", note))
    run = big.digest("build")

    assert run.code == 0, run.stderr
    assert "(3 of 4 shards)" in run.stdout
    assert "editorword" in _text(big, shards[0])
    assert _files(big, shards[3]) == before[shards[3]]
