"""What the last build knew, kept in ``.digest-cache/`` so the next one redoes only what changed.

Layer 5: imports model, content (ParsedPost) and errors. Two kinds of memory:

- parsed posts, keyed by the file's bytes (and its path), valid while the code, its
  libraries and the configuration are the same;
- per output file, the fingerprint of everything it was made from and the size and
  modification time it was written with, so an unchanged page is neither rendered nor
  written, and a page changed by hand in the output folder is made again.

A cache that cannot be read, or was written by other code, is dropped with a warning:
it is never trusted and never fatal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from digest.content import ParsedPost
from digest.model import Post, Report, field_names

CACHE_DIR = ".digest-cache"
FORMAT = 1
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "Jinja2", "Pygments", "PyYAML")


Stat = tuple[int, int]
"""A file's size and modification time in nanoseconds."""


@dataclass(slots=True, kw_only=True)
class Cache:
    """The memory of one site and output folder; ``key`` says which code and config made it."""

    key: str
    posts: dict[str, tuple[str, ParsedPost]] = field(default_factory=dict)
    """source → (hash of the file's bytes, what it parsed to)."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """output path → fingerprint of what it was rendered from."""
    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    """output path → element ids of the page (targets of #fragments)."""
    files: dict[str, Stat] = field(default_factory=dict)
    """output path → the file as written (pages and copies)."""
    sources: dict[str, Stat] = field(default_factory=dict)
    """output path of a copied file → its source as it was copied."""
    saved_ns: int = 0
    """When the cache was saved: a file changed in the same instant cannot be told apart by
    its modification time (file systems keep it coarser than nanoseconds), so stats that
    close to the save are not trusted."""


@cache
def code_fingerprint() -> str:
    """Our own code (every module's bytes) and the versions of the libraries that shape output."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?;".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def cache_key(config_repr: str, output: Path) -> str:
    return fingerprint_text(code_fingerprint(), config_repr, str(output), str(FORMAT))


def fingerprint_text(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


RACY_NS = 2_000_000_000


def trusted(recorded: Stat | None, current: Stat, cache_state: Cache | None, *, racy: bool) -> bool:
    """Whether a file whose stat is ``current`` is the one recorded as ``recorded``.

    With ``racy``, a file modified within a moment of the save is not trusted (an edit in
    the same clock tick keeps size and mtime). Used for the user's files; the output
    files are ours, and a hand edit there is caught by size or time.
    """
    if recorded is None or recorded != current:
        return False
    if not racy:
        return True
    return cache_state is not None and recorded[1] < cache_state.saved_ns - RACY_NS


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _cache_file(root: Path, output: Path) -> Path:
    name = hashlib.blake2b(str(output).encode(), digest_size=6).hexdigest()
    return root / CACHE_DIR / f"build-{name}.pickle"


def load_cache(root: Path, output: Path, key: str) -> tuple[Cache, str | None]:
    """The cache for this site and output, or an empty one (and why, when it was unusable)."""
    path = _cache_file(root, output)
    if not path.is_file():
        return Cache(key=key), None
    try:
        with path.open("rb") as stream:
            loaded = pickle.load(stream)
    except Exception as error:  # noqa: BLE001 - any unreadable cache is discarded
        reason = type(error).__name__
        return Cache(key=key), f"discarded an unreadable cache ({reason})"
    if not isinstance(loaded, Cache):
        return Cache(key=key), "discarded a cache in an unknown format"
    if loaded.key != key:
        # Other code, libraries or configuration: parsed posts and pages may differ.
        return Cache(key=key, files=loaded.files, sources=loaded.sources), None
    return loaded, None


def save_cache(root: Path, output: Path, cache_state: Cache) -> None:
    path = _cache_file(root, output)
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    cache_state.saved_ns = time.time_ns()
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as stream:
        pickle.dump(cache_state, stream, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)


class ContextHasher:
    """Fingerprints of template contexts, remembering shared parts for one build.

    A post counts by its own fingerprint (the hash of its file), never by its fields.
    Objects shared by many contexts (the nav, an archive, a tag's posts) are hashed once:
    the build keeps them alive, so their ids are stable while this hasher lives.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}

    def fingerprint(self, context: Mapping[str, Any]) -> str:
        return self._token(context)

    def _token(self, value: object) -> str:
        if isinstance(value, Post):
            return f"P{value.fingerprint}"
        if value is None or isinstance(value, str | int | float | date):
            return f"{type(value).__name__}:{value!r}"
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        digest = hashlib.blake2b(digest_size=16)
        if isinstance(value, Mapping):
            digest.update(b"{")
            for key in sorted(value, key=str):
                digest.update(f"{self._token(key)}={self._token(value[key])}\0".encode())
        elif isinstance(value, tuple | list):
            digest.update(b"[")
            for item in value:
                digest.update(f"{self._token(item)}\0".encode())
        elif isinstance(value, frozenset | set):
            digest.update(b"(")
            for token in sorted(self._token(item) for item in value):
                digest.update(f"{token}\0".encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            digest.update(f"<{type(value).__qualname__}".encode())
            for name in field_names(type(value)):
                digest.update(f"{self._token(getattr(value, name))}\0".encode())
        else:
            digest.update(f"{type(value).__qualname__}:{value!r}".encode())
        token = f"#{digest.hexdigest()}"
        self._memo[id(value)] = (value, token)
        return token


@dataclass(frozen=True, slots=True)
class Summary:
    """What the last full build read (as one hash), reported and left on disk.

    When the inputs hash is the same and every file is as written, a build has nothing
    to do: it is answered from here without reading the (much larger) cache.
    """

    inputs: str
    report: Report
    files: dict[str, Stat]


def _summary_file(root: Path, output: Path) -> Path:
    return _cache_file(root, output).with_name(_cache_file(root, output).stem + "-summary.pickle")


def load_summary(root: Path, output: Path) -> Summary | None:
    try:
        with _summary_file(root, output).open("rb") as stream:
            loaded = pickle.load(stream)
    except Exception:  # noqa: BLE001 - a missing or unreadable summary means: build
        return None
    return loaded if isinstance(loaded, Summary) else None


def save_summary(root: Path, output: Path, summary: Summary) -> None:
    path = _summary_file(root, output)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as stream:
        pickle.dump(summary, stream, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
