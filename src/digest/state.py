"""What the last build knew, kept in ``.digest-cache/`` so the next one redoes only what changed.

One SQLite file (the standard library's sqlite3) per site and output folder. Rows are
read and written one by one, so a build that changed one post touches a few rows, not
the memory of the whole site:

- ``posts``: per post file, its Stat, the hash of its bytes, its card (see
  ``Post.card``) and what it parsed to;
- ``outputs``: per output file, the fingerprint of everything it was made from, its Stat
  as written, its element ids (targets of #fragments) and, for pages that show whole
  posts, the recipe to render it again (its Output, with posts stored by source) and the
  posts it shows (table ``shows``); the site's Nav, which every page shows, is stored
  once (table ``navs``) for all the recipes that hold it;
- ``copies``: per copied file, its source's and its own Stat;
- ``meta``: the last build's warnings, frame and report, and when it was saved.

Everything is valid only for one ``key`` (code, libraries, configuration, output folder
relative to the site). Every stored value carries a checksum. A cache made for another
key is started afresh; one that fails in any way (cannot be opened, read, unpickled or
written) is set aside with a warning and the build goes on without it: the cache is
never trusted and never fatal.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import io
import pickle
import shutil
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from digest.content import ParsedPost
from digest.errors import DigestError
from digest.fingerprints import Stat, checksum, code_fingerprint, fingerprint_text, short_name
from digest.folders import CACHE_DIR
from digest.model import Nav, Output, Post, Report

FORMAT = 6
# Big values live in tables of their own: scanning the small rows of every post and
# output (each build does) then reads a few pages instead of the whole file.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS posts (
    source TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, inode INTEGER,
    hash TEXT, card TEXT, url TEXT);
CREATE TABLE IF NOT EXISTS parsed (source TEXT PRIMARY KEY, post BLOB);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY, fingerprint TEXT, size INTEGER, mtime INTEGER, ctime INTEGER,
    inode INTEGER, ids BLOB, indexed TEXT);
CREATE TABLE IF NOT EXISTS recipes (path TEXT PRIMARY KEY, output BLOB, nav TEXT);
CREATE TABLE IF NOT EXISTS navs (token TEXT PRIMARY KEY, nav BLOB);
CREATE TABLE IF NOT EXISTS shows (source TEXT, path TEXT);
CREATE INDEX IF NOT EXISTS shows_source ON shows (source);
CREATE INDEX IF NOT EXISTS shows_path ON shows (path);
CREATE TABLE IF NOT EXISTS copies (
    path TEXT PRIMARY KEY, source_size INTEGER, source_mtime INTEGER, source_ctime INTEGER,
    source_inode INTEGER, size INTEGER, mtime INTEGER, ctime INTEGER, inode INTEGER);
"""


def cache_key(config_repr: str, root: Path, output: Path) -> str:
    return fingerprint_text(code_fingerprint(), config_repr, _place(root, output), str(FORMAT))


class CacheBroken(Exception):
    """The cache failed while being read: the build sets it aside and starts over."""


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
    indexed: str | None = None
    """The hash of what the search index read of the page (``shards.indexed_part``)."""


@dataclass(frozen=True, slots=True)
class CopyRow:
    source: Stat
    written: Stat


@dataclass(frozen=True, slots=True)
class PostChange:
    """What the cache records of a post file read by a build."""

    stat: Stat
    hash: str
    parsed: ParsedPost | None
    """None when only its Stat changed: same bytes, so what it parsed to stands."""


@dataclass(frozen=True, slots=True)
class OutputChange:
    """What the cache records of an output file written (or found right) by a build."""

    fingerprint: str
    stat: Stat
    ids: frozenset[str] | None
    recipe: Recipe | None
    """How to render it again, for a page that shows whole posts."""
    indexed: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What a build tells the store once its files are on disk."""

    posts: Mapping[str, PostChange] = dataclasses.field(default_factory=dict)
    removed_posts: Collection[str] = frozenset()
    outputs: Mapping[str, OutputChange] = dataclasses.field(default_factory=dict)
    removed_outputs: Collection[str] = frozenset()
    copies: Mapping[str, CopyRow] | None = None
    """Every copy, when they were looked at; None keeps the stored ones."""
    warnings: Sequence[DigestError] | None = None
    frame: str | None = None
    """None when the build could not trust its inputs' times: the next one starts over."""
    report: Report | None = None
    urls: Mapping[str, str] | None = None
    """The url of every published post by source, when the set of posts may have changed."""


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


Method = TypeVar("Method", bound=Callable[..., Any])


def _guarded(method: Method) -> Method:
    """A Store method whose every error (the cache is all it reads) becomes CacheBroken."""

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except CacheBroken:
            raise
        except Exception as error:  # damage shows as any error (bad UTF-8, …)
            raise CacheBroken(_reason(error)) from error

    return cast(Method, guarded)


class Store:
    """The cache of one site and output folder."""

    def __init__(self, root: Path, output: Path, key: str, *, fresh: bool = False) -> None:
        """Open (or create) the cache; ``fresh`` forgets everything in it, unread."""
        self.path = _cache_file(root, output)
        self.key = key
        self.note: str | None = None
        """Why the cache was started afresh, when a user should know."""
        self.save_problem: str | None = None
        """Why saving failed (the cache was then set aside), when it did."""
        self._adopt(_legacy_cache_file(root, output))
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
        store.save_problem = None
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

    def _adopt(self, legacy: Path) -> None:
        """Take over the cache an earlier version kept under another name (by the absolute
        output folder), so it is replaced rather than left behind."""
        if legacy == self.path or self.path.exists() or not legacy.exists():
            return
        try:
            for suffix in ("-wal", "-shm", ""):
                old = legacy.with_name(legacy.name + suffix)
                if old.exists():
                    old.replace(self.path.with_name(self.path.name + suffix))
        except OSError:
            pass

    def _open(self, fresh: bool) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            if fresh:
                _remove_database(self.path)  # --clean never reads the old cache
            db = _connect(str(self.path))
        except OSError as error:
            # A cache that cannot be written must not stop the build: build without one.
            self.note = (
                f"cannot keep a cache there ({error.strerror or error}); building without one"
            )
            return _reset(_connect(":memory:"), self.key)
        except sqlite3.Error as error:
            return self._set_aside(error)
        try:
            found = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
            if found is not None and found[0] == self.key:
                return db
            made_by = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            if made_by is not None and made_by[0] != code_fingerprint():
                self.note = "discarded a cache made by another version of digest or its libraries"
            # Other code, libraries or configuration: nothing in it can be trusted, and
            # another version may have laid the tables out differently.
            return _reset(db, self.key)
        except sqlite3.Error as error:
            db.close()
            return self._set_aside(error)

    def _set_aside(self, error: BaseException) -> sqlite3.Connection:
        """Move a damaged cache out of the way (``….damaged``, for a bug report) and start
        a new one; in memory when even that fails."""
        self.note = f"discarded a damaged cache ({_reason(error)}); built without it"
        try:
            aside = self.path.with_name(self.path.name + ".damaged")
            _remove_database(aside)
            if self.path.exists():
                self.path.replace(aside)
            _remove_database(self.path)
            db = _connect(str(self.path))
        except (OSError, sqlite3.Error):
            db = _connect(":memory:")
        try:
            return _reset(db, self.key)
        except sqlite3.Error:
            db.close()
            return _reset(_connect(":memory:"), self.key)

    def discard(self, broken: CacheBroken) -> None:
        """Set the cache aside after ``broken`` (a failed read): from now on it is empty."""
        self._db.close()
        self._db = self._set_aside(broken.__cause__ or broken)

    def close(self) -> None:
        self._db.close()

    @_guarded
    def meta(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else _load(row[0])

    @property
    def saved_ns(self) -> int:
        saved = self.meta("saved_ns")
        return saved if isinstance(saved, int) else 0

    @_guarded
    def post_rows(self, sources: Iterable[str] | None = None) -> dict[str, PostRow]:
        """What the cache knows of these posts, or of all."""
        query = "SELECT source, size, mtime, ctime, inode, hash, card, url FROM posts"
        if sources is None:
            rows = self._db.execute(query).fetchall()
        else:
            rows = self._select(f"{query} WHERE source IN", sources)
        return {row[0]: PostRow(tuple(row[1:5]), row[5], row[6], row[7]) for row in rows}

    @_guarded
    def post_stats(self) -> dict[str, Stat]:
        """Every post's Stat when it was last read."""
        rows = self._db.execute("SELECT source, size, mtime, ctime, inode FROM posts")
        return {row[0]: tuple(row[1:]) for row in rows}

    @_guarded
    def parsed_posts(self, sources: Iterable[str] | None = None) -> dict[str, ParsedPost]:
        """Parsed posts by source: the given ones (each must be there), or all."""
        if sources is None:
            rows = self._db.execute("SELECT source, post FROM parsed").fetchall()
        else:
            sources = list(sources)
            rows = self._select("SELECT source, post FROM parsed WHERE source IN", sources)
            if len(rows) != len(set(sources)):
                raise CacheBroken("a parsed post is missing")
        return {source: _load(blob, ParsedPost) for source, blob in rows}

    @_guarded
    def output_rows(self, paths: Iterable[str] | None = None) -> dict[str, OutputRow]:
        """What the cache knows of these outputs, or of all."""
        query = "SELECT path, fingerprint, size, mtime, ctime, inode, indexed FROM outputs"
        if paths is None:
            rows = self._db.execute(query).fetchall()
        else:
            rows = self._select(f"{query} WHERE path IN", paths)
        return {row[0]: OutputRow(row[1], tuple(row[2:6]), row[6]) for row in rows}

    @_guarded
    def output_stats(self) -> dict[str, Stat]:
        """Every output path with its Stat as written."""
        rows = self._db.execute("SELECT path, size, mtime, ctime, inode FROM outputs")
        return {row[0]: tuple(row[1:]) for row in rows}

    @_guarded
    def fingerprints(self, paths: Iterable[str]) -> dict[str, str]:
        rows = self._select("SELECT path, fingerprint FROM outputs WHERE path IN", paths)
        return dict(rows)

    @_guarded
    def ids(self, paths: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        if paths is None:
            rows = self._db.execute(
                "SELECT path, ids FROM outputs WHERE ids IS NOT NULL"
            ).fetchall()
        else:
            rows = self._select(
                "SELECT path, ids FROM outputs WHERE ids IS NOT NULL AND path IN", paths
            )
        return {path: _load(blob, frozenset) for path, blob in rows}

    @_guarded
    def copy_rows(self) -> dict[str, CopyRow]:
        rows = self._db.execute("SELECT * FROM copies")
        return {row[0]: CopyRow(tuple(row[1:5]), tuple(row[5:9])) for row in rows}

    @_guarded
    def pages_showing(self, sources: Iterable[str]) -> set[str]:
        """Output paths of the pages that show any of these posts whole."""
        return {row[0] for row in self._select("SELECT path FROM shows WHERE source IN", sources)}

    @_guarded
    def shown_by(self, paths: Iterable[str]) -> set[str]:
        """Sources of the posts these pages show whole."""
        return {row[0] for row in self._select("SELECT source FROM shows WHERE path IN", paths)}

    @_guarded
    def recipes(self, paths: Iterable[str], post: Callable[[str], Post]) -> dict[str, Output]:
        """The stored Outputs of these paths (each must be there), their posts taken from
        ``post(source)``."""
        paths = list(paths)
        rows = self._select("SELECT path, output FROM recipes WHERE path IN", paths)
        if len(rows) != len(set(paths)):
            raise CacheBroken("a page's recipe is missing")
        recipes: dict[str, Output] = {}
        nav = functools.cache(self._nav)  # one object for all: as in the build that stored it
        for path, blob in rows:
            try:
                recipes[path] = _Recipes(_unseal(blob), post, nav).load()
            except CacheBroken:
                raise
            except Exception as error:  # noqa: BLE001 - damage shows as any error
                raise CacheBroken(f"a stored recipe cannot be read ({_reason(error)})") from None
        return recipes

    def _nav(self, token: str) -> Nav:
        row = self._db.execute("SELECT nav FROM navs WHERE token = ?", (token,)).fetchone()
        if row is None:
            raise CacheBroken("a recipe's nav is missing")
        return cast(Nav, _load(row[0], Nav))

    def warnings(self) -> list[DigestError]:
        """The warnings of the last build (one value: a site can have tens of thousands,
        such as images without alt text; the stored report has none)."""
        warnings = self.meta("warnings")
        if warnings is None:
            return []
        if not isinstance(warnings, list) or not all(
            isinstance(warning, DigestError) for warning in warnings
        ):
            raise CacheBroken("the stored warnings are not a list of warnings")
        return warnings

    def save(self, changes: Changes) -> None:
        """Record a finished build in one transaction: all of it, or (on a crash) none.

        Never raises: when saving fails, the cache is set aside (``save_problem`` says
        why), so the next build starts without it rather than trusting a stale one.
        """
        try:
            self._save(changes)
        except sqlite3.Error as error:
            self._db.close()
            self._db = self._set_aside(error)
            self.save_problem = f"cannot save the cache ({_reason(error)}); set it aside"

    def _save(self, changes: Changes) -> None:
        db = self._db
        with db:
            parsed = {
                source: (change, change.parsed)
                for source, change in changes.posts.items()
                if change.parsed is not None
            }
            db.executemany(
                "INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (source, *change.stat, change.hash, item.post.card, item.post.url)
                    for source, (change, item) in parsed.items()
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?)",
                ((source, _dump(item)) for source, (_, item) in parsed.items()),
            )
            db.executemany(
                "UPDATE posts SET size = ?, mtime = ?, ctime = ?, inode = ?, hash = ? "
                "WHERE source = ?",
                (
                    (*change.stat, change.hash, source)
                    for source, change in changes.posts.items()
                    if change.parsed is None
                ),
            )
            for table in ("posts", "parsed"):
                db.executemany(
                    f"DELETE FROM {table} WHERE source = ?", _rows(changes.removed_posts)
                )
            gone = {*changes.removed_outputs, *changes.outputs}
            for table in ("shows", "recipes"):
                db.executemany(f"DELETE FROM {table} WHERE path = ?", _rows(gone))
            db.executemany("DELETE FROM outputs WHERE path = ?", _rows(changes.removed_outputs))
            db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        path,
                        row.fingerprint,
                        *row.stat,
                        None if row.ids is None else _dump(row.ids),
                        row.indexed,
                    )
                    for path, row in changes.outputs.items()
                ),
            )
            recipes = {
                path: row.recipe for path, row in changes.outputs.items() if row.recipe is not None
            }
            db.executemany(
                "INSERT INTO recipes VALUES (?, ?, ?)",
                (
                    (path, _seal(recipe.blob), recipe.nav and recipe.nav.token)
                    for path, recipe in recipes.items()
                ),
            )
            navs = {r.nav.token: r.nav.blob for r in recipes.values() if r.nav is not None}
            db.executemany(
                "INSERT OR IGNORE INTO navs VALUES (?, ?)",
                ((token, _seal(blob)) for token, blob in navs.items()),
            )
            db.execute(
                "DELETE FROM navs WHERE token NOT IN "
                "(SELECT nav FROM recipes WHERE nav IS NOT NULL)"
            )
            shows = [(source, path) for path, recipe in recipes.items() for source in recipe.shows]
            db.executemany("INSERT INTO shows VALUES (?, ?)", shows)
            if changes.copies is not None:
                db.execute("DELETE FROM copies")
                db.executemany(
                    "INSERT INTO copies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((path, *row.source, *row.written) for path, row in changes.copies.items()),
                )
            meta = {
                "saved_ns": time.time_ns(),
                "frame": changes.frame,
                "report": changes.report,
                "urls": changes.urls,
                "warnings": None if changes.warnings is None else list(changes.warnings),
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


def _place(root: Path, output: Path) -> str:
    """The output folder as the cache knows it: relative to the site when inside it, so a
    site moved or copied elsewhere keeps its cache."""
    site = root.resolve()
    return output.relative_to(site).as_posix() if output.is_relative_to(site) else str(output)


def _cache_file(root: Path, output: Path) -> Path:
    return root / CACHE_DIR / f"build-{short_name(_place(root, output))}.sqlite"


def _legacy_cache_file(root: Path, output: Path) -> Path:
    """Where digest before 0.x kept the cache: named by the absolute output folder."""
    return root / CACHE_DIR / f"build-{short_name(str(output))}.sqlite"


def knows_output(root: Path, output: Path) -> bool:
    """Whether a cache of builds into ``output`` is there (so digest made that folder)."""
    return _cache_file(root, output).exists() or _legacy_cache_file(root, output).exists()


def _reset(db: sqlite3.Connection, key: str) -> sqlite3.Connection:
    """Empty ``db`` and make it the cache of ``key``."""
    with db:
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables.fetchall():
            db.execute(f'DROP TABLE "{table}"')
    db.executescript(_SCHEMA)
    with db:
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("key", key), ("code", code_fingerprint())]
        )
    return db


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
        file = path.with_name(path.name + suffix)
        if file.is_dir() and not file.is_symlink():
            shutil.rmtree(file)  # not ours to keep: the cache's own name
        else:
            file.unlink(missing_ok=True)


def _rows(keys: Iterable[str]) -> Iterable[tuple[str]]:
    return ((key,) for key in keys)


def _dump(value: object) -> bytes:
    return _seal(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _seal(data: bytes) -> bytes:
    """``data`` behind its checksum: damage to a stored value is found, not unpickled."""
    return checksum(data) + data


def _unseal(blob: object) -> bytes:
    if not isinstance(blob, bytes) or len(blob) < 16:
        raise CacheBroken("a stored value is damaged")
    data = blob[16:]
    if checksum(data) != blob[:16]:
        raise CacheBroken("a stored value is damaged")
    return data


def _load(blob: object, kind: type | None = None) -> Any:
    """The value in a sealed blob (of type ``kind`` when given), or CacheBroken."""
    data = _unseal(blob)
    try:
        value = pickle.loads(data)
    except Exception as error:  # noqa: BLE001 - damage shows as any error
        raise CacheBroken(f"a stored value cannot be read ({_reason(error)})") from None
    if kind is not None and not isinstance(value, kind):
        raise CacheBroken(f"a stored value is a {type(value).__name__}, not a {kind.__name__}")
    return value


def _post_by_source(source: str) -> Post:
    """Stands in, inside stored recipes, for the posts they show (see ``_Recipes``)."""
    raise LookupError(f"a recipe's post {source} read without its store")


def _nav_by_token(token: str) -> Nav:
    """Stands in, inside stored recipes, for the site's Nav (see ``_Recipes``)."""
    raise LookupError(f"a recipe's nav {token} read without its store")


@dataclass(frozen=True, slots=True)
class StoredNav:
    """A Nav pickled, and its checksum (hex) that recipes name it by."""

    token: str
    blob: bytes


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to render a page again: its Output pickled with each post as a call
    ``_post_by_source(source)`` (the post itself is stored once, in its own row) and the
    site's Nav as ``_nav_by_token(token)`` (stored once for all pages: it was about 880 of a
    recipe's 1,630 bytes at 28 years of archives), the sources of the posts it shows, and
    that Nav."""

    blob: bytes
    shows: tuple[str, ...]
    nav: StoredNav | None = None


_last_nav: list[tuple[Nav, StoredNav]] = []
"""The Nav recipes last stood in for, and it pickled: every page of a build has the same."""


def _stored_nav(nav: Nav) -> StoredNav:
    if not _last_nav or _last_nav[0][0] is not nav:
        blob = pickle.dumps(nav, protocol=pickle.HIGHEST_PROTOCOL)
        _last_nav[:] = [(nav, StoredNav(checksum(blob).hex(), blob))]
    return _last_nav[0][1]


def recipe_of(output: Output) -> Recipe:
    shown: set[str] = set()
    navs: list[StoredNav] = []

    def by_source(post: Post) -> tuple[Callable[[str], Post], tuple[str]]:
        shown.add(post.source)
        return _post_by_source, (post.source,)

    def by_token(nav: Nav) -> tuple[Any, tuple[Any, ...]]:
        stored = _stored_nav(nav)
        if navs and navs[0].token != stored.token:
            return nav.__reduce__()  # a second, other Nav (no theme makes one): inline
        navs.append(stored)
        return _nav_by_token, (stored.token,)

    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Post: by_source, Nav: by_token}
    pickler.dump(output)
    return Recipe(stream.getvalue(), tuple(sorted(shown)), navs[0] if navs else None)


class _Recipes(pickle.Unpickler):
    """Loads a recipe, giving it the posts of ``post(source)`` where it shows posts, and
    ``nav(token)`` where it shows the site's Nav."""

    def __init__(self, blob: bytes, post: Callable[[str], Post], nav: Callable[[str], Nav]) -> None:
        super().__init__(io.BytesIO(blob))
        self._post = post
        self._nav = nav

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, _post_by_source.__name__):
            return self._post
        if (module, name) == (__name__, _nav_by_token.__name__):
            return self._nav
        return super().find_class(module, name)

    def load(self) -> Output:
        loaded = super().load()
        assert isinstance(loaded, Output)
        return loaded
