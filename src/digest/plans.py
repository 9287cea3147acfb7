"""Where a build's work comes from: a plan of the whole site, or the few pages the cache
can prove are all that changed. Must not render, check references, write or save: that
tail exists once, in build.py, whatever the plan's source.

- ``full_plan``: every post (remembered when its file is unchanged, else parsed, in
  workers), the site assembled and every output planned (``routes.plan``).
- ``quick_plan``: when the cache can prove the full plan would come to the same site (the
  same code, configuration, options, templates, copied files and list of posts: one hash,
  the frame; no future post come due; every output file as the last build wrote it; each
  changed post parsing to the same card), home pages, archives and tags are unchanged by
  construction and only the pages that show a changed post whole (the cache recorded
  which) are planned, from their stored recipes. Anything else is left to the full plan,
  so this is a shortcut to the same result, never a second kind of site.

Whether a file is as the last build left it is answered once, here: ``output_is_current``,
``copy_is_current`` and ``post_is_current``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from digest.config import Config
from digest.content import ParsedPost, decode_post
from digest.errors import BuildFailed, ContentError, DigestError, OutputError
from digest.fingerprints import Stat, trusted
from digest.inputs import (
    BuildOptions,
    Inputs,
    Memory,
    PostFile,
    PostStat,
    Session,
    current_time,
    read_post,
    unchanged_file,
)
from digest.model import Output, Post, Report, Shard
from digest.parallel import Progress, default_jobs, ordered_map, stage
from digest.routes import plan
from digest.shards import search_language, search_shards
from digest.site import assemble, link_markdown_files
from digest.state import CopyRow, OutputRow, PostChange, PostRow, Store
from digest.writer import leftovers


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """What the report says of the site as a whole."""

    posts: int
    pages: int
    copied: int
    skipped_drafts: int = 0
    skipped_future: int = 0
    next_future: datetime | None = None
    search_shards: tuple[Shard, ...] = ()
    """The parts of the search index and the posts and standalone pages each holds."""
    search_language: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The work a plan source hands the tail, with what the tail needs to check and record it."""

    source: Literal["full", "quick"]
    """Which source made it (for tests and readers: the tail never branches on it)."""
    config: Config
    output: Path
    jobs: int
    outputs: tuple[Output, ...]
    """Rendered unless current: every output (full), or the pages showing a changed post."""
    known_outputs: Mapping[str, OutputRow]
    """What the cache knows of those outputs."""
    removed_outputs: frozenset[str]
    copies: Mapping[str, Path] | None
    """Every file to copy, or None when the copies were not looked at (the stored ones stand)."""
    known_copies: Mapping[str, CopyRow]
    prune: bool
    """Whether files the plan does not name leave the output folder."""
    existing: frozenset[str]
    """Every output path and copied file of the site: what a link may point at."""
    published: tuple[Post, ...]
    """The posts and pages whose links are checked."""
    urls: Mapping[str, str]
    """source → url of every published post."""
    new_urls: Mapping[str, str] | None
    """The urls to record, when the set of posts may have changed."""
    stored_ids: Mapping[str, frozenset[str]]
    """Element ids of pages as the cache knows them (a page rendered now has its own)."""
    same_ids: bool
    """The plan holds only if the pages rendered keep their element ids (quick)."""
    warnings: tuple[DigestError, ...]
    """Everything said before links are checked."""
    warnings_as_last: tuple[DigestError, ...] | None
    """When no post changed: the last build's warnings as it said them. They stand, and
    stay stored as they are: a site can have tens of thousands."""
    posts: Mapping[str, PostChange]
    """What to record of the posts read."""
    removed_posts: frozenset[str]
    memory: Memory | None
    """What a Session remembers once this build is saved (None: nothing to remember)."""
    summary: Summary


class NotQuick(Exception):
    """The quick plan cannot prove its result: the full plan decides."""


def full_plan(
    options: BuildOptions, inputs: Inputs, store: Store | None, session: Session | None
) -> Plan:
    """Every output of the site; raises BuildFailed listing every problem in the posts."""
    config, copies = inputs.config, inputs.copies
    jobs = options.jobs or default_jobs()
    loaded = _load_posts(inputs, config, jobs, store, session, stage(options.progress, "parsing"))
    site = assemble(
        config,
        [item.post for item in loaded.parsed],
        now=options.now or current_time(),
        drafts=options.drafts,
        future=options.future,
    )
    outputs = tuple(plan(site, inputs.copies))
    _refuse_overlaps({o.path: o.source for o in outputs}, copies)
    known = store.output_rows() if store else {}
    published = (*site.posts, *site.pages)
    urls = {post.source: post.url for post in published}
    return Plan(
        source="full",
        config=config,
        output=inputs.output,
        jobs=jobs,
        outputs=outputs,
        known_outputs=known,
        removed_outputs=frozenset(known.keys() - {o.path for o in outputs}),
        copies=copies,
        known_copies=store.copy_rows() if store else {},
        prune=True,
        existing=frozenset({o.path for o in outputs} | set(copies)),
        published=published,
        urls=urls,
        new_urls=urls,
        stored_ids=_StoredIds(store) if store else {},
        same_ids=False,
        warnings=(*inputs.warnings, *(w for item in loaded.parsed for w in item.warnings)),
        warnings_as_last=None,
        posts=loaded.changes,
        removed_posts=frozenset(loaded.known.keys() - {post.source for post in inputs.posts}),
        memory=(
            {item.post.source: (loaded.hashes[item.post.source], item) for item in loaded.parsed}
            if session is not None
            else None
        ),
        summary=Summary(
            posts=len(site.posts),
            pages=len(outputs),
            copied=len(copies),
            skipped_drafts=site.skipped_drafts,
            skipped_future=site.skipped_future,
            next_future=site.next_future,
            search_shards=search_shards(site),
            search_language=search_language(site),
        ),
    )


def quick_plan(
    options: BuildOptions, inputs: Inputs, store: Store, session: Session | None
) -> Plan | None:
    """The pages that show changed posts, when the cache proves nothing else changed; else None."""
    if inputs.frame is None or store.meta("frame") != inputs.frame:
        return None
    if leftovers(inputs.output):
        return None  # a killed build left files behind: the full build clears them
    last = store.meta("report")
    if not isinstance(last, Report):
        return None
    if last.next_future is not None and (options.now or current_time()) >= last.next_future:
        return None  # a future post has come due
    found = _changed_posts(inputs, store)
    if found is None:
        return None
    output = inputs.output
    written = store.output_stats()
    copies = store.copy_rows()
    if set(copies) != set(inputs.copies):
        return None
    if not all(unchanged_file(f"{output}/{path}", stat) for path, stat in written.items()):
        return None
    if not all(unchanged_file(f"{output}/{path}", row.written) for path, row in copies.items()):
        return None

    parsed = _parse(found.changed, inputs)
    if parsed is None:
        return None
    urls = store.meta("urls") if parsed else {}
    if not isinstance(urls, dict):
        return None
    if any(item.post.card != found.rows[item.post.source].card for item in parsed.values()):
        return None  # a listing shows something else now: the full build decides

    affected = sorted(store.pages_showing(parsed))
    changed_posts = {source: item.post for source, item in parsed.items()}
    needed = store.shown_by(affected) | set(changed_posts)
    posts = _known_posts(store, session, changed_posts, needed)
    # As in the full build: links to other posts' Markdown files point at their pages.
    published_urls: Mapping[str, str] = urls
    posts = {
        source: next(link_markdown_files([post], published_urls, inputs.config.base_path))
        if source in published_urls
        else post
        for source, post in posts.items()
    }
    recipes = store.recipes(affected, posts.__getitem__)
    records = dict(found.touched)
    for source, item in parsed.items():
        file, stat = found.changed[source]
        records[source] = PostChange(stat, file.hash, item)
    memory = None
    if session is not None:
        fresh = {source: (records[source].hash, item) for source, item in parsed.items()}
        memory = {**session.parsed, **fresh}
    unchanged = not parsed
    last_warnings = store.warnings()
    kept = [] if unchanged else [w for w in last_warnings if w.path not in parsed]
    return Plan(
        source="quick",
        config=inputs.config,
        output=output,
        jobs=1,
        outputs=tuple(recipes[path] for path in affected),
        known_outputs=store.output_rows(affected),
        removed_outputs=frozenset(),
        copies=None,
        known_copies=copies,
        prune=False,
        existing=frozenset(written.keys() | copies.keys()),
        published=tuple(posts[source] for source in changed_posts if source in urls),
        urls=urls,
        new_urls=None,
        stored_ids=_StoredIds(store),
        same_ids=True,
        warnings=(*kept, *(w for item in parsed.values() for w in item.warnings)),
        warnings_as_last=tuple(last_warnings) if unchanged else None,
        posts=records,
        removed_posts=frozenset(),
        memory=memory,
        summary=Summary(
            posts=last.posts,
            pages=last.pages,
            copied=last.copied,
            skipped_drafts=last.skipped_drafts,
            skipped_future=last.skipped_future,
            next_future=last.next_future,
            search_shards=last.search_shards,
            search_language=last.search_language,
        ),
    )


def output_is_current(output: Path, path: str, fingerprint: str, row: OutputRow | None) -> bool:
    """Whether the output file at ``path`` needs no rendering. It does when:

    1. the cache knows no such output, or
    2. it was made from something else (its fingerprint: template, context, code), or
    3. the file is not the one the last build wrote (removed, edited, replaced).
    """
    return (
        row is not None
        and row.fingerprint == fingerprint
        and unchanged_file(f"{output}/{path}", row.stat)
    )


def copy_is_current(
    output: Path, path: str, source: Path, row: CopyRow | None, saved_ns: int
) -> bool:
    """Whether the copy at ``path`` needs no copying. It does when:

    1. the cache knows no such copy, or
    2. its source changed since (or too close to) the last save, or
    3. the copy is not the file the last build wrote.
    """
    return (
        row is not None
        and unchanged_file(source, row.source, saved_ns, racy=True)
        and unchanged_file(f"{output}/{path}", row.written)
    )


def post_is_current(recorded: Stat | None, post: PostStat, saved_ns: int) -> bool:
    """Whether a post file need not be read: the cache knows it with this very Stat, saved
    long enough after it was changed that an edit in the same clock tick is ruled out."""
    return post.stat is not None and trusted(recorded, post.stat, saved_ns, racy=True)


@dataclass(frozen=True, slots=True)
class _Loaded:
    parsed: list[ParsedPost]
    hashes: dict[str, str]
    changes: dict[str, PostChange]
    known: Mapping[str, object]
    """The posts the cache knew."""


def _load_posts(
    inputs: Inputs,
    config: Config,
    jobs: int,
    store: Store | None,
    session: Session | None,
    progress: Progress | None,
) -> _Loaded:
    """Every post: remembered when its file is unchanged, else read and parsed (in workers)."""
    rows = store.post_rows() if store else {}
    saved_ns = store.saved_ns if store else 0
    memory = session.parsed if session else {}
    results: list[ParsedPost | list[DigestError]] = []
    hashes: dict[str, str] = {}
    changes: dict[str, PostChange] = {}
    remembered: list[tuple[int, str]] = []
    missing: list[tuple[int, PostFile, Stat]] = []
    for post in inputs.posts:
        slot = len(results)
        results.append([])
        row = rows.get(post.source)
        if post.stat is None:
            results[slot] = [ContentError("cannot read the file", post.source)]
            continue
        if row is not None and post_is_current(row.stat, post, saved_ns):
            digest = row.hash
        else:
            file = read_post(post)
            if file.error:
                results[slot] = [ContentError(f"cannot read: {file.error}", post.source)]
                continue
            digest = file.hash
            if row is None or row.hash != digest:
                missing.append((slot, file, post.stat))
                continue
            changes[post.source] = PostChange(post.stat, digest, None)
        hashes[post.source] = digest
        known = memory.get(post.source)
        if known is not None and known[0] == digest:
            results[slot] = known[1]
        else:
            remembered.append((slot, post.source))
    if remembered and store is not None:
        stored = store.parsed_posts(source for _, source in remembered)
        for slot, source in remembered:
            results[slot] = stored[source]

    def parse(index: int) -> ParsedPost | list[DigestError]:
        file = missing[index][1]
        try:
            return decode_post(file.source, file.data, config)
        except BuildFailed as failure:
            return list(failure.problems)
        except DigestError as error:
            return [error]

    for (slot, file, stat), result in zip(
        missing, ordered_map(parse, len(missing), jobs, progress), strict=True
    ):
        results[slot] = result
        if isinstance(result, ParsedPost):
            hashes[file.source] = file.hash
            changes[file.source] = PostChange(stat, file.hash, result)
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise BuildFailed(problems)
    parsed = [result for result in results if isinstance(result, ParsedPost)]
    return _Loaded(parsed, hashes, changes, rows)


def _refuse_overlaps(sources: Mapping[str, str], copies: Mapping[str, Path]) -> None:
    clashes = [
        OutputError(
            f"{copies[path]} would overwrite the page made from {sources[path]}", str(copies[path])
        )
        for path in sorted(set(sources) & set(copies))
    ]
    if clashes:
        raise BuildFailed(clashes)


@dataclass(frozen=True, slots=True)
class _Found:
    """What the survey of post files found against the cache."""

    changed: dict[str, tuple[PostFile, Stat]]
    """Posts whose bytes changed."""
    touched: dict[str, PostChange]
    """Posts with the same bytes and a new Stat."""
    rows: dict[str, PostRow]
    """What the cache knew of both."""


def _changed_posts(inputs: Inputs, store: Store) -> _Found | None:
    """The posts not current; None when one cannot be read or the cache does not know it."""
    saved_ns = store.saved_ns
    stats = store.post_stats()
    if len(stats) != len(inputs.posts):
        return None
    suspects: list[PostStat] = []
    for post in inputs.posts:
        recorded = stats.get(post.source)
        if recorded is None or post.stat is None:
            return None
        if not post_is_current(recorded, post, saved_ns):
            suspects.append(post)
    rows = store.post_rows(post.source for post in suspects)
    found = _Found({}, {}, rows)
    for post in suspects:
        assert post.stat is not None
        file = read_post(post)
        if file.error:
            return None
        if file.hash == rows[post.source].hash:
            found.touched[post.source] = PostChange(post.stat, file.hash, None)
        else:
            found.changed[post.source] = (file, post.stat)
    return found


def _parse(
    changed: Mapping[str, tuple[PostFile, Stat]], inputs: Inputs
) -> dict[str, ParsedPost] | None:
    parsed: dict[str, ParsedPost] = {}
    for source, (file, _) in changed.items():
        try:
            parsed[source] = decode_post(file.source, file.data, inputs.config)
        except DigestError:
            return None  # the full build reports every problem, located
    return parsed


def _known_posts(
    store: Store, session: Session | None, changed: Mapping[str, Post], needed: set[str]
) -> dict[str, Post]:
    """The posts the affected pages show: the changed ones new, the others remembered."""
    posts = dict(changed)
    memory = session.parsed if session else {}
    rows = store.post_rows(needed - set(posts)) if memory else {}
    from_store = []
    for source in sorted(needed - set(posts)):
        known = memory.get(source)
        if known is not None and known[0] == rows[source].hash:
            posts[source] = known[1].post
        else:
            from_store.append(source)
    posts.update({source: item.post for source, item in store.parsed_posts(from_store).items()})
    return posts


class _StoredIds(Mapping[str, frozenset[str]]):
    """Element ids of pages, read from the cache only for the pages a link points to
    (each once): all of them at once raised a rebuild's peak by 17 MB at 10,000 posts,
    for the few pages a #fragment names."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._read: dict[str, frozenset[str] | None] = {}

    def __getitem__(self, path: str) -> frozenset[str]:
        if path not in self._read:
            self._read[path] = self._store.ids([path]).get(path)
        found = self._read[path]
        if found is None:
            raise KeyError(path)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.ids())

    def __len__(self) -> int:
        return len(self._store.ids())
