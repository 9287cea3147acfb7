"""Reading posts: scan content/, split front matter, check every field, render the body.

Layer 4: imports errors, front_matter, walk, config, dates, text, urls, model and
markdown. ``parse_post`` is pure (text in, Post out), and so is ``decode_post`` (bytes in);
``scan`` alone touches disk.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from digest.config import Config
from digest.dates import date_from_source, default_date_pattern, format_date, parse_date
from digest.errors import BuildFailed, ContentError, DigestError, shown
from digest.front_matter import HANDLERS
from digest.markdown import LinkContext, render, rewrite_reference
from digest.model import Post, Record, card_of
from digest.text import TextStats, truncate
from digest.urls import CONTENT_DIR, expand_permalink, is_web_or_site_url, slugify
from digest.walk import Found, walk

KNOWN_KEYS = frozenset(
    {"title", "date", "slug", "tags", "draft", "description", "cover", "updated", "lang"}
)
_TITLE_LINE = re.compile(r"\A(\s*\n)*# +(?P<title>[^\n]*?)[ #]*(\n|\Z)")
_IGNORED_NAME = re.compile(r"(^[.#~])|(~$)|(\.sw[a-p]$)|(^4913$)|(___jb_(tmp|old)___$)")


MAX_TAGS = 100
"""Tags one post may have: every tag page shows each of its posts with all their tags, so
output grows with the square of a post's tags (1,000 tags made 71 MB)."""
MAX_TAG_LENGTH = 60
"""Characters in a tag: its slug is a folder name, which file systems cap at 255 bytes."""


@dataclass(frozen=True, slots=True)
class ParsedPost(Record):
    """A post and the warnings found while reading it."""

    post: Post
    warnings: tuple[DigestError, ...] = ()


def is_ignored(name: str) -> bool:
    """Hidden files and editor droppings (``.x.swp``, ``x~``, ``.#x``, ``4913``, JetBrains temp)."""
    return _IGNORED_NAME.search(name) is not None


@dataclass(frozen=True, slots=True)
class Scanned:
    """What ``scan`` found under content/, and the symlinks it would not follow."""

    posts: list[Found]
    files: list[Found]
    skipped: list[DigestError]


def scan(root: Path) -> Scanned:
    """Markdown posts and other files under ``root/content``, sorted, hidden ones skipped."""
    found, skipped = walk(root / CONTENT_DIR, root, CONTENT_DIR, is_ignored)
    posts = [item for item in found if item.relative.lower().endswith(".md")]
    files = [item for item in found if not item.relative.lower().endswith(".md")]
    return Scanned(posts, files, skipped)


def decode_post(source: str, data: bytes, config: Config) -> ParsedPost:
    """Parse a post file's bytes, which must be UTF-8 (a byte-order mark is allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ContentError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            source,
            line,
        ) from None
    return parse_post(source, text, config)


def parse_post(source: str, text: str, config: Config) -> ParsedPost:
    """Turn one post's text into a Post; ``source`` is its path relative to the site root."""
    if not text.strip():
        raise ContentError("the file is empty; write a post or delete the file", source, 1)
    text = text.replace("\r\n", "\n")
    meta, front, body, body_line = _split(source, text)
    fields = _Fields(source, meta, front, front_start_line(text, front))
    content_relative = source.split("/", 1)[1] if source.startswith(f"{CONTENT_DIR}/") else source
    moment = fields.date("date", config)
    from_name = date_from_source(content_relative)
    if moment is None:
        if from_name is None:
            fields.problems.append(
                ContentError(
                    "no date: add 'date: YYYY-MM-DD' to the front matter "
                    "or start the file name with the date",
                    source,
                    1,
                )
            )
        else:
            moment = datetime.combine(from_name[0], datetime.min.time(), tzinfo=config.zone)
    title = fields.text("title")
    description = fields.text("description")
    slug_value = fields.text("slug")
    cover = fields.url("cover")
    language = fields.text("lang")
    tags = fields.tags()
    draft = fields.flag("draft")
    updated = fields.date("updated", config)
    if fields.problems:
        raise BuildFailed(fields.problems)
    assert moment is not None
    moment = moment.astimezone(config.zone)

    if not title:
        heading = _TITLE_LINE.match(body)
        if heading:
            title = heading.group("title").strip()
            lines = body[: heading.end()].count("\n")
            body = "\n" * lines + body[heading.end() :]
    if not title:
        pattern = config.date_format or default_date_pattern(config.language)
        title = format_date(moment.date(), pattern, config.language)

    if slug_value:
        slug = slugify(slug_value)
    elif from_name is not None:
        slug = slugify(from_name[1])
    else:
        slug = slugify(content_relative.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    folder = content_relative.rsplit("/", 1)[0] if "/" in content_relative else ""
    rendered = render(
        body,
        LinkContext(folder=folder, base_path=config.base_path, site_host=_host(config.base_url)),
        body_line,
    )
    summary = rendered.summary_text if rendered.has_more else description
    summary = truncate(summary or rendered.summary_text, config.summary_length)
    values: dict[str, Any] = {
        "source": source,
        "fingerprint": hashlib.blake2b(f"{source}\0{text}".encode(), digest_size=16).hexdigest(),
        "title": title,
        "date": moment,
        "slug": slug,
        "url": expand_permalink(config.permalink, moment.date(), slug),
        "tags": tags,
        "draft": draft,
        "description": description,
        "html": rendered.html,
        "summary": summary,
        "toc": rendered.toc,
        "cover": _cover(cover, folder, config) if cover else rendered.cover,
        "reading_minutes": _minutes(rendered.cjk_characters, rendered.words),
        "cjk_characters": rendered.cjk_characters,
        "words": rendered.words,
        "updated": updated.astimezone(config.zone) if updated else None,
        "language": language,
        "references": rendered.references,
        "extra": {k: v for k, v in meta.items() if k not in KNOWN_KEYS},
        "lines": {key: fields.line(key) for key in ("date", "slug", "tags") if key in meta},
    }
    post = Post(**values, card=card_of(values))
    warnings = tuple(ContentError(w.message, source, w.line) for w in rendered.warnings)
    return ParsedPost(post, warnings)


def _minutes(cjk: int, words: int) -> int:
    return TextStats(cjk_characters=cjk, words=words).reading_minutes


def _host(base_url: str) -> str:
    return base_url.split("//", 1)[1].split("/", 1)[0].lower() if "//" in base_url else ""


def _cover(value: str, folder: str, config: Config) -> str:
    return rewrite_reference(value, LinkContext(folder=folder, base_path=config.base_path))


def _split(source: str, text: str) -> tuple[Mapping[str, Any], str, str, int]:
    """Front matter (parsed), its raw text, the body, and the file line the body starts on."""
    handler = next((h for h in HANDLERS if h.detect(text)), None)
    if handler is None:
        return {}, "", text, 1
    try:
        front, body = handler.split(text)
    except ValueError:
        raise ContentError(
            f"front matter is not closed: add a line '{handler.END_DELIMITER}' after it",
            source,
            1,
        ) from None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    front_line = front_start_line(text, front)
    try:
        meta = handler.load(front)
    except yaml.MarkedYAMLError as error:
        # An unclosed list or quote is reported at the end of the front matter; the
        # context mark points at where it was opened, which is what the writer must fix.
        mark = error.context_mark or error.problem_mark
        line = front_line + mark.line if mark else 1
        problem = error.problem or "invalid YAML"
        raise ContentError(f"invalid front matter: {problem}", source, line) from None
    except yaml.YAMLError as error:
        raise ContentError(f"invalid front matter: {error}", source, 1) from None
    except RecursionError:  # tomllib reads nested arrays by recursion
        raise ContentError(
            "invalid front matter: values are nested too deeply", source, 1
        ) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = front_line + int(found.group(1)) - 1 if found else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ContentError(f"invalid front matter: {message}", source, line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be 'key: value' lines", source, 2)
    return meta, front, body, body_line


def front_start_line(text: str, front: str) -> int:
    """File line on which the front-matter text (as split off) begins."""
    return text.count("\n", 0, text.find(front)) + 1 if front else 1


class _Fields:
    """Typed access to front-matter values, collecting every problem with its line."""

    def __init__(self, source: str, meta: Mapping[str, Any], front: str, front_line: int):
        self.source = source
        self.meta = meta
        self.front = front
        self.problems: list[DigestError] = []
        self._first_line = front_line

    def line(self, key: str) -> int:
        found = re.search(rf"^[ \t]*['\"]?{re.escape(key)}['\"]?\s*[:=]", self.front, re.MULTILINE)
        if not found:
            return 1
        return self._first_line + self.front.count("\n", 0, found.start())

    def _problem(self, key: str, message: str) -> None:
        self.problems.append(ContentError(message, self.source, self.line(key)))

    def text(self, key: str) -> str:
        value = self.meta.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._problem(key, f"'{key}' must be text, not {shown(value)}; put it in quotes")
        return ""

    def url(self, key: str) -> str:
        value = self.text(key)
        if value and not is_web_or_site_url(value):
            self._problem(
                key, f"'{key}' must be an http(s) URL or a path on the site, not {shown(value)}"
            )
            return ""
        return value

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if isinstance(value, bool):
            return value
        self._problem(key, f"'{key}' must be true or false, not {shown(value)}")
        return False

    def tags(self) -> tuple[str, ...]:
        value = self.meta.get("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[Any] = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            self._problem("tags", "'tags' must be a list or a comma-separated string")
            return ()
        tags: list[str] = []
        for item in items:
            if not isinstance(item, str):
                self._problem("tags", f"tag {shown(item)} must be text; put it in quotes")
            elif len(item.strip()) > MAX_TAG_LENGTH:
                self._problem(
                    "tags",
                    f"tag {shown(item.strip()[:20] + '…')} is longer than {MAX_TAG_LENGTH} "
                    "characters (each tag names a folder of the site)",
                )
            elif item.strip() and item.strip() not in tags:
                tags.append(item.strip())
        if len(tags) > MAX_TAGS:
            self._problem(
                "tags",
                f"a post may have at most {MAX_TAGS} tags, not {len(tags)} "
                "(each tag page and tag feed shows every tag of its posts)",
            )
        return tuple(tags)

    def date(self, key: str, config: Config) -> datetime | None:
        value = self.meta.get(key)
        if value is None:
            return None
        parsed = parse_date(value, config.zone)
        if parsed is None:
            self._problem(
                key,
                f"cannot read {key} {shown(str(value))}: write it as 2024-02-19, 2024/02/19 "
                "or 2024-02-19 08:30",
            )
        return parsed
