"""Configuration: defaults, both file locations, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config, load_config, parse_config
from digest.errors import BuildFailed, ConfigError


def test_a_site_without_configuration_gets_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)

    assert config == Config()
    assert config.output == "public"
    assert config.timezone == "UTC"
    assert config.base_path == "/"


def test_digest_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.digest]\ntitle = "from pyproject"\n')
    (tmp_path / "digest.toml").write_text('title = "from digest.toml"\n')

    assert load_config(tmp_path).title == "from digest.toml"


def test_pyproject_table_is_read_when_there_is_no_digest_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndescription = "package"\n\n'
        '[tool.digest]\ndescription = "site"\nbase_url = "https://example.org/news/"\n'
    )

    config = load_config(tmp_path)

    assert config.description == "site"
    assert config.base_path == "/news/"


def test_line_numbers_point_into_the_tool_digest_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndescription = "package"\n\n[tool.digest]\ndescription = 3\n'
    )

    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)

    assert [str(p) for p in failure.value.problems] == [
        "pyproject.toml:5: 'description' must be a string, not a whole number"
    ]


def test_command_line_overrides_are_checked_like_the_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"base_url": "https://example.org/sub/"})

    assert config.base_url == "https://example.org/sub/"


def test_all_problems_are_reported_together_with_suggestions() -> None:
    text = 'titel = "x"\nposts_per_page = 0\ntimezone = "Mars/Olympus"\npermalink = "/{slug}"\n'
    table = {"titel": "x", "posts_per_page": 0, "timezone": "Mars/Olympus", "permalink": "/{slug}"}

    with pytest.raises(BuildFailed) as failure:
        parse_config(table, "digest.toml", text)

    assert [str(p) for p in failure.value.problems] == [
        "digest.toml:1: unknown key 'titel' (did you mean 'title'?)",
        "digest.toml:2: 'posts_per_page' must be at least 1",
        "digest.toml:3: unknown timezone 'Mars/Olympus' (use an IANA name such as 'Asia/Shanghai')",
        "digest.toml:4: 'permalink' must start and end with '/'",
    ]
    assert all(isinstance(p, ConfigError) for p in failure.value.problems)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("posts_per_page", True, "'posts_per_page' must be a whole number, not true or false"),
        ("title", ["a"], "'title' must be a string, not a list"),
        ("permalink", "/{year}/{name}/", "'permalink' may use {year} {month} {day} {slug}"),
        ("base_url", "example.org", "'base_url' must start with http://, https:// or /"),
    ],
)
def test_wrong_values_are_named(key: str, value: object, message: str) -> None:
    with pytest.raises(BuildFailed) as failure:
        parse_config({key: value}, "digest.toml", "")

    assert message in str(failure.value.problems[0])


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('title = "x"\nlanguage = \n')

    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)

    assert str(failure.value).startswith("digest.toml:2: invalid TOML:")
