"""The site configuration: ``digest.toml``, else ``[tool.digest]`` in ``pyproject.toml``.

Layer 1: imports errors, dates and urls only. Every key is checked; unknown keys and
wrong types are reported together, each with its file, line and the closest valid key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import BuildFailed, ConfigError, DigestError
from digest.urls import CONTENT_DIR, base_path


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
    output: str = "public"
    feed_entries: int = 20
    """How many of the newest posts each feed carries."""
    rss_path: str = "/feed.xml"
    atom_path: str = "/atom.xml"
    json_feed_path: str = "/feed.json"
    strict: bool = False
    """Fail the build on warnings: broken local links, missing images or alt text."""
    date_format: str = ""
    """Pattern for dates shown to readers and for titles of untitled posts; empty: by language."""

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
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise ConfigError(
            f"invalid TOML: {error}", str(path.name), int(line.group(1)) if line else None
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path.name) from None


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """The validated Config of the site at ``root``, with command-line overrides applied."""
    path, table = find_config(root)
    name = path.name if path else CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path else ""
    return parse_config(table | (overrides or {}), name, text)


def parse_config(table: dict[str, Any], source: str, text: str = "") -> Config:
    """Validate a raw settings table; ``text`` is the file, used to find line numbers."""
    known = {f.name: f for f in fields(Config)}
    problems: list[DigestError] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        line = _line_of(text, key)
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else None
            problems.append(ConfigError(f"unknown key '{key}'", source, line, hint))
            continue
        expected = type(known[key].default)
        if type(value) is not expected:
            problems.append(
                ConfigError(
                    f"'{key}' must be {_kind(expected)}, not {_kind(type(value))}",
                    source,
                    line,
                )
            )
            continue
        problem = _check_value(key, value)
        if problem:
            problems.append(ConfigError(problem, source, line))
            continue
        values[key] = value
    if problems:
        raise BuildFailed(problems)
    return dataclasses.replace(Config(), **values)


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


_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "a table",
}


def _kind(kind: type) -> str:
    return _KIND_NAMES.get(kind, kind.__name__)


def _line_of(text: str, key: str) -> int | None:
    table = re.search(r"^\s*\[tool\.digest\]", text, re.MULTILINE)
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text, table.end() if table else 0)
    return text.count("\n", 0, found.start()) + 1 if found else None
