"""The site configuration: ``digest.toml``, else ``[tool.digest]`` in ``pyproject.toml``.

Every key is checked; unknown keys and wrong types are reported together, each with its
file, line and the closest valid key (or the command-line option, for a value given
there).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.dates import date_problem
from digest.errors import WARNING_KINDS, BuildFailed, ConfigError, DigestError, did_you_mean
from digest.folders import CONTENT_DIR, OUTPUT_DIR
from digest.labels import LABEL_NAMES
from digest.urls import base_path


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Everything a site can set. Defaults let a folder with only content/ build."""

    title: str = "Digest"
    description: str = ""
    author: str = ""
    base_url: str = "/"
    language: str = "en"
    timezone: str = "UTC"
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    posts_per_page: int = 10
    summary_length: int = 120
    output: str = OUTPUT_DIR
    feed_entries: int = 20
    """How many of the newest posts each feed carries."""
    rss_path: str = "/feed.xml"
    atom_path: str = "/atom.xml"
    json_feed_path: str = "/feed.json"
    strict: bool = False
    """Fail the build on warnings: broken local links, missing images or alt text."""
    date_format: str = ""
    """Pattern for dates shown to readers and for titles of untitled posts; empty: by language."""
    ignore_warnings: tuple[str, ...] = ()
    """Kinds of warnings (``errors.WARNING_KINDS``) not reported, not even under strict."""
    search: bool = True
    """Full-text search: a Pagefind index of posts and pages, a search box and ``/search/``."""
    labels: tuple[tuple[str, str], ...] = ()
    """The site's own words for the theme's labels (``[labels]``), by label name."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        return base_path(self.base_url)


CONFIG_FILE = "digest.toml"
PYPROJECT = "pyproject.toml"
_PERMALINK_FIELDS = {"year", "month", "day", "slug"}
_FIELD_TOKEN = re.compile(r"{(\w*)}")


def find_config(root: Path) -> tuple[Path | None, dict[str, Any]]:
    """Read the raw settings table of the site at ``root`` (empty if it has none)."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, _read_toml(own)
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("digest")
        if isinstance(table, dict):
            return pyproject, table
    return None, {}


def require_site(root: Path) -> None:
    """ConfigError unless ``root`` is a digest site: it has a config or a content/ folder.

    Without this, ``digest build`` run in the wrong folder (a web app with its own
    ``public/``) would build an empty site there and remove what it found.
    """
    if (root / CONFIG_FILE).is_file() or (root / CONTENT_DIR).is_dir():
        return
    if find_config(root)[0] is not None:
        return
    where = "here" if root.resolve() == Path.cwd().resolve() else f"in {root}"
    raise ConfigError(
        f"no digest site {where} (no {CONFIG_FILE}, no [tool.digest], no {CONTENT_DIR}/); "
        "run 'digest init' to start one"
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path.name) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message, hint = toml_problem(error, text)
        raise ConfigError(f"invalid TOML: {message}", path.name, line, hint) from None


def toml_problem(error: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str, str | None]:
    """Line, message and a hint for a writer, from tomllib's error about ``text``.

    A text value without quotes gets ``quote the text: title = "AI 日报"``, a YAML-style
    ``key: value`` the ``=`` it needs, a date that is no real day the reason.
    """
    found = re.search(r"\(at line (\d+), column \d+\)", str(error))
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
    if found is None:
        return None, message, None
    line = int(found.group(1))
    lines = text.split("\n")
    written = lines[line - 1].strip() if line <= len(lines) else ""
    pair = re.match(r"^([\w.\"'-]+)\s*([=:])\s*(.*?)\s*$", written)
    if pair is None:
        return line, message, None
    key, sign, value = pair.groups()
    is_text = bool(value) and value[0] not in "\"'[{" and not _is_literal(value)
    shown = json.dumps(value, ensure_ascii=False) if is_text else value
    if sign == ":" and message.startswith("Expected '='"):
        return line, message, f"TOML writes '=' between key and value: {key} = {shown}"
    why = date_problem(value) if re.match(r"\d{4}-", value) else None
    if why:
        return line, f"invalid date '{value}'", why
    if message == "Invalid value" and is_text:
        return line, message, f"quote the text: {key} = {shown}"
    return line, message, None


def _is_literal(value: str) -> bool:
    """Whether a TOML value as written is a number, boolean, date or time (not text)."""
    return value in ("true", "false") or re.match(r"^[+-]?(\d|inf|nan)", value) is not None


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid configuration and what is worth saying about it (never fatal alone)."""

    config: Config
    warnings: tuple[ConfigError, ...] = ()


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """The validated Config of the site at ``root``, with command-line overrides applied."""
    return read_config(root, overrides).config


def read_config(root: Path, overrides: dict[str, Any] | None = None) -> Checked:
    """``load_config`` with the warnings about the configuration."""
    path, table = find_config(root)
    name = path.name if path else CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path else ""
    return check_config(table, name, text, overrides)


def parse_config(table: dict[str, Any], source: str, text: str = "") -> Config:
    """Validate a raw settings table; ``text`` is the file, used to find line numbers."""
    return check_config(table, source, text).config


def check_config(
    table: dict[str, Any],
    source: str,
    text: str = "",
    overrides: dict[str, Any] | None = None,
) -> Checked:
    """``parse_config`` with the warnings, for ``table`` with ``overrides`` (values from
    the command line, whose problems are reported as ``--base-url: …``)."""
    known = {f.name: f for f in fields(Config)}
    given = overrides or {}
    problems: list[DigestError] = []
    warnings: list[ConfigError] = []
    values: dict[str, Any] = {}
    for key, value in (table | given).items():
        where = f"--{key.replace('_', '-')}" if key in given else source
        line = None if key in given else _line_of(text, key)
        if key not in known:
            hint = did_you_mean(key, known)
            problems.append(ConfigError(f"unknown key '{key}'", where, line, hint))
            continue
        if key == "labels":
            found = _labels(value, where, text)
            problems.extend(found[1])
            if not found[1]:
                values[key] = found[0]
            continue
        expected = type(known[key].default)
        if expected is tuple and type(value) is list:  # TOML has arrays, Config tuples
            value = tuple(value)
        if type(value) is not expected:
            problems.append(
                ConfigError(
                    f"'{key}' must be {_kind(expected)}, not {_kind(type(value))}",
                    where,
                    line,
                )
            )
            continue
        if key == "language":
            value, problem, note = _language(str(value))
            if note:
                hint = f"write '{value}' to silence this"
                warnings.append(ConfigError(note, where, line, hint, kind="language-tag"))
            if problem:
                problems.append(ConfigError(problem[0], where, line, problem[1]))
                continue
        if key == "ignore_warnings":
            unknown = [kind for kind in value if kind not in WARNING_KINDS]
            for kind in unknown:
                hint = did_you_mean(str(kind), WARNING_KINDS) or _ALL_KINDS
                problems.append(ConfigError(f"unknown warning kind {kind!r}", where, line, hint))
            if unknown:
                continue
        problem_text = _check_value(key, value)
        if problem_text:
            problems.append(ConfigError(problem_text, where, line))
            continue
        values[key] = value
    if problems:
        raise BuildFailed(problems)
    return Checked(dataclasses.replace(Config(), **values), tuple(warnings))


def _labels(
    value: Any, where: str, text: str
) -> tuple[tuple[tuple[str, str], ...], list[DigestError]]:
    """``[labels]``: a table of theme label names to text, sorted by name."""
    line = _line_of(text, "labels") or _table_line(text, "labels")
    if not isinstance(value, dict):
        return (), [ConfigError(f"'labels' must be a table, not {_kind(type(value))}", where, line)]
    problems: list[DigestError] = []
    for name, words in value.items():
        at = _line_of(text, name) or line
        if name not in LABEL_NAMES:
            hint = did_you_mean(name, LABEL_NAMES)
            problems.append(ConfigError(f"unknown label '{name}'", where, at, hint))
        elif not isinstance(words, str):
            message = f"label '{name}' must be a string, not {_kind(type(words))}"
            problems.append(ConfigError(message, where, at))
    return tuple(sorted(value.items())), problems


def _table_line(text: str, name: str) -> int | None:
    found = re.search(rf"^\s*\[(tool\.digest\.)?{re.escape(name)}\]", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


# BCP 47 as sites use it: language, optional script, region and variants, private use.
_LANGUAGE_TAG = re.compile(
    r"^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(-x(-[a-z\d]{1,8})+)?$",
    re.IGNORECASE,
)
_LANGUAGE_NAMES = {
    "chinese": "zh",
    "mandarin": "zh",
    "simplified chinese": "zh-Hans",
    "traditional chinese": "zh-Hant",
    "cantonese": "yue",
    "中文": "zh",
    "汉语": "zh",
    "简体中文": "zh-CN",
    "繁體中文": "zh-TW",
    "english": "en",
    "英文": "en",
    "japanese": "ja",
    "日本語": "ja",
    "korean": "ko",
    "한국어": "ko",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "portuguese": "pt",
    "italian": "it",
    "russian": "ru",
    "arabic": "ar",
}


def _language(value: str) -> tuple[str, tuple[str, str] | None, str | None]:
    """The language as a BCP 47 tag, the problem (message, hint) if it is none, and a
    note when a locale name such as ``zh_CN`` was read as the tag ``zh-CN``."""
    if _LANGUAGE_TAG.match(value):
        return value, None, None
    locale = value.split(".", 1)[0].split("@", 1)[0].replace("_", "-")
    if _LANGUAGE_TAG.match(locale):
        note = f"language '{value}' is a locale name; read as the language tag '{locale}'"
        return locale, None, note
    name = _LANGUAGE_NAMES.get(" ".join(value.lower().split()))
    hint = f"did you mean '{name}'?" if name else "use a tag such as 'en', 'zh-CN' or 'ja'"
    return value, (f"language '{value}' is not a language tag", hint), None


def _check_value(key: str, value: Any) -> str | None:
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown timezone '{value}' (use an IANA name such as 'Asia/Shanghai')"
    if key in ("rss_path", "atom_path", "json_feed_path") and (
        not value.startswith("/") or value.endswith("/")
    ):
        return f"'{key}' must be a file path starting with '/', such as '/feed.xml'"
    if key in ("posts_per_page", "summary_length", "feed_entries") and value < 1:
        return f"'{key}' must be at least 1"
    if key == "permalink":
        used = set(_FIELD_TOKEN.findall(value))
        if not value.startswith("/") or not value.endswith("/"):
            return "'permalink' must start and end with '/'"
        if not used <= _PERMALINK_FIELDS or "slug" not in used:
            return "'permalink' may use {year} {month} {day} {slug} and must use {slug}"
    if key == "base_url" and not value.startswith(("http://", "https://", "/")):
        return "'base_url' must start with http://, https:// or / (e.g. https://example.org/)"
    if key == "output" and not value.strip():
        return "'output' must name a folder"
    return None


_ALL_KINDS = "the kinds are " + ", ".join(WARNING_KINDS)
_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    tuple: "a list",
    dict: "a table",
}


def _kind(kind: type) -> str:
    return _KIND_NAMES.get(kind, kind.__name__)


def _line_of(text: str, key: str) -> int | None:
    table = re.search(r"^\s*\[tool\.digest\]", text, re.MULTILINE)
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text, table.end() if table else 0)
    return text.count("\n", 0, found.start()) + 1 if found else None
