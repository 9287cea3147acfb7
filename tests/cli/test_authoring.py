"""``digest init`` and ``digest new`` through the real command line."""

from __future__ import annotations

import json
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

from digest import __version__
from tests.conftest import SiteFolder, start_preview, stop_preview

REPO = Path(__file__).resolve().parents[2]
# 2026-01-01 23:30 UTC: already 2026-01-02 in Shanghai, still 2026-01-01 in Los Angeles.
LATE_EVENING_UTC = {"SOURCE_DATE_EPOCH": "1767310200"}


@pytest.mark.parametrize(
    ("language", "html_lang", "welcome", "readme_heading", "about"),
    [
        ((), "en", "Welcome to your digest", "## Writing", "About"),  # the locale is C.UTF-8
        (("--language", "zh-CN"), "zh-CN", "欢迎来到你的日报", "## 写作", "关于"),
    ],
)
def test_init_makes_a_site_in_its_language_that_builds_strictly(
    site: SiteFolder,
    language: tuple[str, ...],
    html_lang: str,
    welcome: str,
    readme_heading: str,
    about: str,
) -> None:
    run = site.digest(
        "init", "blog", "--title", "AI 日报", *language, "--timezone", "Asia/Shanghai"
    )
    assert run.code == 0, run.stderr
    assert "created blog/digest.toml" in run.stdout
    assert run.stdout.strip().endswith("next: cd blog && digest new && digest serve")
    blog = SiteFolder(site.root / "blog")
    assert blog.read(".github/workflows/publish.yml") == (
        REPO / ".github" / "workflows" / "publish.yml"
    ).read_text(encoding="utf-8")
    assert "/public/" in blog.read(".gitignore")
    assert "/.digest-cache/" in blog.read(".gitignore")
    assert blog.read("README.md").startswith("# AI 日报\n")
    assert f"\n{readme_heading}\n" in blog.read("README.md")

    built = blog.digest("build", "--strict")
    assert built.code == 0, built.stderr
    home = blog.read("public/index.html")
    assert f'<html lang="{html_lang}">' in home
    assert welcome in home
    assert '<img src="/2025/images/welcome.svg"' in blog.read("public/2025/12/31/index.html")
    assert (blog.root / "public/2025/images/welcome.svg").is_file()
    # The about page: its own URL, in the header of every page, in no listing or feed.
    assert f'<a href="/about/">{about}</a>' in home
    assert f"<h1>{about}</h1>" in blog.read("public/about/index.html")
    assert "/about/" not in blog.read("public/feed.xml")


def test_init_from_this_editable_checkout_warns_that_its_pin_is_the_index_version(
    site: SiteFolder,
) -> None:
    installed = json.loads(distribution("digest-ssg").read_text("direct_url.json") or "{}")
    if installed.get("url") != REPO.as_uri() or not installed.get("dir_info", {}).get("editable"):
        pytest.skip("needs this checkout installed editable (pip install -e '.[test]')")
    run = site.digest("init", "--timezone", "UTC")

    assert run.code == 0, run.stderr
    assert run.stderr == (
        f"warning: digest is an editable install of {REPO.as_uri()}: requirements.txt pins "
        f"digest-ssg=={__version__} from the package index instead\n"
    )
    assert site.read("requirements.txt").endswith(f"\ndigest-ssg=={__version__}\n")


def test_init_refuses_a_folder_with_files_and_force_keeps_them(site: SiteFolder) -> None:
    site.write("README.md", "my notes\n")
    refused = site.digest("init")
    assert refused.code == 1
    assert "folder is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert not (site.root / "digest.toml").exists()

    forced = site.digest("init", "--force")
    assert forced.code == 0, forced.stderr
    assert "kept    README.md (already there)" in forced.stdout
    assert site.read("README.md") == "my notes\n"
    assert (site.root / "digest.toml").is_file()
    assert forced.stdout.strip().endswith("next: digest new && digest serve")


def test_init_rejects_an_unknown_timezone(site: SiteFolder) -> None:
    run = site.digest("init", "--timezone", "Mars/Olympus")
    assert run.code == 2
    assert "unknown timezone 'Mars/Olympus'" in run.stderr
    assert list(site.root.iterdir()) == []


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        (None, "content/2026/01-01.md"),
        ("today", "content/2026/01-01.md"),
        ("yesterday", "content/2025/12-31.md"),
        ("tomorrow", "content/2026/01-02.md"),
        ("2024-02-19", "content/2024/02-19.md"),
        ("2024/02/19", "content/2024/02-19.md"),
    ],
)
def test_every_date_form_makes_its_file(
    site: SiteFolder, argument: str | None, expected: str
) -> None:
    # Pinned clock: 2026-01-01 00:00 UTC, which is still 2026-01-01 in UTC (the default).
    run = site.digest("new", *([argument] if argument else []))
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == expected
    text = site.read(expected)
    assert text.startswith(f"---\ndate: {expected[8:12]}-{expected[13:15]}-{expected[16:18]}\n")


def test_new_at_half_past_eleven_utc_is_tomorrow_in_shanghai(site: SiteFolder) -> None:
    site.write("digest.toml", 'timezone = "Asia/Shanghai"\n')
    run = site.digest("new", env=LATE_EVENING_UTC)
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "content/2026/01-02.md"

    site.write("digest.toml", 'timezone = "UTC"\n')
    run = site.digest("new", env=LATE_EVENING_UTC)
    assert run.stdout.strip() == "content/2026/01-01.md"


def test_new_writes_the_skeleton_with_title_slug_and_tags(site: SiteFolder) -> None:
    site.write("digest.toml", 'language = "zh-CN"\n')
    title = 'Gemini 与 "Sora"'
    run = site.digest(
        "new", "2024-02-19", "--title", title, "--slug", "Big Day", "--tags", "模型, OpenAI，视频"
    )
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "content/2024/02-19-big-day.md"
    text = site.read("content/2024/02-19-big-day.md")
    assert 'title: "Gemini 与 \\"Sora\\""' in text
    assert 'tags: ["模型", "OpenAI", "视频"]' in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## 1. 新闻标题",
        "## 2. 新闻标题",
        "## 3. 新闻标题",
    ]
    assert text.count("![") == 3
    assert text.count("[@handle](https://x.com/handle) [@other](https://x.com/other)  \n") == 3

    built = site.digest("build", "--strict", "--drafts")
    assert built.code == 0, built.stderr
    page = site.read("public/2024/02/19/big-day/index.html")
    assert "<h1>Gemini 与 &#34;Sora&#34;</h1>" in page
    assert 'href="/tags/%E6%A8%A1%E5%9E%8B/"' in page


@pytest.mark.parametrize(
    ("language", "comment"),
    [("en", "a draft: delete this line to publish"), ("zh-CN", "草稿：写好后删掉这一行即可发布")],
)
def test_a_new_post_is_a_draft_until_its_line_is_deleted(
    site: SiteFolder, language: str, comment: str
) -> None:
    site.write("digest.toml", f'language = "{language}"\n')
    created = site.digest("new", "2024-02-19").stdout.strip()
    assert f"\ndraft: true  # {comment}\n" in site.read(created)

    skipped = site.digest("build", "--strict")
    assert skipped.code == 0, skipped.stderr
    assert "left out 1 draft" in skipped.stdout
    assert not (site.root / "public/2024/02/19/index.html").exists()

    text = site.read(created)
    site.write(created, text.replace(f"draft: true  # {comment}\n", ""))
    published = site.digest("build", "--strict")
    assert published.code == 0, published.stderr
    assert (site.root / "public/2024/02/19/index.html").is_file()


def test_serve_shows_a_new_draft(site: SiteFolder) -> None:
    assert site.digest("new", "2024-02-19").code == 0
    preview = start_preview(site.root)
    try:
        page = preview.get("/2024/02/19/")
    finally:
        stop_preview(preview)

    assert '<h2 id="1-headline">1. Headline' in page


def test_new_refuses_to_overwrite(site: SiteFolder) -> None:
    site.write("content/2026/01-01.md", "mine\n")
    run = site.digest("new")
    assert run.code == 1
    assert run.stderr.splitlines()[0] == (
        "content/2026/01-01.md: already exists "
        "(give another date, or --slug for a second post that day)"
    )
    assert site.read("content/2026/01-01.md") == "mine\n"


def test_new_follows_the_site_layout(site: SiteFolder) -> None:
    site.write("content/posts/2024-02-19-gemini.md", "Hello.\n")
    run = site.digest("new", "2024-02-20")
    assert run.stdout.strip() == "content/posts/2024-02-20.md"


def test_a_site_archetype_overrides_the_built_in_one(site: SiteFolder) -> None:
    site.write(
        "templates/archetypes/post.md",
        "---\ndate: {{ date }}\ntitle: 日报 {{ date.month }}月{{ date.day }}日\n---\n\n今天：\n",
    )
    run = site.digest("new", "2024-02-19")
    assert run.code == 0, run.stderr
    assert (
        site.read("content/2024/02-19.md")
        == "---\ndate: 2024-02-19\ntitle: 日报 2月19日\n---\n\n今天：\n"
    )


def test_an_archetype_error_names_its_file_and_line(site: SiteFolder) -> None:
    site.write("templates/archetypes/post.md", "---\ndate: {{ date }}\n---\n{{ nothing.here }}\n")
    run = site.digest("new")
    assert run.code == 1
    assert run.stderr.startswith("templates/archetypes/post.md:4: undefined:")
    assert not (site.root / "content").exists()


def test_bad_date_and_bad_slug_are_usage_errors(site: SiteFolder) -> None:
    run = site.digest("new", "2024-02-30")
    assert run.code == 2
    assert "not a date: '2024-02-30'" in run.stderr
    run = site.digest("new", "--slug", "!!!")
    assert run.code == 2
    assert "--slug '!!!'" in run.stderr
    assert not (site.root / "content").exists()


def test_edit_opens_the_new_post_in_the_editor(site: SiteFolder) -> None:
    # The "editor" is a real program that records what it was asked to open.
    editor = site.write(
        "fake_editor.py",
        "import sys, pathlib\npathlib.Path('opened.txt').write_text(sys.argv[-1])\n",
    )
    run = site.digest("new", "--edit", env={"VISUAL": f"{sys.executable} {editor}", "EDITOR": ""})
    assert run.code == 0, run.stderr
    assert site.read("opened.txt").endswith("content/2026/01-01.md")

    run = site.digest("new", "tomorrow", "--edit", env={"VISUAL": "", "EDITOR": ""})
    assert run.code == 1
    assert "set $VISUAL or $EDITOR" in run.stderr
    assert (site.root / "content/2026/01-02.md").is_file()


@pytest.mark.parametrize("command", ["build", "check", "serve", "init", "new"])
def test_every_command_has_help_with_an_example(site: SiteFolder, command: str) -> None:
    run = site.digest(command, "--help")
    assert run.code == 0
    assert f"example: digest {command}" in run.stdout


def test_version(site: SiteFolder) -> None:
    run = site.digest("--version")
    assert run.code == 0
    assert run.stdout.startswith("digest ")
