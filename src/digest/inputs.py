"""What a build is asked to do, and a survey of what it reads: config, post files, copies.

The survey only looks at post files (their Stat); reading them is left to whoever needs
the bytes, so a build where one post changed reads one file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.config import Config, read_config, require_site
from digest.content import ParsedPost, scan
from digest.errors import DigestError, sort_problems
from digest.fingerprints import RACY_NS, Stat, file_hash, fingerprint_text, stat_tuple, trusted
from digest.folders import CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR
from digest.state import cache_key
from digest.theme import theme_root
from digest.walk import Found, walk
from digest.writer import check_output_folder


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """What one build is asked to do; the command line fills it in."""

    root: Path
    output: Path | None = None
    """Overrides the config's ``output``; relative paths are relative to ``root``."""
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    """Decides which posts are in the future; default: SOURCE_DATE_EPOCH, else the clock."""
    jobs: int | None = None
    """Worker processes for Markdown and pages; default: every core this process may use."""
    progress: Callable[[str, int, int], None] | None = None
    """Told (stage, done, total) while posts are parsed and pages rendered."""
    strict: bool = False
    """Treat warnings (broken links, missing alt text, …) as errors; also config ``strict``."""
    clean: bool = False
    """Ignore what ``.digest-cache/`` remembers: parse and render everything again."""
    search_later: bool = False
    """Leave the search index to the caller (``digest serve`` makes it in the background
    after the new pages are up); the report's ``search`` says what to index."""


Memory = dict[str, tuple[str, ParsedPost]]
"""Parsed posts kept in memory: source → (hash of the file's bytes, what it parsed to)."""


@dataclass(slots=True)
class Session:
    """Builds that follow each other in one process (``digest serve``): the parsed posts
    of the last build stay in memory instead of being read from the cache again."""

    parsed: Memory = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostStat:
    """A post file as surveyed: where it is and its size and time (None if unreadable)."""

    source: str
    path: str
    stat: Stat | None


@dataclass(frozen=True, slots=True)
class PostFile:
    """A post file as read: its bytes and their hash, or why it could not be read."""

    source: str
    data: bytes
    hash: str
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """Everything a build looks at, looked at once."""

    config: Config
    output: Path
    key: str
    """Which cache fits: code, libraries, configuration and output folder."""
    posts: tuple[PostStat, ...]
    copies: dict[str, Path]
    warnings: tuple[DigestError, ...]
    """About the inputs: symlinks not followed because they lead out of the site (see
    ``walk``), and the configuration (a locale name read as a language tag)."""
    frame: str | None
    """One hash of all but the posts' bytes: options, the list of posts, templates and
    copied files; None when a copied file changed too recently for its time to be trusted."""


def read_inputs(options: BuildOptions) -> Inputs:
    root = options.root
    overrides: dict[str, Any] = {}
    if options.base_url is not None:
        overrides["base_url"] = options.base_url
    if options.strict:
        overrides["strict"] = True
    require_site(root)
    checked = read_config(root, overrides)
    config = checked.config
    output = check_output_folder(root, options.output or root / config.output)
    scanned = scan(root)
    posts = tuple(_survey(found) for found in scanned.posts)
    copies, skipped = _copies(root, scanned.files, output)
    warnings = tuple(sort_problems([*checked.warnings, *scanned.skipped, *skipped]))
    return Inputs(
        config=config,
        output=output,
        key=cache_key(repr(config), root, output),
        posts=posts,
        copies=copies,
        warnings=warnings,
        frame=_frame(options, posts, copies, warnings),
    )


def _survey(found: Found) -> PostStat:
    source = f"{CONTENT_DIR}/{found.relative}"
    try:
        status = os.stat(found.path)  # noqa: PTH116 - thousands a build: no Path objects
    except OSError:
        return PostStat(source, found.path, None)
    return PostStat(source, found.path, stat_tuple(status))


def read_post(post: PostStat) -> PostFile:
    try:
        with open(post.path, "rb") as stream:  # noqa: PTH123 - a plain string path
            data = stream.read()
    except OSError as error:
        return PostFile(post.source, b"", "", error.strerror or str(error))
    return PostFile(post.source, data, file_hash(data))


def stat_of(path: Path) -> Stat:
    return stat_tuple(path.stat())


def unchanged_file(
    path: str | Path, recorded: Stat | None, saved_ns: int = 0, *, racy: bool = False
) -> bool:
    """Whether the file at ``path`` still is the one recorded (see ``state.trusted``).

    Takes a string path: builds ask this of every output file, and making thousands of
    ``Path`` objects for it cost more than the system calls.
    """
    try:
        status = os.stat(path)  # noqa: PTH116 - see above
    except OSError:
        return False
    return trusted(recorded, stat_tuple(status), saved_ns, racy=racy)


def _frame(
    options: BuildOptions,
    posts: tuple[PostStat, ...],
    copies: dict[str, Path],
    warnings: tuple[DigestError, ...],
) -> str | None:
    parts = [repr((options.drafts, options.future))]
    # A link that appeared or went away changes what the build must say, not only copies.
    parts.extend(str(warning) for warning in warnings)
    parts.extend(post.source for post in posts)
    # Paths relative to where they are found: a site moved elsewhere keeps its frame.
    for kind, folder in (("site", options.root), ("theme", theme_root())):
        templates = folder / TEMPLATES_DIR
        for path in sorted(templates.rglob("*")) if templates.is_dir() else ():
            if path.is_file():
                name = path.relative_to(templates).as_posix()
                parts.append(f"{kind}:{name}={file_hash(path.read_bytes())}")
    recent = time.time_ns() - RACY_NS
    for relative, source in sorted(copies.items()):
        try:
            size, mtime, ctime, inode = stat_of(source)
        except OSError:
            return None
        if max(mtime, ctime) > recent:
            return None
        place = source.relative_to(options.root) if source.is_relative_to(options.root) else source
        parts.append(f"{relative}={place}:{size}:{mtime}:{ctime}:{inode}")
    return fingerprint_text(*parts)


def _copies(
    root: Path, assets: list[Found], output: Path
) -> tuple[dict[str, Path], list[DigestError]]:
    """Theme static files, then the site's (which win), then files beside posts; and the
    symlinks not followed because they lead out of the theme or the site."""
    copies: dict[str, Path] = {}
    skipped: list[DigestError] = []
    theme = theme_root()
    # This repository is a site whose static/ is the theme's: walk it once, as the site's.
    for boundary in [root] if theme.resolve() == root.resolve() else [theme, root]:
        label = STATIC_DIR if boundary == root else str(boundary / STATIC_DIR)
        found, refused = walk(boundary / STATIC_DIR, boundary, label, _hidden)
        copies.update((item.relative, Path(item.path)) for item in found)
        skipped.extend(refused)
    for item in assets:
        path = Path(item.path)
        if not path.resolve().is_relative_to(output):
            copies[item.relative] = path
    return copies, skipped


def _hidden(name: str) -> bool:
    return name.startswith(".")


def current_time() -> datetime:
    """Now, for future posts and ``digest new``: SOURCE_DATE_EPOCH when set, else the clock.

    Pinning it makes builds reproducible; ``new`` follows the same clock, so the post it
    makes for "today" is never a future post to a build in the same environment.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)
