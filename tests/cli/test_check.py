"""``digest check`` and ``--strict``: link, image and sub-path problems at their lines."""

from __future__ import annotations

from tests.conftest import SiteFolder

POST = """---
title: 测试
---

## 小节

[上一期](/2024/02/18/) [文件](02-18.md#第一节) [锚点](/news/2024/02/18/#不存在)
[旧文件](02-17.md) [坏锚](02-18.md#没有)
![](img/a.png) ![图](img/missing.png) [本页](#小节) [本页](#nope)

<img src="img/a.png">

[外面](../../x.png) [缺页](/news/nowhere/) [好](02/18/) [好锚点](/news/2024/02/18/#第一节)

[冒号](：https://example.org/x) ![缺图](图片/没有.png)
"""

EXPECTED = [
    "content/2024/02-19.md:7: /2024/02/18/ is root-relative and misses the base path /news/; "
    "write /news/2024/02/18/ or a path relative to the post",
    "content/2024/02-19.md:7: no #不存在 on /2024/02/18/",
    "content/2024/02-19.md:8: link to a Markdown file that is no published post: 02-17.md",
    "content/2024/02-19.md:8: no #没有 on /2024/02/18/",
    "content/2024/02-19.md:9: image without alt text: img/a.png",
    "content/2024/02-19.md:9: missing image: img/missing.png",
    "content/2024/02-19.md:9: no #nope on /2024/02/19/",
    "content/2024/02-19.md:11: image without alt text: img/a.png",
    "content/2024/02-19.md:13: ../../x.png points outside content/",
    "content/2024/02-19.md:13: missing page or file: /news/nowhere/",
    # As the writer typed them, not percent-encoded (%EF%BC%9A, %E5%9B%BE…).
    "content/2024/02-19.md:15: missing image: 图片/没有.png",
    "content/2024/02-19.md:15: missing page or file: ：https://example.org/x",
]

KINDS = [
    "base-path", "fragment", "markdown-link", "fragment", "alt-text", "missing-image",
    "fragment", "alt-text", "outside-content", "missing-link", "missing-image", "missing-link",
]  # fmt: skip
"""The kind of each line of EXPECTED, printed with it by ``check`` and ``--strict``."""
KINDED = [f"{line} [warning: {kind}]" for line, kind in zip(EXPECTED, KINDS, strict=True)]


def _site(site: SiteFolder, config: str = "") -> SiteFolder:
    site.write("digest.toml", f'base_url = "https://example.org/news/"\n{config}')
    site.write("content/2024/02-18.md", "---\ntitle: 前一天\n---\n\n## 第一节\n\n正文。\n")
    site.write("content/2024/02-19.md", POST)
    site.write("content/2024/img/a.png", b"\x89PNG")
    return site


def test_check_lists_every_problem_and_writes_nothing(site: SiteFolder) -> None:
    run = _site(site).digest("check")

    assert run.code == 0, run.stderr
    assert run.stdout.splitlines() == [
        *KINDED,
        "checked 2 posts, future ones included, drafts left out (--drafts): 12 warnings",
    ]
    assert not (site.root / "public").exists()


def test_check_after_a_build_reads_its_cache_and_changes_nothing(site: SiteFolder) -> None:
    assert _site(site).digest("build").code == 0
    cache = site.snapshot(".digest-cache")
    output = site.snapshot()
    site.write("content/2024/02-19.md", POST + "\n[又一个](nowhere/)\n")

    run = site.digest("check")

    assert run.code == 0, run.stderr
    assert "missing page or file: nowhere/" in run.stdout
    assert run.stdout.splitlines()[-1].endswith(": 13 warnings")
    assert site.snapshot(".digest-cache") == cache  # not even a lock or journal file
    assert site.snapshot() == output


def test_links_to_posts_markdown_files_go_to_their_pages(site: SiteFolder) -> None:
    _site(site).digest("build")

    page = site.read("public/2024/02/19/index.html")
    assert '<a href="/news/2024/02/18/#%E7%AC%AC%E4%B8%80%E8%8A%82">文件</a>' in page
    assert '<a href="/news/2024/02-17.md">旧文件</a>' in page  # no such post: left as written
    feed = site.read("public/feed.xml")
    assert 'href="https://example.org/news/2024/02/18/#%E7%AC%AC%E4%B8%80%E8%8A%82' in feed

    # The linked post moves: the page that links to it follows.
    site.write(
        "content/2024/02-18.md", "---\ntitle: 前一天\nslug: eve\n---\n\n## 第一节\n\n正文。\n"
    )
    report = site.digest("build")
    assert report.code == 0, report.stderr
    assert '<a href="/news/2024/02/18/eve/#%E7%AC%AC' in site.read("public/2024/02/19/index.html")


def test_check_strict_fails_on_warnings(site: SiteFolder) -> None:
    run = _site(site).digest("check", "--strict")

    assert run.code == 1
    assert run.stdout.splitlines()[-1].endswith(": 12 warnings")


def test_a_clean_site_checks_clean(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "## 一\n\n[一](#一) ![图](pic.png)\n")
    site.write("content/pic.png", b"\x89PNG")

    run = site.digest("check", "--strict")

    assert run.code == 0, run.stdout + run.stderr
    assert run.stdout == (
        "checked 1 post, future ones included, drafts left out (--drafts): no problems\n"
    )


def test_build_prints_warnings_and_still_builds(site: SiteFolder) -> None:
    run = _site(site).digest("build")

    assert run.code == 0, run.stderr
    # Grouped by kind, in the order each kind first appears.
    order = [0, 1, 3, 6, 2, 4, 7, 5, 10, 8, 9, 11]
    assert run.stderr.splitlines() == [KINDED[i] for i in order]
    assert (site.root / "public/2024/02/19/index.html").is_file()


def test_strict_build_fails_and_keeps_the_previous_output(site: SiteFolder) -> None:
    _site(site)
    site.write("content/2024/02-19.md", "fine\n")
    assert site.digest("build").code == 0
    before = site.snapshot()
    site.write("content/2024/02-19.md", POST)

    run = site.digest("build", "--strict")

    assert run.code == 1
    assert run.stderr.splitlines() == [
        *KINDED,
        "digest: build failed with 12 problems; nothing was written",
    ]
    assert site.snapshot() == before


def test_strict_can_be_set_in_the_config(site: SiteFolder) -> None:
    run = _site(site, "strict = true\n").digest("build")

    assert run.code == 1
    assert "digest: build failed with 12 problems; nothing was written" in run.stderr


def test_check_sees_tomorrows_post_and_drafts_on_request(site: SiteFolder) -> None:
    # "Now" is pinned to 2026-01-01 00:00 UTC (tests/conftest.py).
    site.write("content/2025-12-31.md", "今天。\n")
    site.write("content/2026-01-02.md", "明天的日报，[坏链接](nowhere/)。\n")
    site.write("content/2025-12-30.md", "---\ndraft: true\n---\n\n![](missing.png)\n")

    run = site.digest("check")

    assert run.code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "content/2026-01-02.md:1: missing page or file: nowhere/ [warning: missing-link]",
        "checked 2 posts, future ones included, drafts left out (--drafts): 1 warning",
    ]
    with_drafts = site.digest("check", "--drafts").stdout.splitlines()
    assert "content/2025-12-30.md:5: missing image: missing.png [warning: missing-image]" in (
        with_drafts
    )
    assert with_drafts[-1].endswith("drafts included: 3 warnings")
    # The build of today leaves tomorrow's post out, as it should.
    assert site.digest("build", "--strict").code == 0


def test_check_with_errors_says_how_many_and_not_that_nothing_was_written(
    site: SiteFolder,
) -> None:
    site.write("content/2024-02-19.md", "---\ndate: someday\n---\n\n正文。\n")

    run = site.digest("check")

    assert run.code == 1
    assert run.stdout.splitlines()[-1] == "check found 1 problem"
    assert "nothing was written" not in run.stdout + run.stderr


ALT_LESS = (
    "---\ntitle: 图多\n---\n\n"
    + "".join(f"![](p{n}.png)\n\n" for n in range(200))
    + ("[坏链接](nowhere/)\n")
)


def test_a_build_shows_three_of_a_kind_and_counts_the_rest(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", ALT_LESS)
    for n in range(200):
        site.write(f"content/p{n}.png", b"\x89PNG")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines[:3] == [
        f"content/2024-02-19.md:{5 + 2 * n}: image without alt text: p{n}.png [warning: alt-text]"
        for n in range(3)
    ]
    assert lines[3:] == [
        "… and 197 more alt-text warnings; digest check lists them all",
        "content/2024-02-19.md:405: missing page or file: nowhere/ [warning: missing-link]",
    ]
    assert len(site.digest("check").stdout.splitlines()) == 202


def test_ignored_kinds_are_not_reported_not_even_under_strict(site: SiteFolder) -> None:
    site.write("digest.toml", 'ignore_warnings = ["alt-text"]\nstrict = true\n')
    site.write("content/2024-02-19.md", ALT_LESS)
    for n in range(200):
        site.write(f"content/p{n}.png", b"\x89PNG")

    broken = site.digest("build")

    # The link check is still on: the one broken link fails the strict build alone.
    assert broken.code == 1
    assert broken.stderr.splitlines() == [
        "content/2024-02-19.md:405: missing page or file: nowhere/ [warning: missing-link]",
        "digest: build failed with 1 problem; nothing was written",
    ]
    site.write("content/2024-02-19.md", ALT_LESS.replace("[坏链接](nowhere/)", ""))
    fixed = site.digest("build")
    assert (fixed.code, fixed.stderr) == (0, "")
    checked = site.digest("check")
    assert checked.stdout.splitlines()[-1].endswith(": no problems")
