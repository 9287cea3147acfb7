"""``digest init`` and ``digest new`` as functions: dates, layouts, the starter files."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config import Config, parse_config
from digest.errors import OutputError, TemplateError, UsageError
from digest.scaffold import (
    STARTER,
    init_site,
    local_language,
    new_post,
    parse_day,
    pin_for,
    post_path,
    today_in,
)

TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-19", date(2024, 2, 19)),
        ("2024/02/19", date(2024, 2, 19)),
        ("2024/2/9", date(2024, 2, 9)),
        ("today", TODAY),
        ("Yesterday", date(2025, 12, 31)),
        ("tomorrow", date(2026, 1, 2)),
    ],
)
def test_every_date_form(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "19/02/2024", "next week", ""])
def test_what_is_not_a_date_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="not a date"):
        parse_day(text, TODAY)


def test_today_is_the_day_in_the_site_timezone() -> None:
    late_evening_utc = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    assert today_in(ZoneInfo("Asia/Shanghai"), late_evening_utc) == date(2026, 1, 2)
    assert today_in(ZoneInfo("UTC"), late_evening_utc) == date(2026, 1, 1)
    assert today_in(ZoneInfo("America/Los_Angeles"), late_evening_utc) == date(2026, 1, 1)


DAY = date(2026, 3, 5)


@pytest.mark.parametrize(
    ("existing", "slug", "expected"),
    [
        ([], "", "2026/03-05.md"),
        ([], "gemini", "2026/03-05-gemini.md"),
        (["notes/about.md"], "", "2026/03-05.md"),
        (["2024-02-19.md"], "", "2026-03-05.md"),
        (["posts/2024-02-19-sora.md"], "x", "posts/2026-03-05-x.md"),
        (["2024/2024-02-19.md"], "", "2026/2026-03-05.md"),
        (["2024/02-19.md", "2024/02-19-list.md"], "", "2026/03-05.md"),
        (["2024/02-19.md"], "list", "2026/03-05-list.md"),
        (["blog/2024/02-19.md"], "", "blog/2026/03-05.md"),
        (["2024/02/19.md"], "", "2026/03/05.md"),
        (["2024/02/19/index.md"], "", "2026/03/05/index.md"),
        (["2024/02/19/gemini.md"], "", "2026/03/05/index.md"),
        (["2024/02/19.md"], "sora", "2026/03/05/sora.md"),
        # The newest post decides, so a site that changed its layout keeps the new one.
        (["2023-01-01.md", "2024/02-19.md"], "", "2026/03-05.md"),
    ],
)
def test_new_posts_follow_the_layout_of_the_newest_post(
    existing: list[str], slug: str, expected: str
) -> None:
    assert post_path(existing, DAY, slug) == expected


def test_the_starter_config_has_every_key_and_parses() -> None:
    text = (STARTER / "digest.toml").read_text(encoding="utf-8")
    filled = text.replace("$title", '"T"').replace("$language", '"en"')
    filled = filled.replace("$timezone", '"UTC"')
    table = tomllib.loads(filled)
    assert set(table) == {field.name for field in fields(Config)}
    assert parse_config(table, "digest.toml", filled) == Config(title="T")
    for key in table:
        written = f"\n[{key}]" if isinstance(table[key], dict) else f"\n{key} ="
        comment = filled.split(written)[0].rstrip().rsplit("\n", 1)[-1]
        assert comment.startswith("#") or key in ("atom_path", "json_feed_path"), key


def test_init_writes_a_site_and_never_overwrites(tmp_path: Path) -> None:
    site = tmp_path / "site"
    made = init_site(
        site, title='AI "日报"', language="zh-CN", timezone="Asia/Shanghai", today=TODAY,
        requirements="digest-ssg==9.9\n",
    )  # fmt: skip
    assert "content/2025/12-31.md" in made.written
    assert made.kept == ()
    settings = tomllib.loads((site / "digest.toml").read_text(encoding="utf-8"))
    assert settings["title"] == 'AI "日报"'
    assert settings["timezone"] == "Asia/Shanghai"
    assert (site / "requirements.txt").read_text() == "digest-ssg==9.9\n"

    with pytest.raises(OutputError, match="not empty"):
        init_site(site, title="x", language="en", timezone="UTC", today=TODAY, requirements="x")

    (site / "README.md").write_text("mine\n", encoding="utf-8")
    (site / "digest.toml").unlink()
    again = init_site(
        site, title="x", language="en", timezone="UTC", today=TODAY, requirements="x", force=True
    )
    assert again.written == ("digest.toml",)
    assert "README.md" in again.kept
    assert (site / "README.md").read_text(encoding="utf-8") == "mine\n"


def test_a_folder_with_only_git_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    made = init_site(
        tmp_path, title="x", language="en", timezone="UTC", today=TODAY, requirements="x"
    )
    assert "digest.toml" in made.written


def test_a_failed_init_removes_what_it_made(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "2025").mkdir(parents=True)
    # A folder where the example post should go makes writing it fail half-way.
    (site / "content" / "2025" / "12-31.md").mkdir()
    with pytest.raises(OutputError, match="not a file"):
        init_site(site, title="x", language="en", timezone="UTC", today=TODAY, requirements="x",
                  force=True)  # fmt: skip
    left = sorted(path.relative_to(site).as_posix() for path in site.rglob("*"))
    assert left == ["content", "content/2025", "content/2025/12-31.md"]


def test_new_post_refuses_to_overwrite(tmp_path: Path) -> None:
    post = tmp_path / "content" / "2026" / "03-05.md"
    post.parent.mkdir(parents=True)
    post.write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists"):
        new_post(tmp_path, Config(), day=DAY)
    assert post.read_text(encoding="utf-8") == "mine\n"


def test_an_archetype_that_makes_a_broken_post_is_named(tmp_path: Path) -> None:
    archetype = tmp_path / "templates" / "archetypes" / "post.md"
    archetype.parent.mkdir(parents=True)
    archetype.write_text("---\ndate: [oops\n---\nbody\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="does not parse") as raised:
        new_post(tmp_path, Config(), day=DAY)
    assert raised.value.path == "templates/archetypes/post.md"
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ja_JP.UTF-8"}, "ja-JP"),
        ({"LANG": "de"}, "de"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_locale(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert local_language() == expected


COMMIT = "4f1c2a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a"


@pytest.mark.parametrize(
    ("direct_url", "requirement"),
    [
        (None, "digest-ssg==1.2.0"),  # no direct_url.json: from the package index
        (
            {
                "url": "https://github.com/me/digest.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
            },
            f"digest-ssg @ git+https://github.com/me/digest.git@{COMMIT}",
        ),
        (
            {
                "url": "ssh://git@github.com/me/tools.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
                "subdirectory": "digest",
            },
            f"digest-ssg @ git+ssh://git@github.com/me/tools.git@{COMMIT}#subdirectory=digest",
        ),
        (
            {
                "url": "https://files.example.org/digest_ssg-1.2.0-py3-none-any.whl",
                "archive_info": {"hashes": {"sha256": "ab12"}},
            },
            "digest-ssg @ https://files.example.org/digest_ssg-1.2.0-py3-none-any.whl",
        ),
    ],
)
def test_a_reachable_install_is_pinned_as_it_was_made(
    direct_url: dict[str, object] | None, requirement: str
) -> None:
    pin = pin_for("1.2.0", direct_url)

    assert pin.text == requirement + "\n"
    assert pin.warning is None


@pytest.mark.parametrize(
    ("direct_url", "source"),
    [
        (
            {"url": "file:///home/me/digest", "dir_info": {"editable": True}},
            "an editable install of file:///home/me/digest",
        ),
        ({"url": "file:///home/me/digest", "dir_info": {}}, "from file:///home/me/digest"),
        (
            {"url": "file:///tmp/digest_ssg-1.2.0-py3-none-any.whl", "archive_info": {}},
            "from file:///tmp/digest_ssg-1.2.0-py3-none-any.whl",
        ),
        ({}, "from an unknown place"),
    ],
)
def test_a_local_install_pins_the_version_and_says_why(
    direct_url: dict[str, object], source: str
) -> None:
    pin = pin_for("1.2.0", direct_url)

    assert pin.text == (
        f"# digest here is {source}, which other machines cannot reach;\n"
        "# this pins the same version from the package index.\n"
        "digest-ssg==1.2.0\n"
    )
    assert pin.warning == (
        f"digest is {source}: requirements.txt pins digest-ssg==1.2.0 from the package index "
        "instead"
    )
