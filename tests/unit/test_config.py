"""Configuration: defaults, both file locations, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config, check_config, load_config, parse_config
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


@pytest.mark.parametrize(
    ("language", "read_as", "warning"),
    [
        ("zh-CN", "zh-CN", None),
        ("zh-Hans-CN", "zh-Hans-CN", None),
        ("en", "en", None),
        ("yue", "yue", None),
        (
            "zh_CN",
            "zh-CN",
            "digest.toml:1: language 'zh_CN' is a locale name; read as the language tag 'zh-CN' "
            "(write 'zh-CN' to silence this)",
        ),
        (
            "en_US.UTF-8",
            "en-US",
            "digest.toml:1: language 'en_US.UTF-8' is a locale name; read as the language tag "
            "'en-US' (write 'en-US' to silence this)",
        ),
    ],
)
def test_language_is_a_tag_and_a_locale_name_is_read_as_one(
    language: str, read_as: str, warning: str | None
) -> None:
    checked = check_config({"language": language}, "digest.toml", f'language = "{language}"\n')

    assert checked.config.language == read_as
    assert [str(w) for w in checked.warnings] == ([warning] if warning else [])


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("chinese", "language 'chinese' is not a language tag (did you mean 'zh'?)"),
        ("简体中文", "language '简体中文' is not a language tag (did you mean 'zh-CN'?)"),
        ("English", "language 'English' is not a language tag (did you mean 'en'?)"),
        (
            "klingon!",
            "language 'klingon!' is not a language tag (use a tag such as 'en', 'zh-CN' or 'ja')",
        ),
    ],
)
def test_a_language_that_is_no_tag_is_an_error_with_a_suggestion(
    language: str, message: str
) -> None:
    with pytest.raises(BuildFailed) as failure:
        parse_config({"language": language}, "digest.toml", f'language = "{language}"\n')

    assert [str(p) for p in failure.value.problems] == [f"digest.toml:1: {message}"]


def test_a_command_line_value_is_blamed_on_the_option_not_the_file(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('title = "x"\nbase_url = "https://example.org/"\n')

    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path, {"base_url": "example.org"})

    assert [str(p) for p in failure.value.problems] == [
        "--base-url: 'base_url' must start with http://, https:// or / (e.g. https://example.org/)"
    ]


INVALID_VALUE = "invalid TOML: Invalid value"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "title = AI 日报\n",
            f'digest.toml:1: {INVALID_VALUE} (quote the text: title = "AI 日报")',
        ),
        (
            'title = "x"\ntimezone = Asia/Shanghai\n',
            f'digest.toml:2: {INVALID_VALUE} (quote the text: timezone = "Asia/Shanghai")',
        ),
        (
            'title: "日报"\n',
            "digest.toml:1: invalid TOML: Expected '=' after a key in a key/value pair "
            "(TOML writes '=' between key and value: title = \"日报\")",
        ),
        (
            "posts_per_page = ten\n",
            f'digest.toml:1: {INVALID_VALUE} (quote the text: posts_per_page = "ten")',
        ),
        (
            "posts_per_page = 1 0\n",
            "digest.toml:1: invalid TOML: Expected newline or end of document after a statement",
        ),
    ],
)
def test_toml_mistakes_get_a_hint(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)

    assert str(failure.value) == message


def test_ignore_warnings_names_kinds_of_warnings(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('ignore_warnings = ["alt-text", "raw-html"]\n')

    assert load_config(tmp_path).ignore_warnings == ("alt-text", "raw-html")


def test_an_unknown_warning_kind_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('title = "x"\nignore_warnings = ["alt_text", "zzz"]\n')

    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)

    messages = [str(problem) for problem in failure.value.problems]
    assert messages[0] == (
        "digest.toml:2: unknown warning kind 'alt_text' (did you mean 'alt-text'?)"
    )
    assert messages[1].startswith("digest.toml:2: unknown warning kind 'zzz' (the kinds are ")


def test_labels_are_checked_by_name_and_kind() -> None:
    text = 'title = "T"\n\n[labels]\nhome = "Front"\nolder = 3\nsubscrbe = "Follow"\n'
    table = {"title": "T", "labels": {"home": "Front", "older": 3, "subscrbe": "Follow"}}

    with pytest.raises(BuildFailed) as failure:
        parse_config(table, "digest.toml", text)

    assert [str(p) for p in failure.value.problems] == [
        "digest.toml:5: label 'older' must be a string, not a whole number",
        "digest.toml:6: unknown label 'subscrbe' (did you mean 'subscribe'?)",
    ]
    good = parse_config({"labels": {"older": "Before", "home": "Front"}}, "digest.toml")
    assert good.labels == (("home", "Front"), ("older", "Before"))
