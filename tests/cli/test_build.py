"""``digest build`` through the real command line on sites in temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SiteFolder


def test_a_folder_with_only_content_builds_a_whole_site(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ndate: 2024/02/19\n---\n\n## 1. 第一条\n\n正文。\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "built 1 post into" in run.stdout
    public = site.root / "public"
    for page in (
        "index.html",
        "2024/02/19/index.html",
        "2024/index.html",
        "2024/02/index.html",
        "archive/index.html",
        "404.html",
        "assets/style.css",
        "assets/syntax.css",
    ):
        assert (public / page).is_file(), page
    post = site.read("public/2024/02/19/index.html")
    assert "<title>February 19, 2024 · Digest</title>" in post
    assert '<h2 id="1-第一条">' in post


def test_two_builds_of_the_same_input_are_byte_identical(built_site: SiteFolder) -> None:
    first = {path: data for path, (data, _) in built_site.snapshot().items()}

    run = built_site.digest("build", "--output", "again")

    assert run.code == 0, run.stderr
    second = {path: data for path, (data, _) in built_site.snapshot("again").items()}
    assert first == second


def test_an_unchanged_rebuild_touches_no_file(built_site: SiteFolder) -> None:
    before = built_site.snapshot()

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    assert "0 files written" in run.stdout
    assert built_site.snapshot() == before


def test_removed_post_pages_are_pruned_but_dotfiles_stay(built_site: SiteFolder) -> None:
    built_site.write("public/.nojekyll", "")
    (built_site.root / "content/2024-02-20-second.md").unlink()

    run = built_site.digest("build")

    assert run.code == 0, run.stderr
    assert not (built_site.root / "public/2024/02/20/second").exists()
    assert (built_site.root / "public/.nojekyll").exists()
    assert "Second" not in built_site.read("public/index.html")


def test_sub_path_base_url_prefixes_every_link(built_site: SiteFolder) -> None:
    run = built_site.digest("build", "--base-url", "https://example.org/news/")

    assert run.code == 0, run.stderr
    home = built_site.read("public/index.html")
    assert 'href="/news/assets/style.css"' in home
    assert 'href="/news/2024/02/19/"' in home
    assert '<link rel="canonical" href="https://example.org/news/">' in home
    assert 'href="/2024/' not in home


def test_drafts_and_future_posts_are_left_out_unless_asked_for(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "Published.\n")
    site.write("content/2024-02-18-draft.md", "---\ndraft: true\n---\n\nNot yet.\n")
    site.write("content/2030-01-01-later.md", "Later.\n")

    default = site.digest("build")

    assert default.code == 0, default.stderr
    assert "left out 1 draft and 1 future post (next due 2030-01-01 00:00 +0000)" in default.stdout
    assert not (site.root / "public/2024/02/18/draft").exists()
    assert not (site.root / "public/2030").exists()

    everything = site.digest("build", "--drafts", "--future")

    assert everything.code == 0, everything.stderr
    assert (site.root / "public/2024/02/18/draft/index.html").is_file()
    assert (site.root / "public/2030/01/01/later/index.html").is_file()


def test_files_next_to_posts_are_copied_and_links_resolve(site: SiteFolder) -> None:
    site.write("content/2024/02-19.md", "![图表](images/chart.svg)\n")
    site.write("content/2024/images/chart.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")

    run = site.digest("build", "--base-url", "https://example.org/news/")

    assert run.code == 0, run.stderr
    assert (site.root / "public/2024/images/chart.svg").is_file()
    assert 'src="/news/2024/images/chart.svg"' in site.read("public/2024/02/19/index.html")


def test_missing_site_folder_is_a_usage_error(site: SiteFolder) -> None:
    run = site.digest("build", "--source", "nowhere")

    assert run.code == 2
    assert run.stderr.strip() == "digest: error: site folder nowhere does not exist"


NOT_A_SITE = (
    "no digest site here (no digest.toml, no [tool.digest], no content/); "
    "run 'digest init' to start one"
)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_folder_that_is_no_site_is_refused_and_left_alone(site: SiteFolder, command: str) -> None:
    site.write("package.json", '{"name": "web-app"}\n')
    site.write("pyproject.toml", "[tool.black]\nline-length = 100\n")
    site.write("public/index.html", "<h1>the app</h1>\n")
    site.write("public/app.js", "start();\n")
    before = sorted(site.root.rglob("*"))

    run = site.digest(command)

    assert run.code == 1
    assert run.stderr.splitlines()[0] == NOT_A_SITE
    assert sorted(site.root.rglob("*")) == before
    assert site.read("public/app.js") == "start();\n"


def test_an_empty_folder_does_not_build(site: SiteFolder) -> None:
    run = site.digest("build", "--source", ".")

    assert run.code == 1
    assert run.stderr.splitlines()[0] == NOT_A_SITE
    assert list(site.root.iterdir()) == []


def test_a_config_in_pyproject_alone_makes_a_site(site: SiteFolder) -> None:
    site.write("pyproject.toml", '[tool.digest]\ntitle = "Only a config"\n')

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "Only a config" in site.read("public/index.html")


def test_unknown_option_is_a_usage_error(site: SiteFolder) -> None:
    run = site.digest("build", "--colour")

    assert run.code == 2
    assert "unrecognized arguments: --colour" in run.stderr


def _assert_fails_leaving_output(site: SiteFolder, expected_line: str) -> None:
    before = site.snapshot()

    run = site.digest("build")

    assert run.code == 1
    lines = run.stderr.strip().splitlines()
    assert expected_line in lines, run.stderr
    assert "Traceback" not in run.stderr
    assert lines[-1].endswith("nothing was written")
    assert site.snapshot() == before


BROKEN_INPUTS: dict[str, tuple[str, str | bytes, str]] = {
    "invalid YAML": (
        "content/2024-02-19.md",
        "---\ntitle: ok\ntags: [a, b\n---\n\nbody\n",
        "content/2024-02-19.md:3: invalid front matter: did not find expected ',' or ']'",
    ),
    "unreadable date": (
        "content/2024-02-19.md",
        "---\ntitle: t\ndate: 2024/13\n---\n\nbody\n",
        "content/2024-02-19.md:3: cannot read date '2024/13': write it as 2024-02-19, "
        "2024/02/19 or 2024-02-19 08:30",
    ),
    "date that is no day": (
        "content/2024-02-19.md",
        "---\ntitle: t\ndate: 2026-02-30\n---\n\nbody\n",
        "content/2024-02-19.md:3: invalid date '2026-02-30' (February has 28 days in 2026)",
    ),
    "date past the last day once in UTC": (
        "content/2024-02-19.md",
        "---\ntitle: t\ndate: 9999-12-31T23:59:59-12:00\n---\n\nbody\n",
        "content/2024-02-19.md:3: invalid date '9999-12-31T23:59:59-12:00' "
        "(in UTC that is after 9999-12-31, the last day there is)",
    ),
    "date in the file name that is no day": (
        "content/2026/02-30.md",
        "No date in the front matter.\n",
        "content/2026/02-30.md: the date in the file name, 2026-02-30, is not a real day "
        "(February has 28 days in 2026)",
    ),
    "number too long for Python": (
        "content/2024-02-19.md",
        "+++\ntitle = 't'\nslug = " + "7" * 4400 + "\n+++\n\nbody\n",
        "content/2024-02-19.md:3: invalid front matter: a number with more than 4300 digits; "
        "put it in quotes if it is text",
    ),
    "lists nested too deep": (
        "content/2024-02-19.md",
        "+++\ntitle = 't'\nx = " + "[" * 2000 + "]" * 2000 + "\n+++\n\nbody\n",
        "content/2024-02-19.md:3: invalid front matter: lists nested more than 100 deep",
    ),
    "colon in a YAML value": (
        "content/2024-02-19.md",
        "---\ntitle: 今日要闻: GPT-5 发布\n---\n\nbody\n",
        "content/2024-02-19.md:2: invalid front matter: mapping values are not allowed in this "
        'context (quote the value: title: "今日要闻: GPT-5 发布")',
    ),
    "tab in YAML indentation": (
        "content/2024-02-19.md",
        "---\ntitle: t\ntags:\n\t- AI\n---\n\nbody\n",
        "content/2024-02-19.md:4: invalid front matter: tabs are not allowed in YAML "
        "indentation (indent with spaces)",
    ),
    "duplicate URL": (
        "content/2024/02/19.md",
        "Same day page as content/2024-02-19.md\n",
        "content/2024/02/19.md:1: URL /2024/02/19/ is also the URL of content/2024-02-19.md "
        "(give one of them another 'slug' in its front matter)",
    ),
    "unknown config key": (
        "digest.toml",
        'title = "x"\ntimezome = "Asia/Shanghai"\n',
        "digest.toml:2: unknown key 'timezome' (did you mean 'timezone'?)",
    ),
    "config language that is no tag": (
        "digest.toml",
        'title = "x"\nlanguage = "chinese"\n',
        "digest.toml:2: language 'chinese' is not a language tag (did you mean 'zh'?)",
    ),
    "unquoted config text": (
        "digest.toml",
        "title = AI 日报\n",
        'digest.toml:1: invalid TOML: Invalid value (quote the text: title = "AI 日报")',
    ),
    "wrong config type": (
        "digest.toml",
        'title = "x"\nposts_per_page = "ten"\n',
        "digest.toml:2: 'posts_per_page' must be a whole number, not a string",
    ),
    "template syntax error": (
        "templates/post.html",
        '{% extends "base.html" %}\n{% block main %}\n{% if page %}\n{% endblock %}\n',
        "templates/post.html:4: template syntax: Encountered unknown tag 'endblock'. "
        "You probably made a nesting mistake. Jinja is expecting this tag, but currently "
        "looking for 'elif' or 'else' or 'endif'. "
        "The innermost block that needs to be closed is 'if'.",
    ),
    "undefined variable": (
        "templates/post.html",
        '{% extends "base.html" %}\n{% block main %}\n\n{{ page.subtitle }}\n{% endblock %}\n',
        "templates/post.html:4: undefined: 'digest.model.Post object' has no attribute 'subtitle'",
    ),
    "missing template": (
        "templates/post.html",
        '{% extends "base.html" %}\n{% block main %}\n{% include "card.html" %}\n{% endblock %}\n',
        "templates/post.html:3: template not found: card.html",
    ),
    "non-UTF-8 file": (
        "content/2024-02-21.md",
        "---\ntitle: 旧文件\n---\n\n中文\n".encode("gb18030"),
        "content/2024-02-21.md:2: not UTF-8 text (byte 0xbe); save the file as UTF-8",
    ),
    "script URL as cover": (
        "content/2024-02-21.md",
        '---\ntitle: t\ncover: "javascript:alert(1)"\n---\n\nbody\n',
        "content/2024-02-21.md:3: 'cover' must be an http(s) URL or a path on the site, "
        "not 'javascript:alert(1)'",
    ),
    "too many tags": (
        "content/2024-02-21.md",
        "---\ntitle: t\n\ntags: [" + ", ".join(f"t{i}" for i in range(101)) + "]\n---\n\nbody\n",
        "content/2024-02-21.md:4: a post may have at most 100 tags, not 101 "
        "(each tag page and tag feed shows every tag of its posts)",
    ),
    "a tag too long for a file name": (
        "content/2024-02-21.md",
        "---\ntitle: t\ntags: [AI, " + "中" * 200 + "]\n---\n\nbody\n",
        "content/2024-02-21.md:3: tag '" + "中" * 20 + "…' is longer than 60 characters "
        "(each tag names a folder of the site)",
    ),
    "empty file": (
        "content/2024-02-21.md",
        "",
        "content/2024-02-21.md:1: the file is empty; write a post or delete the file",
    ),
}


@pytest.mark.parametrize("case", BROKEN_INPUTS, ids=list(BROKEN_INPUTS))
def test_bad_input_is_one_line_and_previous_output_stays(built_site: SiteFolder, case: str) -> None:
    relative, text, expected = BROKEN_INPUTS[case]
    built_site.write(relative, text)

    _assert_fails_leaving_output(built_site, expected)


def test_clashes_between_posts_point_at_the_front_matter_line(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: 一\ntags: [AI!]\n---\n\n正文。\n")
    site.write("content/2024-02-20.md", "---\ntitle: 二\n\ntags: [AI?]\n---\n\n正文。\n")
    site.write("content/2024-03-01.md", "---\ntitle: 三\nslug: same\n---\n\n正文。\n")
    site.write("content/2024/03/01/x.md", "---\ntitle: 四\n#\nslug: same\n---\n\n正文。\n")

    run = site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines()[:2] == [
        "content/2024-02-20.md:4: tag 'AI?' gets the same URL /tags/ai/ as tag 'AI!' in "
        "content/2024-02-19.md (tags that differ only in punctuation share a URL: spell them "
        "alike)",
        "content/2024/03/01/x.md:4: URL /2024/03/01/same/ is also the URL of "
        "content/2024-03-01.md (give one of them another 'slug' in its front matter)",
    ]


def test_names_too_long_for_a_file_point_at_the_front_matter_line(built_site: SiteFolder) -> None:
    # Ten characters, but Unicode normalisation makes each one 18 letters: 330 bytes.
    long_tag = "\ufdfa" * 10
    built_site.write(
        "content/2024-03-01.md", f"---\ntitle: 长\ntags: [AI, {long_tag}]\n---\n\n正文。\n"
    )
    built_site.write(
        "content/2024-03-02.md", f"---\ntitle: 长\n\nslug: {'a' * 256}\n---\n\n正文。\n"
    )
    before = built_site.snapshot()

    run = built_site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines()[:2] == [
        "content/2024-03-01.md:3: tag '\ufdfa\ufdfa\ufdfa\ufdfa\ufdfa\ufdfa\ufdfa\ufdfa\ufdfa"
        "\ufdfa'… makes a URL part of 330 bytes; a file name takes at most 255 (use a shorter tag)",
        f"content/2024-03-02.md:4: URL /2024/03/02/{'a' * 256}/ has a part of 256 bytes; "
        "a file name takes at most 255 (give the post a shorter 'slug' in its front matter)",
    ]
    assert built_site.snapshot() == before


def test_every_problem_is_reported_at_once(built_site: SiteFolder) -> None:
    built_site.write("content/2024-03-01.md", "---\ndate: someday\n---\n")
    built_site.write("content/2024-03-02.md", "---\ndraft: maybe\n---\nx\n")

    run = built_site.digest("build")

    assert run.code == 1
    assert "content/2024-03-01.md:2: cannot read date 'someday'" in run.stderr
    assert "content/2024-03-02.md:2: 'draft' must be true or false, not 'maybe'" in run.stderr
    assert "build failed with 2 problems" in run.stderr


def test_a_command_line_value_is_blamed_on_its_option(built_site: SiteFolder) -> None:
    built_site.write("digest.toml", 'title = "x"\nbase_url = "https://example.org/"\n')

    run = built_site.digest("build", "--base-url", "example.org")

    assert run.code == 1
    assert run.stderr.splitlines()[0] == (
        "--base-url: 'base_url' must start with http://, https:// or / (e.g. https://example.org/)"
    )


def test_a_locale_name_as_language_is_read_as_its_tag_with_a_warning(site: SiteFolder) -> None:
    site.write("digest.toml", 'title = "日报"\nlanguage = "zh_CN"\n')
    site.write("content/2024-02-19.md", "正文。\n")

    run = site.digest("build")
    again = site.digest("build")

    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "digest.toml:2: language 'zh_CN' is a locale name; read as the language tag 'zh-CN' "
        "(write 'zh-CN' to silence this) [warning: language-tag]"
    ]
    assert again.stderr == run.stderr  # said again by a build that has nothing to do
    home = site.read("public/index.html")
    assert '<html lang="zh-CN">' in home
    assert "2024年2月19日" in home


def test_a_front_matter_key_close_to_a_known_one_is_a_warning(site: SiteFolder) -> None:
    post = "---\ntitle: 一\ntag: [AI, 模型]\ncover_alt: 图\n---\n\n正文。\n"
    site.write("content/2024-02-19.md", post)

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "content/2024-02-19.md:3: unknown key 'tag' (did you mean 'tags'?) [warning: unknown-key]"
    ]
    assert site.digest("build", "--strict").code == 1


REFUSED = {
    ".": "it is the site folder itself",
    "content": "it is inside the site's content/ folder",
    "templates": "it is inside the site's templates/ folder",
    "static/out": "it is inside the site's static/ folder",
    "..": "it contains the site folder",
    "/": "it is the file system root",
}


@pytest.mark.parametrize("output", REFUSED)
def test_dangerous_output_folders_are_refused(built_site: SiteFolder, output: str) -> None:
    before = set(built_site.root.parent.rglob("*"))

    run = built_site.digest("build", "--output", output)

    assert run.code == 1
    first = run.stderr.splitlines()[0]
    assert first.startswith("refusing to build into ")
    assert first.endswith(f": {REFUSED[output]} (choose another --output)")
    assert set(built_site.root.parent.rglob("*")) == before


def test_home_folder_is_refused(built_site: SiteFolder) -> None:
    run = built_site.digest("build", "--output", str(Path.home()))

    assert run.code == 1
    assert "it is your home folder" in run.stderr


def test_debug_shows_the_traceback(built_site: SiteFolder) -> None:
    built_site.write("digest.toml", "posts_per_page = 0\n")

    run = built_site.digest("build", "--debug")

    assert run.code == 1
    assert "Traceback" in run.stderr
    assert "digest.toml:1: 'posts_per_page' must be at least 1" in run.stderr


def test_a_site_without_tags_links_no_empty_tags_page(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: 无标签\n---\n\n正文。\n")

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert not (site.root / "public/tags").exists()
    for page in ("public/index.html", "public/2024/02/19/index.html", "public/sitemap.xml"):
        assert "/tags/" not in site.read(page)
