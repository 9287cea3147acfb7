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
        "tags/index.html",
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


BROKEN_INPUTS = {
    "invalid YAML": (
        "content/2024-02-19.md",
        "---\ntitle: ok\ntags: [a, b\n---\n\nbody\n",
        "content/2024-02-19.md:3: invalid front matter: did not find expected ',' or ']'",
    ),
    "unreadable date": (
        "content/2024-02-19.md",
        "---\ntitle: t\ndate: 2024/13/45\n---\n\nbody\n",
        "content/2024-02-19.md:3: cannot read date '2024/13/45': write it as 2024-02-19, "
        "2024/02/19 or 2024-02-19 08:30",
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
    site.write("content/2024-02-19.md", "---\ntitle: 一\ntags: [AI]\n---\n\n正文。\n")
    site.write("content/2024-02-20.md", "---\ntitle: 二\n\ntags: [ai]\n---\n\n正文。\n")
    site.write("content/2024-03-01.md", "---\ntitle: 三\nslug: same\n---\n\n正文。\n")
    site.write("content/2024/03/01/x.md", "---\ntitle: 四\n#\nslug: same\n---\n\n正文。\n")

    run = site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines()[:2] == [
        "content/2024-02-20.md:4: tag 'ai' gets the same URL /tags/ai/ as tag 'AI' in "
        "content/2024-02-19.md (tags must differ in more than case and punctuation)",
        "content/2024/03/01/x.md:4: URL /2024/03/01/same/ is also the URL of "
        "content/2024-03-01.md (give one of them another 'slug' in its front matter)",
    ]


def test_names_too_long_for_a_file_point_at_the_front_matter_line(built_site: SiteFolder) -> None:
    long_tag = "人工智能" * 22 + "模型"  # 90 characters, 270 bytes as UTF-8
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
        "content/2024-03-01.md:3: tag '人工智能人工智能人工智能'… makes a URL part of 270 bytes; "
        "a file name takes at most 255 (use a shorter tag)",
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
