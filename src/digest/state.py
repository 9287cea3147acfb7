"""What the last build knew, kept in ``.digest-cache/`` so the next one redoes only what changed.

Layer 5: imports model, content (ParsedPost) and errors. One SQLite file (the standard
library's sqlite3) per site and output folder. Rows are read and written one by one, so
a build that changed one post touches a few rows, not the memory of the whole site:

- ``posts``: per post file, its size and modification time, the hash of its bytes, its
  card (see ``Post.card``) and what it parsed to;
- ``outputs``: per output file, the fingerprint of everything it was made from, its size
  and modification time as written, its element ids (targets of #fragments) and, for
  pages that show whole posts, the recipe to render it again (its Output, with posts
  stored by source) and the posts it shows (table ``shows``);
- ``copies``: per copied file, its source's and its own size and modification time;
- ``warnings`` of the last build and ``meta`` (frame, report, when it was saved).

Everything is valid only for one ``key`` (code, libraries, configuration, output folder).
A cache that cannot be read, or was made for another key, is started afresh: it is
never trusted and never fatal.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import io
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from digest.content import ParsedPost
from digest.errors import DigestError
from digest.model import Output, Post, Report, field_names

CACHE_DIR = ".digest-cache"
FORMAT = 3
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "Jinja2", "Pygments", "PyYAML")
RACY_NS = 2_000_000_000
"""File systems keep modification times coarser than nanoseconds: a file changed within
this long of the cache being saved cannot be told apart by its time, so it is read."""

Stat = tuple[int, int]
"""A file's size and modification time in nanoseconds."""

# Big values live in tables of their own: scanning the small rows of every post and
# output (each build does) then reads a few pages instead of the whole file.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS posts (
    source TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, hash TEXT, card TEXT, url TEXT);
CREATE TABLE IF NOT EXISTS parsed (source TEXT PRIMARY KEY, post BLOB);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY, fingerprint TEXT, size INTEGER, mtime INTEGER, ids BLOB);
CREATE TABLE IF NOT EXISTS recipes (path TEXT PRIMARY KEY, output BLOB);
CREATE TABLE IF NOT EXISTS shows (source TEXT, path TEXT);
CREATE INDEX IF NOT EXISTS shows_source ON shows (source);
CREATE INDEX IF NOT EXISTS shows_path ON shows (path);
CREATE TABLE IF NOT EXISTS copies (
    path TEXT PRIMARY KEY, source_size INTEGER, source_mtime INTEGER, size INTEGER,
    mtime INTEGER);
CREATE TABLE IF NOT EXISTS warnings (position INTEGER PRIMARY KEY, error BLOB);
"""


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


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class PostRow:
    stat: Stat
    hash: str
    card: str
    url: str


@dataclass(frozen=True, slots=True)
class OutputRow:
    fingerprint: str
    stat: Stat


@dataclass(frozen=True, slots=True)
class CopyRow:
    source: Stat
    written: Stat


@dataclass(slots=True)
class Changes:
    """What a build tells the store once its files are on disk."""

    posts: dict[str, tuple[Stat, str, ParsedPost | None]] = dataclasses.field(default_factory=dict)
    """source → (stat, hash, parsed post, or None when only the stat changed)."""
    blobs: dict[str, bytes] = dataclasses.field(default_factory=dict)
    """source → its parsed post already pickled (by a worker process), to store as is."""
    removed_posts: set[str] = dataclasses.field(default_factory=set)
    outputs: dict[str, tuple[str, Stat, frozenset[str] | None, Recipe | None]] = dataclasses.field(
        default_factory=dict
    )
    """path → (fingerprint, stat, ids, the recipe when its page shows whole posts)."""
    removed_outputs: set[str] = dataclasses.field(default_factory=set)
    copies: dict[str, CopyRow] | None = None
    """Every copy, when they changed; None keeps the stored ones."""
    warnings: list[DigestError] | None = None
    frame: str | None = None
    """None when the build could not trust its inputs' times: the next one starts over."""
    report: Report | None = None
    urls: dict[str, str] | None = None
    """The url of every published post by source, when the set of posts changed."""


class Store:
    """The cache of one site and output folder."""

    def __init__(self, root: Path, output: Path, key: str, *, fresh: bool = False) -> None:
        """Open (or create) the cache; ``fresh`` forgets everything in it first."""
        self.path = _cache_file(root, output)
        self.key = key
        self.note: str | None = None
        """Why the cache was started afresh, when a user should know."""
        self._db = self._open(fresh)

    @classmethod
    def reader(cls, root: Path, output: Path, key: str) -> Store | None:
        """The cache opened read-only (``digest check``), if there is one for ``key``.

        Opened as immutable, so reading it leaves no lock or journal files behind; what a
        crashed build left unfinished in the journal is not seen, which only means more
        work for the reader, never a different result.
        """
        store = cls.__new__(cls)
        store.path, store.key, store.note = _cache_file(root, output), key, None
        try:
            address = f"{store.path.resolve().as_uri()}?mode=ro&immutable=1"
            store._db = sqlite3.connect(address, uri=True)
            found = store._db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
        except sqlite3.Error:
            return None
        if found is None or found[0] != key:
            store.close()
            return None
        return store

    def _open(self, fresh: bool) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            db = _connect(str(self.path))
            found = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
            made_by = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            if not fresh and made_by is not None and made_by[0] != code_fingerprint():
                self.note = "discarded a cache made by another version of digest or its libraries"
        except sqlite3.DatabaseError as error:
            self.note = f"discarded an unreadable cache ({type(error).__name__})"
            db, found = self._start_again(), None
        except OSError as error:
            # A cache that cannot be written must not stop the build: build without one.
            self.note = (
                f"cannot keep a cache there ({error.strerror or error}); building without one"
            )
            db, found = _connect(":memory:"), None
        if fresh or found is None or found[0] != self.key:
            # Other code, libraries or configuration: nothing in it can be trusted, and
            # another version may have laid the tables out differently.
            with db:
                tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                for (table,) in tables.fetchall():
                    db.execute(f'DROP TABLE "{table}"')
            db.executescript(_SCHEMA)
            with db:
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("key", self.key), ("code", code_fingerprint())],
                )
        return db

    def _start_again(self) -> sqlite3.Connection:
        try:
            _remove_database(self.path)
            return _connect(str(self.path))
        except (OSError, sqlite3.Error):
            return _connect(":memory:")

    def close(self) -> None:
        self._db.close()

    def meta(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else pickle.loads(row[0])

    @property
    def saved_ns(self) -> int:
        saved = self.meta("saved_ns")
        return saved if isinstance(saved, int) else 0

    def post_rows(self, sources: Iterable[str] | None = None) -> dict[str, PostRow]:
        """What the cache knows of these posts, or of all."""
        query = "SELECT source, size, mtime, hash, card, url FROM posts"
        if sources is None:
            rows = self._db.execute(query).fetchall()
        else:
            rows = self._select(f"{query} WHERE source IN", sources)
        return {row[0]: PostRow((row[1], row[2]), row[3], row[4], row[5]) for row in rows}

    def post_stats(self) -> dict[str, Stat]:
        """Every post's size and modification time when it was last read."""
        rows = self._db.execute("SELECT source, size, mtime FROM posts")
        return {source: (size, mtime) for source, size, mtime in rows}

    def parsed_posts(self, sources: Iterable[str] | None = None) -> dict[str, ParsedPost]:
        """Parsed posts by source: the given ones, or all."""
        if sources is None:
            rows = self._db.execute("SELECT source, post FROM parsed").fetchall()
        else:
            rows = self._select("SELECT source, post FROM parsed WHERE source IN", sources)
        return {source: pickle.loads(blob) for source, blob in rows}

    def output_rows(self) -> dict[str, OutputRow]:
        rows = self._db.execute("SELECT path, fingerprint, size, mtime FROM outputs")
        return {row[0]: OutputRow(row[1], (row[2], row[3])) for row in rows}

    def output_stats(self) -> dict[str, Stat]:
        """Every output path with its size and modification time as written."""
        rows = self._db.execute("SELECT path, size, mtime FROM outputs")
        return {path: (size, mtime) for path, size, mtime in rows}

    def fingerprints(self, paths: Iterable[str]) -> dict[str, str]:
        rows = self._select("SELECT path, fingerprint FROM outputs WHERE path IN", paths)
        return dict(rows)

    def ids(self, paths: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        if paths is None:
            rows = self._db.execute(
                "SELECT path, ids FROM outputs WHERE ids IS NOT NULL"
            ).fetchall()
        else:
            rows = self._select(
                "SELECT path, ids FROM outputs WHERE ids IS NOT NULL AND path IN", paths
            )
        return {path: pickle.loads(blob) for path, blob in rows}

    def copy_rows(self) -> dict[str, CopyRow]:
        rows = self._db.execute("SELECT path, source_size, source_mtime, size, mtime FROM copies")
        return {row[0]: CopyRow((row[1], row[2]), (row[3], row[4])) for row in rows}

    def pages_showing(self, sources: Iterable[str]) -> set[str]:
        """Output paths of the pages that show any of these posts whole."""
        return {row[0] for row in self._select("SELECT path FROM shows WHERE source IN", sources)}

    def shown_by(self, paths: Iterable[str]) -> set[str]:
        """Sources of the posts these pages show whole."""
        return {row[0] for row in self._select("SELECT source FROM shows WHERE path IN", paths)}

    def recipes(self, paths: Iterable[str], post: Callable[[str], Post]) -> dict[str, Output]:
        """The stored Outputs of these paths, their posts taken from ``post(source)``."""
        rows = self._select("SELECT path, output FROM recipes WHERE path IN", paths)
        return {path: _Recipes(blob, post).load() for path, blob in rows}

    def warnings(self) -> list[DigestError]:
        rows = self._db.execute("SELECT error FROM warnings ORDER BY position")
        return [pickle.loads(row[0]) for row in rows]

    def save(self, changes: Changes) -> None:
        """Record a finished build in one transaction: all of it, or (on a crash) none."""
        db = self._db
        with db:
            parsed = {
                source: (stat, digest, item)
                for source, (stat, digest, item) in changes.posts.items()
                if item is not None
            }
            db.executemany(
                "INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (source, *stat, digest, item.post.card, item.post.url)
                    for source, (stat, digest, item) in parsed.items()
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?)",
                (
                    (source, changes.blobs.get(source) or _dump(item))
                    for source, (_, _, item) in parsed.items()
                ),
            )
            db.executemany(
                "UPDATE posts SET size = ?, mtime = ?, hash = ? WHERE source = ?",
                (
                    (*stat, digest, source)
                    for source, (stat, digest, item) in changes.posts.items()
                    if item is None
                ),
            )
            for table in ("posts", "parsed"):
                db.executemany(
                    f"DELETE FROM {table} WHERE source = ?", _rows(changes.removed_posts)
                )
            gone = changes.removed_outputs | set(changes.outputs)
            for table in ("shows", "recipes"):
                db.executemany(f"DELETE FROM {table} WHERE path = ?", _rows(gone))
            db.executemany("DELETE FROM outputs WHERE path = ?", _rows(changes.removed_outputs))
            db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
                (
                    (path, fingerprint, *stat, None if ids is None else _dump(ids))
                    for path, (fingerprint, stat, ids, _) in changes.outputs.items()
                ),
            )
            recipes = {
                path: recipe
                for path, (_, _, _, recipe) in changes.outputs.items()
                if recipe is not None
            }
            db.executemany(
                "INSERT INTO recipes VALUES (?, ?)",
                ((path, recipe.blob) for path, recipe in recipes.items()),
            )
            shows = [(source, path) for path, recipe in recipes.items() for source in recipe.shows]
            db.executemany("INSERT INTO shows VALUES (?, ?)", shows)
            if changes.copies is not None:
                db.execute("DELETE FROM copies")
                db.executemany(
                    "INSERT INTO copies VALUES (?, ?, ?, ?, ?)",
                    ((path, *row.source, *row.written) for path, row in changes.copies.items()),
                )
            if changes.warnings is not None:
                db.execute("DELETE FROM warnings")
                db.executemany(
                    "INSERT INTO warnings VALUES (?, ?)",
                    enumerate(_dump(warning) for warning in changes.warnings),
                )
            meta = {
                "saved_ns": time.time_ns(),
                "frame": changes.frame,
                "report": changes.report,
                "urls": changes.urls,
            }
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (
                    (name, _dump(value))
                    for name, value in meta.items()
                    if value is not None or name == "frame"
                ),
            )

    def _select(self, query: str, keys: Iterable[str]) -> list[tuple[Any, ...]]:
        """``query (?, ?, …)`` over ``keys``, in batches SQLite accepts."""
        keys = list(keys)
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ", ".join("?" * len(batch))
            found.extend(self._db.execute(f"{query} ({marks})", batch).fetchall())
        return found


def _cache_file(root: Path, output: Path) -> Path:
    name = hashlib.blake2b(str(output).encode(), digest_size=6).hexdigest()
    return root / CACHE_DIR / f"build-{name}.sqlite"


def _connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    # The cache can always be made again: write-ahead logging keeps it consistent across
    # a crash, and skipping fsync keeps saving it cheap.
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.executescript(_SCHEMA)
    db.isolation_level = "DEFERRED"
    return db


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _rows(keys: Iterable[str]) -> Iterable[tuple[str]]:
    return ((key,) for key in keys)


def _dump(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _post_by_source(source: str) -> Post:
    """Stands in, inside stored recipes, for the posts they show (see ``_Recipes``)."""
    raise LookupError(f"a recipe's post {source} read without its store")


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to render a page again: its Output pickled with each post as a call
    ``_post_by_source(source)`` (the post itself is stored once, in its own row), and the
    sources of the posts it shows."""

    blob: bytes
    shows: tuple[str, ...]


def recipe_of(output: Output) -> Recipe:
    shown: set[str] = set()

    def by_source(post: Post) -> tuple[Callable[[str], Post], tuple[str]]:
        shown.add(post.source)
        return _post_by_source, (post.source,)

    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Post: by_source}
    pickler.dump(output)
    return Recipe(stream.getvalue(), tuple(sorted(shown)))


class _Recipes(pickle.Unpickler):
    """Loads a recipe, giving it the posts of ``post(source)`` where it shows posts."""

    def __init__(self, blob: bytes, post: Callable[[str], Post]) -> None:
        super().__init__(io.BytesIO(blob))
        self._post = post

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, _post_by_source.__name__):
            return self._post
        return super().find_class(module, name)

    def load(self) -> Output:
        loaded = super().load()
        assert isinstance(loaded, Output)
        return loaded


def trusted(recorded: Stat | None, current: Stat, saved_ns: int, *, racy: bool) -> bool:
    """Whether a file whose stat is ``current`` is the one recorded as ``recorded``.

    With ``racy``, a file modified within a moment of the save is not trusted (an edit in
    the same clock tick keeps size and mtime). Used for the user's files; the output
    files are ours, and a hand edit there is caught by size or time.
    """
    if recorded is None or recorded != current:
        return False
    return not racy or recorded[1] < saved_ns - RACY_NS


class ContextHasher:
    """Fingerprints of template contexts, remembering shared parts for one build.

    A post counts by its own fingerprint (the hash of its file) in a template that reads
    post bodies (``whole``), else by its card. Objects shared by many contexts (the nav,
    an archive, a tag's posts) are hashed once: the build keeps them alive, so their ids
    are stable while this hasher lives.
    """

    def __init__(self, *, whole: bool) -> None:
        self._whole = whole
        self._memo: dict[int, tuple[object, str]] = {}
        self._tokens = self._token

    def fingerprint(self, context: Mapping[str, Any]) -> str:
        return self._token(context)

    def _token(self, value: object) -> str:
        kind = type(value)
        if kind is str:
            return "s" + repr(value)
        if kind is Post:
            post = cast(Post, value)
            return f"P{post.fingerprint}" if self._whole else f"C{post.card}"
        if value is None or isinstance(value, str | int | float | date):
            return f"{kind.__name__}:{value!r}"
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        tokenize = self._tokens
        # Strings, the most common values by far, are tokenised inline: same token, no call.
        if isinstance(value, Mapping):
            if all(type(key) is str for key in value):
                text = "{" + "\0".join(
                    f"{key!r}={'s' + repr(item) if type(item) is str else tokenize(item)}"
                    for key, item in sorted(value.items())
                )
            else:
                keys = sorted(value, key=str)
                text = "{?" + "\0".join(f"{tokenize(k)}={tokenize(value[k])}" for k in keys)
        elif isinstance(value, tuple | list):
            text = "[" + "\0".join(map(tokenize, value))
        elif isinstance(value, frozenset | set):
            text = "(" + "\0".join(sorted(map(tokenize, value)))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [getattr(value, name) for name in field_names(kind)]
            text = f"<{kind.__qualname__}" + "\0".join(
                "s" + repr(item) if type(item) is str else tokenize(item) for item in fields
            )
        else:
            text = f"{kind.__qualname__}:{value!r}"
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        token = f"#{digest.hexdigest()}"
        self._memo[id(value)] = (value, token)
        return token
