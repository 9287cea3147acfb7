"""The one build path: config → posts → site → outputs → rendered files → disk.

Layer 6: the only module that wires the stages together. ``digest build`` calls
``build`` once; ``digest serve`` will call the same function again on every change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.checks import check_references, page_ids
from digest.config import Config, load_config
from digest.content import CONTENT_DIR, ParsedPost, decode_post, scan
from digest.errors import BuildFailed, ContentError, DigestError, OutputError, sort_problems
from digest.feeds import render_builtin
from digest.model import Output, Report, Site
from digest.parallel import Progress, default_jobs, ordered_map
from digest.routes import plan
from digest.site import assemble
from digest.state import (
    CACHE_DIR,
    RACY_NS,
    Cache,
    ContextHasher,
    Stat,
    Summary,
    cache_key,
    file_hash,
    fingerprint_text,
    load_cache,
    load_summary,
    save_cache,
    save_summary,
    trusted,
)
from digest.templates import TEMPLATES_DIR, Templates, templates_for
from digest.theme import theme_root
from digest.writer import check_output_folder, write_files

STATIC_DIR = "static"
BUILTIN = "builtin:"


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Produced:
    """A site rendered in memory, not yet written: what changed since the cache, and why."""

    config: Config
    output: Path
    site: Site
    pages: dict[str, bytes]
    """Rendered because something they show changed (or no cache knew them)."""
    kept: frozenset[str]
    """Pages whose fingerprint and file on disk are as the last build left them."""
    copies: dict[str, Path]
    """Files to copy; those unchanged since the last build are in ``kept_copies``."""
    kept_copies: frozenset[str]
    warnings: tuple[DigestError, ...]
    cache: Cache
    """The memory to save once the files are written."""


@dataclass(slots=True)
class Session:
    """Builds that follow each other in one process (``digest serve``).

    The cache of the last build stays in memory instead of being read from disk again,
    and goes to disk only when the session ends.
    """

    cache: Cache | None = None
    root: Path | None = None
    output: Path | None = None

    def save(self) -> None:
        if self.cache is not None and self.root is not None and self.output is not None:
            save_cache(self.root, self.output, self.cache)


@dataclass(frozen=True, slots=True)
class PostFile:
    """A post file as read: its bytes and their hash, or why it could not be read."""

    source: str
    data: bytes
    hash: str
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """Everything a build reads from the site, read once."""

    config: Config
    output: Path
    posts: tuple[PostFile, ...]
    copies: dict[str, Path]
    fingerprint: str | None
    """One hash of all of it; None when a file changed too recently for its modification
    time to be trusted (or could not be read)."""


def read_inputs(options: BuildOptions) -> Inputs:
    root = options.root
    overrides: dict[str, Any] = {}
    if options.base_url is not None:
        overrides["base_url"] = options.base_url
    if options.strict:
        overrides["strict"] = True
    config = load_config(root, overrides)
    output = check_output_folder(root, options.output or root / config.output)
    post_paths, asset_paths = scan(root)
    posts = tuple(_read_post(root, path) for path in post_paths)
    copies = _copies(root, asset_paths, output)
    return Inputs(
        config=config,
        output=output,
        posts=posts,
        copies=copies,
        fingerprint=_inputs_fingerprint(options, config, output, posts, copies),
    )


def _read_post(root: Path, path: Path) -> PostFile:
    source = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        return PostFile(source, b"", "", error.strerror or str(error))
    return PostFile(source, data, file_hash(data))


def produce(
    options: BuildOptions, session: Session | None = None, inputs: Inputs | None = None
) -> Produced:
    """Everything of a build but writing; raises BuildFailed listing every problem."""
    root = options.root
    inputs = inputs or read_inputs(options)
    config, output, copies = inputs.config, inputs.output, inputs.copies
    key = cache_key(repr(config), output)
    if options.clean:
        old, note = Cache(key=key), None
    elif session is not None and session.cache is not None and session.cache.key == key:
        old, note = session.cache, None
    else:
        old, note = load_cache(root, output, key)
    new = Cache(key=key)
    jobs = options.jobs or default_jobs()

    parsed = _load_posts(
        inputs.posts, config, jobs, (old, new), _stage(options.progress, "parsing")
    )
    site = assemble(
        config,
        [item.post for item in parsed],
        now=options.now or current_time(),
        drafts=options.drafts,
        future=options.future,
    )
    outputs = plan(site)
    templates = templates_for(root, config)
    hasher = ContextHasher()
    for output_file in outputs:
        new.fingerprints[output_file.path] = fingerprint_text(
            templates.fingerprint(output_file.template)
            if not output_file.template.startswith(BUILTIN)
            else output_file.template,
            hasher.fingerprint(output_file.context),
        )
    kept = frozenset(
        o.path
        for o in outputs
        if old.fingerprints.get(o.path) == new.fingerprints[o.path]
        and _unchanged(output / o.path, old.files.get(o.path), old, racy=False)
    )
    to_render = [o for o in outputs if o.path not in kept]
    pages = _render(templates, to_render, config, jobs, _stage(options.progress, "rendering"))
    _refuse_overlaps({o.path: o.source for o in outputs}, copies)
    kept_copies = frozenset(
        path
        for path, source in copies.items()
        if _unchanged(source, old.sources.get(path), old, racy=True)
        and _unchanged(output / path, old.files.get(path), old, racy=False)
    )
    new.ids = {path: old.ids[path] for path in kept if path in old.ids} | page_ids(pages)
    new.sources = {path: _stat(source) for path, source in copies.items()}
    new.files = {path: old.files[path] for path in kept | kept_copies}
    findings = check_references(config, site.posts, outputs, new.ids, copies)
    notes = [ContentError(note, CACHE_DIR)] if note else []
    warnings = [w for item in parsed for w in item.warnings] + findings + notes
    return Produced(
        config=config,
        output=output,
        site=site,
        pages=pages,
        kept=kept,
        copies={path: source for path, source in copies.items() if path not in kept_copies},
        kept_copies=kept_copies,
        warnings=tuple(sort_problems(warnings)),
        cache=new,
    )


def build(options: BuildOptions, session: Session | None = None) -> Report:
    """Build the site; raises BuildFailed (every problem listed) and writes nothing then.

    With ``strict`` (option or config) warnings are problems too. Only pages whose
    inputs changed are rendered, and only files whose bytes changed are written.
    """
    started = time.perf_counter()
    inputs = read_inputs(options)
    summarise = session is None and not options.clean and inputs.fingerprint is not None
    if summarise:
        unchanged = _unchanged_site(options, inputs)
        if unchanged is not None:
            return replace(unchanged, seconds=time.perf_counter() - started)
    produced = produce(options, session, inputs)
    if produced.config.strict and produced.warnings:
        raise BuildFailed(produced.warnings)
    result = write_files(
        produced.output,
        produced.pages,
        produced.copies,
        keep=produced.kept | produced.kept_copies,
    )
    produced.cache.files.update(result.stats)
    if session is None:
        save_cache(options.root, produced.output, produced.cache)
    else:
        session.cache, session.root, session.output = produced.cache, options.root, produced.output
    site = produced.site
    report = Report(
        written=result.written,
        unchanged=result.unchanged,
        rendered=tuple(sorted(produced.pages)),
        copied=len(produced.copies) + len(produced.kept_copies),
        deleted=result.deleted,
        warnings=tuple(str(w) for w in produced.warnings),
        seconds=time.perf_counter() - started,
        posts=len(site.posts),
        pages=len(produced.pages) + len(produced.kept),
        output=str(produced.output),
        skipped_drafts=site.skipped_drafts,
        skipped_future=site.skipped_future,
        next_future=site.next_future,
    )
    if summarise and inputs.fingerprint is not None:
        summary = Summary(inputs.fingerprint, report, produced.cache.files)
        save_summary(options.root, produced.output, summary)
    return report


def _inputs_fingerprint(
    options: BuildOptions,
    config: Config,
    output: Path,
    posts: tuple[PostFile, ...],
    copies: dict[str, Path],
) -> str | None:
    parts = [cache_key(repr(config), output), repr((options.drafts, options.future))]
    for post in posts:
        if post.error:
            return None
        parts.append(f"{post.source}={post.hash}")
    for folder in (options.root / TEMPLATES_DIR, theme_root() / TEMPLATES_DIR):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                parts.append(f"{path}={file_hash(path.read_bytes())}")
    recent = time.time_ns() - RACY_NS
    for relative, source in sorted(copies.items()):
        size, mtime = _stat(source)
        if mtime > recent:
            return None
        parts.append(f"{relative}={source}:{size}:{mtime}")
    return fingerprint_text(*parts)


def _unchanged_site(options: BuildOptions, inputs: Inputs) -> Report | None:
    """The last build's report, when nothing it read has changed and its files are intact."""
    output = inputs.output
    summary = load_summary(options.root, output)
    if summary is None or summary.inputs != inputs.fingerprint:
        return None
    due = summary.report.next_future
    if due is not None and (options.now or current_time()) >= due:
        return None  # a future post has come due
    for relative, recorded in summary.files.items():
        if not _unchanged(output / relative, recorded, None, racy=False):
            return None
    return replace(
        summary.report,
        written=(),
        unchanged=len(summary.files),
        rendered=(),
        deleted=(),
    )


def _stat(path: Path) -> Stat:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _unchanged(path: Path, recorded: Stat | None, cache_state: Cache | None, *, racy: bool) -> bool:
    """True when ``path`` still is the file the cache recorded."""
    try:
        return trusted(recorded, _stat(path), cache_state, racy=racy)
    except OSError:
        return False


def _stage(progress: Callable[[str, int, int], None] | None, name: str) -> Progress | None:
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


def current_time() -> datetime:
    """Now, for future posts and ``digest new``: SOURCE_DATE_EPOCH when set, else the clock.

    Pinning it makes builds reproducible; ``new`` follows the same clock, so the post it
    makes for "today" is never a future post to a build in the same environment.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _load_posts(
    posts: tuple[PostFile, ...],
    config: Config,
    jobs: int,
    caches: tuple[Cache, Cache],
    progress: Progress | None,
) -> list[ParsedPost]:
    """Every post: from the cache when its bytes are the same, else parsed (in workers)."""
    old, new = caches
    results: list[ParsedPost | list[DigestError]] = []
    missing: list[tuple[int, PostFile]] = []
    for post in posts:
        if post.error:
            results.append([ContentError(f"cannot read: {post.error}", post.source)])
            continue
        known = old.posts.get(post.source)
        if known is not None and known[0] == post.hash:
            results.append(known[1])
            new.posts[post.source] = known
        else:
            missing.append((len(results), post))
            results.append([])

    def parse(index: int) -> ParsedPost | list[DigestError]:
        post = missing[index][1]
        try:
            return decode_post(post.source, post.data, config)
        except BuildFailed as failure:
            return list(failure.problems)
        except DigestError as error:
            return [error]

    for (slot, post), result in zip(
        missing, ordered_map(parse, len(missing), jobs, progress), strict=True
    ):
        results[slot] = result
        if isinstance(result, ParsedPost):
            new.posts[post.source] = (post.hash, result)
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise BuildFailed(problems)
    return [result for result in results if isinstance(result, ParsedPost)]


def _render(
    templates: Templates,
    outputs: list[Output],
    config: Config,
    jobs: int,
    progress: Progress | None,
) -> dict[str, bytes]:
    def render(index: int) -> bytes | DigestError:
        output = outputs[index]
        if output.template.startswith(BUILTIN):
            return render_builtin(config, output.template, output.context)
        try:
            return templates.render(output.template, output.context).encode("utf-8")
        except DigestError as error:
            return error

    results = ordered_map(render, len(outputs), jobs, progress)
    # One broken template fails many pages the same way: report it once.
    unique: dict[tuple[str | None, int | None, str], DigestError] = {}
    for result in results:
        if isinstance(result, DigestError):
            unique.setdefault((result.path, result.line, result.message), result)
    if unique:
        raise BuildFailed(list(unique.values()))
    return {
        output.path: result
        for output, result in zip(outputs, results, strict=True)
        if isinstance(result, bytes)
    }


def _copies(root: Path, asset_paths: list[Path], output: Path) -> dict[str, Path]:
    """Theme static files, then the site's (which win), then files beside posts."""
    copies: dict[str, Path] = {}
    for folder in dict.fromkeys((theme_root() / STATIC_DIR, root / STATIC_DIR)):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(folder)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    copies[relative.as_posix()] = path
    content = root / CONTENT_DIR
    for path in asset_paths:
        if not path.resolve().is_relative_to(output):
            copies[path.relative_to(content).as_posix()] = path
    return copies


def _refuse_overlaps(sources: Mapping[str, str], copies: Mapping[str, Path]) -> None:
    clashes = [
        OutputError(
            f"{copies[path]} would overwrite the page made from {sources[path]}", str(copies[path])
        )
        for path in sorted(set(sources) & set(copies))
    ]
    if clashes:
        raise BuildFailed(clashes)
