"""Reading posts: scan content/, split front matter, check every field, render the body.

``parse_post`` is pure (text in, Post out), and so is ``decode_post`` (bytes in);
``scan`` alone touches disk.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from digest.config import Config, toml_problem
from digest.dates import (
    date_from_source,
    date_problem,
    default_date_pattern,
    format_date,
    parse_date,
    range_problem,
    source_date_problem,
)
from digest.errors import BuildFailed, ContentError, DigestError, did_you_mean, shown
from digest.fingerprints import fingerprint_text
from digest.folders import CONTENT_DIR
from digest.front_matter import HANDLERS, LONG_NUMBER
from digest.markdown import LinkContext, render, rewrite_reference
from digest.model import Heading, Post, Record, card_of
from digest.text import TextStats, truncate
from digest.urls import expand_permalink, is_web_or_site_url, slugify
from digest.walk import Found, walk

KNOWN_KEYS = frozenset(
    {
        "title",
        "date",
        "slug",
        "tags",
        "draft",
        "description",
        "cover",
        "updated",
        "lang",
        "author",
        "url",
        "menu",
        "weight",
    }
)
_TITLE_LINE = re.compile(r"\A(\s*\n)*# +(?P<title>[^\n]*?)[ #]*(\n|\Z)")
_TAG_SEPARATORS = re.compile("[,，、]")
"""Between tags in ``tags: "AI, 大模型，视频生成"``: Chinese writers use ``，`` and ``、``."""
_IGNORED_NAME = re.compile(r"(^[.#~])|(~$)|(\.sw[a-p]$)|(^4913$)|(___jb_(tmp|old)___$)")


MAX_TAGS = 100
"""Tags one post may have: every tag page shows each of its posts with all their tags, so
output grows with the square of a post's tags (1,000 tags made 71 MB)."""
MAX_TAG_LENGTH = 60
"""Characters in a tag: its slug is a folder name, which file systems cap at 255 bytes."""
_TOO_LONG = 10 ** sys.get_int_max_str_digits() if sys.get_int_max_str_digits() else 0
"""The least whole number Python refuses to turn into text (0: no limit)."""
_MAX_DEPTH = 100
"""Deepest nesting of lists and tables kept: far more than templates read, and few enough
that printing, hashing and caching a value never exhaust Python's recursion limit."""
_QUOTABLE = frozenset(
    {
        "mapping values are not allowed in this context",
        "found character that cannot start any token",
        "did not find expected key",
    }
)


@dataclass(frozen=True, slots=True)
class ParsedPost(Record):
    """A post and the warnings found while reading it."""

    post: Post
    warnings: tuple[DigestError, ...] = ()


def split_tags(text: str) -> list[str]:
    """``"AI, 大模型，视频生成、Sora"`` → four tags: Chinese writers separate with ``，``
    and ``、`` as often as with ``,`` (front matter and ``digest new --tags`` alike)."""
    return [tag.strip() for tag in _TAG_SEPARATORS.split(text)]


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
    """Markdown posts and other files under ``root/content``, sorted, hidden ones skipped.

    Hugo's section files (``_index.md`` anywhere, ``index.md`` at the top of content/) are
    no post or page here: they are left out with a warning that says so.
    """
    found, skipped = walk(root / CONTENT_DIR, root, CONTENT_DIR, is_ignored)
    posts: list[Found] = []
    for item in found:
        if not item.relative.lower().endswith(".md"):
            continue
        if item.relative.rsplit("/", 1)[-1] == "_index.md" or item.relative == "index.md":
            message = (
                "a section file (as Hugo has) is no post or page here, so it is left out; "
                "rename it to make it a page, or delete it"
            )
            skipped.append(
                ContentError(message, f"{CONTENT_DIR}/{item.relative}", kind="section-file")
            )
        else:
            posts.append(item)
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
    """Turn one post's text into a Post; ``source`` is its path relative to the site root.

    A file with no date in its front matter or path is a page (``kind="page"``).

    The title is the first of:

    1. ``title`` in the front matter;
    2. a ``# `` heading that opens the body (then taken out of the body);
    3. the words of the file name after its date or a leading number, unless they are a
       plain slug of lowercase Latin letters (``title_from_name``; a page's always);
    4. the date, in the site's ``date_format``.

    The URL: a post's is the ``permalink`` pattern filled with its date and slug, where
    the slug is ``slug`` in the front matter, else the file name after its date (none
    for a file named only by its date: the post is its day's page), else the file name.
    A page's is ``url`` in the front matter, else its path (``page_url``).
    """
    if not text.strip():
        raise ContentError("the file is empty; write a post or delete the file", source, 1)
    text = text.replace("\r\n", "\n")
    meta, front, body, body_line = _split(source, text)
    fields = _Fields(source, meta, front, front_start_line(text, front))
    oversized = fields.oversized()
    if oversized:
        raise BuildFailed(oversized)
    content_relative = source.split("/", 1)[1] if source.startswith(f"{CONTENT_DIR}/") else source
    moment = fields.date("date", config)
    from_name = date_from_source(content_relative)
    is_page = (
        meta.get("date") is None
        and from_name is None
        and source_date_problem(content_relative) is None
    )
    if is_page:
        moment = PAGE_DATE.replace(tzinfo=config.zone)
    elif meta.get("date") is None:  # else the front matter's date wins, right or wrong
        moment = fields.date_from_name(content_relative, from_name, config)
    title = fields.text("title")
    description = fields.text("description")
    slug_value = fields.text("slug")
    url_value = fields.site_path("url") if is_page else ""
    menu = fields.text("menu") if is_page else ""
    weight = fields.number("weight") if is_page else 0
    cover = fields.url("cover")
    language = fields.text("lang")
    author = fields.text("author")
    tags = fields.tags()
    draft = fields.flag("draft")
    updated = fields.date("updated", config)
    warnings = fields.unknown_keys()
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
        title = title_from_name(content_relative, from_name, is_page)
    if not title:
        pattern = config.date_format or default_date_pattern(config.language)
        title = format_date(moment.date(), pattern, config.language)

    if is_page:
        slug = slugify(slug_value) if slug_value else ""
    elif slug_value:
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
        "fingerprint": fingerprint_text(source, text),
        "title": title,
        "date": moment,
        "slug": slug,
        "url": (
            page_url(content_relative, slug, url_value)
            if is_page
            else expand_permalink(config.permalink, moment.date(), slug)
        ),
        "tags": tags,
        "draft": draft,
        "description": description,
        "html_utf8": rendered.html.encode("utf-8", "surrogatepass"),
        "summary": summary,
        "toc": rendered.toc,
        "items": news_items(rendered.toc),
        "cover": _cover(cover, folder, config) if cover else rendered.cover,
        "cover_in_body": not cover and rendered.cover is not None,
        "reading_minutes": _minutes(rendered.cjk_characters, rendered.words),
        "cjk_characters": rendered.cjk_characters,
        "words": rendered.words,
        "updated": updated.astimezone(config.zone) if updated else None,
        "language": language,
        "author": author,
        "kind": "page" if is_page else "post",
        "menu": menu,
        "weight": weight,
        "references": rendered.references,
        "extra": {k: v for k, v in meta.items() if k not in KNOWN_KEYS},
        "lines": {key: fields.line(key) for key in ("date", "slug", "tags") if key in meta},
    }
    post = Post(**values, card=card_of(values))
    warnings.extend(ContentError(w.message, source, w.line, kind=w.kind) for w in rendered.warnings)
    return ParsedPost(post, tuple(warnings))


def news_items(toc: tuple[Heading, ...]) -> tuple[Heading, ...]:
    """The headings a listing shows for a post: all of the shallowest level of ``##`` and
    ``###`` it has (a digest numbers its items at one level, sometimes under a ``##``)."""
    levels = [heading.level for heading in toc if heading.level in (2, 3)]
    if not levels:
        return ()
    top = min(levels)
    return tuple(heading for heading in toc if heading.level == top)


PAGE_DATE = datetime(1970, 1, 1)
"""What a page's ``date`` holds (made aware in the site zone): a page has no date, and
none of its outputs shows or sorts by this one."""
_SITE_PATH = re.compile(r"(/[^/?#\s\\]+)+/")
_PLAIN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBER_PREFIX = re.compile(r"^\d+[-_ ]+(?=\D)")


def title_from_name(relative: str, from_name: tuple[object, str] | None, is_page: bool) -> str:
    """The words of a file name when they make a title; "" when they do not.

    The words are what follows the date (``2024-02-19-山顶咖啡.md``) or a leading number
    (``239-山顶咖啡.md``), else the whole name. A post gets them as its title only when
    they are more than a plain slug of lowercase Latin letters and digits (``openai``,
    ``gpt-4o`` read as URL parts, not titles); a page always does (``about``).
    """
    stem = relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem == "index" and "/" in relative:
        stem = relative.rsplit("/", 2)[-2]
    words = from_name[1] if from_name is not None else _NUMBER_PREFIX.sub("", stem)
    if is_page or (words and not _PLAIN_SLUG.fullmatch(words)):
        return words
    return ""


def page_url(relative: str, slug: str, url: str) -> str:
    """Where a page lives: its ``url`` front matter, else its path under content/ with
    ``.md`` (and a last ``index``) dropped and each part made a slug; ``slug`` replaces
    the last part (``content/pages/sources.md`` → ``/pages/sources/``)."""
    if url:
        return url
    parts = relative.rsplit(".", 1)[0].split("/")
    if parts[-1] == "index" and len(parts) > 1:
        parts.pop()
    if slug:
        parts[-1] = slug
    return "/" + "".join(f"{slugify(part) or part}/" for part in parts)


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
        line, problem, hint = _yaml_problem(error, front)
        problem_at = front_line + line
        raise ContentError(f"invalid front matter: {problem}", source, problem_at, hint) from None
    except yaml.YAMLError as error:
        raise ContentError(f"invalid front matter: {error}", source, front_line) from None
    except tomllib.TOMLDecodeError as error:
        at, message, hint = toml_problem(error, front)
        line = front_line + at - 1 if at else front_line
        if not message.startswith("invalid date"):
            message = f"invalid front matter: {message}"
        raise ContentError(message, source, line, hint) from None
    except RecursionError:
        deep = _line_where(front, re.compile(rf"(\[\s*){{{_MAX_DEPTH}}}"))
        problem = f"invalid front matter: lists nested more than {_MAX_DEPTH} deep"
        raise ContentError(problem, source, front_line + deep) from None
    except ValueError as error:
        if "integer string conversion" not in str(error):
            raise ContentError(f"invalid front matter: {error}", source, front_line) from None
        # tomllib reads whole numbers with int(), which refuses long ones
        long = _line_where(front, re.compile(rf"[\w+-]{{{sys.get_int_max_str_digits()}}}"))
        problem = f"invalid front matter: {LONG_NUMBER}"
        raise ContentError(problem, source, front_line + long) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be 'key: value' lines", source, 2)
    return meta, front, body, body_line


def _yaml_problem(error: yaml.MarkedYAMLError, front: str) -> tuple[int, str, str | None]:
    """The front-matter line (from 0), message and a hint for a writer, from a YAML error.

    The hints: a tab in the indentation is named as such, and a value that YAML reads
    as syntax (a second ``: ``, a leading ``@``) is shown quoted.
    """
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark
    if problem == "second occurrence" and error.context and mark:  # a duplicate anchor
        return mark.line, error.context.split(";")[0], "give each '&anchor' its own name"
    lines = front.split("\n")
    if mark is not None and mark.line < len(lines):
        written = lines[mark.line]
        indent = written[: len(written) - len(written.lstrip())]
        if "\t" in indent:
            return mark.line, "tabs are not allowed in YAML indentation", "indent with spaces"
        pair = re.match(r" *([^\s#:-][^:]*):[ \t]+(\S.*?)\s*$", written)
        if pair and problem in _QUOTABLE and mark.column >= pair.start(2):
            quoted = json.dumps(pair.group(2), ensure_ascii=False)
            return mark.line, problem, f"quote the value: {pair.group(1)}: {quoted}"
    # An unclosed list or quote is reported at the end of the front matter; the
    # context mark points at where it was opened, which is what the writer must fix.
    where = error.context_mark or mark
    return (where.line if where else 0), problem, None


def _line_where(front: str, pattern: re.Pattern[str]) -> int:
    """Front-matter line (from 0) where ``pattern`` first matches; 0 if nowhere."""
    found = pattern.search(front)
    return front.count("\n", 0, found.start()) if found else 0


def _oversized(value: object) -> str | None:
    """Why a front-matter value cannot be kept: a number too long for Python to print,
    or lists and tables nested more than ``_MAX_DEPTH`` deep (aliases included)."""
    heights: dict[int, int] = {}
    stack: list[tuple[object, bool]] = [(value, False)]
    while stack:
        item, finished = stack.pop()
        if isinstance(item, int) and _TOO_LONG and abs(item) >= _TOO_LONG:
            return LONG_NUMBER
        if not isinstance(item, list | tuple | set | frozenset | dict):
            continue
        children = [*item, *item.values()] if isinstance(item, dict) else item
        if finished:
            below = (heights.get(id(child), 0) for child in children)
            heights[id(item)] = 1 + max(below, default=0)
            if heights[id(item)] > _MAX_DEPTH:
                return f"lists or tables nested more than {_MAX_DEPTH} deep"
        elif id(item) not in heights:
            heights[id(item)] = 0  # a value that contains itself adds no depth
            stack.append((item, True))
            stack.extend((child, False) for child in children)
    return None


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

    def _problem(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(ContentError(message, self.source, self.line(key), hint))

    def oversized(self) -> list[DigestError]:
        """Values no later step could print or hash (see ``_oversized``), located."""
        found: list[DigestError] = []
        for key, value in self.meta.items():
            if isinstance(key, str) and isinstance(value, str | float | date | None):
                continue  # the common case, quickly: nothing in it can be too big
            why = _oversized(key) or _oversized(value)
            if why:
                line = self.line(key) if isinstance(key, str) else self._first_line
                found.append(ContentError(f"invalid front matter: {why}", self.source, line))
        return found

    def unknown_keys(self) -> list[DigestError]:
        """Warnings for keys digest does not know that look like a misspelt known one
        (``tag``, ``titel``); others are the writer's own, kept quietly in ``extra``."""
        warnings: list[DigestError] = []
        for key in self.meta:
            if isinstance(key, str) and key not in KNOWN_KEYS:
                hint = _close_key(key)
                if hint:
                    warnings.append(
                        ContentError(
                            f"unknown key '{key}'",
                            self.source,
                            self.line(key),
                            hint,
                            kind="unknown-key",
                        )
                    )
        return warnings

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

    def number(self, key: str) -> int:
        value = self.meta.get(key, 0)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**9:
            return value
        self._problem(key, f"'{key}' must be a whole number, not {shown(value)}")
        return 0

    def site_path(self, key: str) -> str:
        """A URL path on the site (``/subscribe/``), with the slashes it needs added."""
        value = self.text(key)
        if not value:
            return ""
        path = "/" + value.strip("/") + "/" if value.strip("/") else "/"
        if path == "/" or not _SITE_PATH.fullmatch(path):
            self._problem(
                key, f"'{key}' must be a path on the site such as /about/, not {shown(value)}"
            )
            return ""
        return path

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
            items: list[Any] = split_tags(value)
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
            why = date_problem(value) if isinstance(value, str) else None
            if why:
                self._problem(key, f"invalid date '{value.strip()}'", why)
            else:
                self._problem(
                    key,
                    f"cannot read {key} {shown(value)}: write it as 2024-02-19, 2024/02/19 "
                    "or 2024-02-19 08:30",
                )
            return None
        written = value.isoformat() if isinstance(value, date) else str(value).strip()
        return (
            parsed if self.check_range(parsed, f"invalid date '{written}'", config, key) else None
        )

    def date_from_name(
        self, relative: str, found: tuple[_Day, str] | None, config: Config
    ) -> datetime | None:
        """The start of the day in the post's path (content-relative), found there by
        ``date_from_source``; a problem when it is no real day (a path without any date
        is a page, not a post: see ``parse_post``)."""
        if found is not None:
            moment = datetime.combine(found[0], datetime.min.time(), tzinfo=config.zone)
            what = f"the date in the file name, {found[0]}, cannot be used"
            return moment if self.check_range(moment, what, config) else None
        wrong = source_date_problem(relative)
        assert wrong is not None
        what = f"the date in the file name, {wrong[0]}, is not a real day"
        self.problems.append(ContentError(what, self.source, hint=wrong[1]))
        return None

    def check_range(
        self, moment: datetime, what: str, config: Config, key: str | None = None
    ) -> bool:
        """Whether ``moment`` can be moved to UTC and the site zone; a problem if not."""
        why = range_problem(moment, config.zone, config.timezone)
        if why:
            line = self.line(key) if key else None
            self.problems.append(ContentError(what, self.source, line, why))
        return why is None


_Day = date
"""``datetime.date``, for annotations inside ``_Fields``, whose method ``date`` hides it."""


@lru_cache(maxsize=1024)
def _close_key(key: str) -> str | None:
    """``did you mean 'tags'?`` for a key alike enough to a known one to be called a typo:
    ``tag``, ``titel`` and ``data`` are; ``cover_alt`` and ``language`` are the writer's own.
    Remembered, as a site's posts use the same few keys of their own."""
    return did_you_mean(key, sorted(KNOWN_KEYS), cutoff=0.75)
