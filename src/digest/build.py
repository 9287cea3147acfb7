"""The one build path: config → posts → site → outputs → rendered files → disk.

Layer 8: the module that wires the stages together. ``digest build`` calls ``build``
once; ``digest serve`` calls it again on every change. A build where only posts' bodies
changed is finished by ``quick_build`` from what the cache remembers (see quick.py);
everything else goes through ``produce``, which looks at the whole site.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from digest.checks import check_references
from digest.config import Config
from digest.content import ParsedPost, decode_post
from digest.errors import BuildFailed, ContentError, DigestError, OutputError, sort_problems
from digest.fingerprints import Stat, trusted
from digest.inputs import (
    BuildOptions,
    Inputs,
    PostFile,
    Session,
    current_time,
    read_inputs,
    read_post,
    stat_of,
    unchanged_file,
)
from digest.model import Report, Site
from digest.pages import Fingerprints, render_outputs
from digest.parallel import WORTH_A_WORKER, Progress, default_jobs, ordered_map, stage
from digest.quick import quick_build
from digest.routes import plan
from digest.search import index_after_build, search_language, searchable, spared
from digest.site import assemble
from digest.state import CACHE_DIR, CacheBroken, Changes, CopyRow, Store, knows_output
from digest.templates import templates_for
from digest.writer import claim_output, write_files

__all__ = ["BuildOptions", "Produced", "Session", "build", "current_time", "produce"]


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
    notes: tuple[DigestError, ...]
    """Warnings about the cache, among ``warnings``: said, but never fatal, even with strict."""
    changes: Changes
    """What to tell the cache once the files are written."""
    hashes: dict[str, str]
    """source → hash of the bytes of every post read or remembered."""
    parsed: tuple[ParsedPost, ...]


def produce(
    options: BuildOptions,
    session: Session | None = None,
    inputs: Inputs | None = None,
    store: Store | None = None,
) -> Produced:
    """Everything of a build but writing; raises BuildFailed listing every problem.

    Without a ``store`` (``digest check``), the cache is only read, if there is one.
    """
    inputs = inputs or read_inputs(options)
    if store is None and not options.clean:
        reader = Store.reader(options.root, inputs.output, inputs.key)
        try:
            return _produce(options, session, inputs, reader)
        except CacheBroken:
            return _produce(options, session, inputs, None)  # the next build says so
        finally:
            if reader is not None:
                reader.close()
    return _produce(options, session, inputs, store)


def _produce(
    options: BuildOptions, session: Session | None, inputs: Inputs, store: Store | None
) -> Produced:
    config, output, copies = inputs.config, inputs.output, inputs.copies
    jobs = options.jobs or default_jobs()
    saved_ns = store.saved_ns if store else 0
    loaded = _load_posts(inputs, config, jobs, store, session, stage(options.progress, "parsing"))
    site = assemble(
        config,
        [item.post for item in loaded.parsed],
        now=options.now or current_time(),
        drafts=options.drafts,
        future=options.future,
    )
    outputs = plan(site, copies)
    templates = templates_for(options.root, config)
    fingerprints = Fingerprints(templates)
    new = {o.path: fingerprints.of(o) for o in outputs}
    old = store.output_rows() if store else {}
    kept = frozenset(
        o.path
        for o in outputs
        if (row := old.get(o.path)) is not None
        and row.fingerprint == new[o.path]
        and unchanged_file(f"{output}/{o.path}", row.stat)
    )
    to_render = [o for o in outputs if o.path not in kept]
    made = render_outputs(
        fingerprints, to_render, config, jobs, stage(options.progress, "rendering")
    )
    pages = {path: rendered.data for path, rendered in made.items()}
    _refuse_overlaps({o.path: o.source for o in outputs}, copies)
    old_copies = store.copy_rows() if store else {}
    kept_copies = frozenset(
        path
        for path, source in copies.items()
        if (copied := old_copies.get(path)) is not None
        and unchanged_file(source, copied.source, saved_ns, racy=True)
        and unchanged_file(f"{output}/{path}", copied.written)
    )
    old_ids = store.ids() if store else {}
    new_ids = {path: r.ids for path, r in made.items() if r.ids is not None}
    ids = {path: old_ids[path] for path in kept if path in old_ids} | new_ids
    published = (*site.posts, *site.pages)
    urls = {post.source: post.url for post in published}
    existing = {o.path for o in outputs} | set(copies)
    findings = check_references(config, published, existing, ids, urls)
    notes = [ContentError(store.note, CACHE_DIR, kind="cache")] if store and store.note else []
    parsed_warnings = [w for item in loaded.parsed for w in item.warnings]
    warnings = [
        warning
        for warning in (*inputs.warnings, *parsed_warnings, *findings, *notes)
        if warning.kind not in config.ignore_warnings
    ]
    changes = Changes(
        posts=loaded.changes,
        blobs=loaded.blobs,
        removed_posts=set(loaded.known) - {post.source for post in inputs.posts},
        outputs={
            path: (new[path], (0, 0, 0, 0), rendered.ids, rendered.recipe)
            for path, rendered in made.items()
        },
        removed_outputs=set(old) - set(new),
        warnings=[w for w in warnings if w not in notes],
        frame=inputs.frame,
        urls=urls,
    )
    return Produced(
        config=config,
        output=output,
        site=site,
        pages=pages,
        kept=kept,
        copies={path: source for path, source in copies.items() if path not in kept_copies},
        kept_copies=kept_copies,
        warnings=tuple(sort_problems(warnings)),
        notes=tuple(notes),
        changes=changes,
        hashes=loaded.hashes,
        parsed=tuple(loaded.parsed),
    )


def build(options: BuildOptions, session: Session | None = None) -> Report:
    """Build the site; raises BuildFailed (every problem listed) and writes nothing then.

    With ``strict`` (option or config) warnings are problems too. Only pages whose
    inputs changed are rendered, and only files whose bytes changed are written.
    """
    started = time.perf_counter()
    inputs = read_inputs(options)
    root, output = options.root, inputs.output
    # Only a folder digest made may lose files: one it marked, or one its cache knows.
    ours = (root / CACHE_DIR).resolve()
    claim_output(output, lambda: output.is_relative_to(ours) or knows_output(root, output))
    store = Store(root, output, inputs.key, fresh=options.clean)
    try:
        try:
            report = _build(options, session, inputs, store)
        except CacheBroken as broken:
            store.discard(broken)  # and build as if there had never been a cache
            report = _build(options, session, inputs, store)
        # Search (issue 15): the index follows the written output; for the unified tail.
        report = index_after_build(inputs.config, output, report, later=options.search_later)
        if store.save_problem:
            said = ContentError(store.save_problem, CACHE_DIR, kind="cache")
            report = replace(report, warnings=(*report.warnings, said))
        return replace(report, seconds=time.perf_counter() - started)
    finally:
        store.close()


def _build(options: BuildOptions, session: Session | None, inputs: Inputs, store: Store) -> Report:
    started = time.perf_counter()
    if not options.clean:
        quick = quick_build(options, inputs, store, session)
        if quick is not None:
            return quick
    produced = produce(options, session, inputs, store)
    problems = [w for w in produced.warnings if w not in produced.notes]
    if produced.config.strict and problems:
        raise BuildFailed(problems)
    old_copies = store.copy_rows()  # read before writing: a failure then costs nothing
    result = write_files(
        produced.output,
        produced.pages,
        produced.copies,
        keep=produced.kept | produced.kept_copies,
        # Search (issue 15): the index's folder is not pruned, and no page or file goes there.
        spare=spared(produced.config, [*produced.pages, *produced.kept, *inputs.copies]),
    )
    changes = produced.changes
    for path, (fingerprint, _, ids, output) in list(changes.outputs.items()):
        changes.outputs[path] = (fingerprint, result.stats[path], ids, output)
    changes.copies = {
        path: CopyRow(stat_of(source), result.stats[path])
        if path in result.stats
        else old_copies[path]
        for path, source in inputs.copies.items()
    }
    site = produced.site
    report = Report(
        written=result.written,
        unchanged=result.unchanged,
        rendered=tuple(sorted(produced.pages)),
        copied=len(inputs.copies),
        deleted=result.deleted,
        warnings=produced.warnings,
        seconds=time.perf_counter() - started,
        posts=len(site.posts),
        pages=len(produced.pages) + len(produced.kept),
        output=str(produced.output),
        skipped_drafts=site.skipped_drafts,
        skipped_future=site.skipped_future,
        next_future=site.next_future,
        searchable=searchable(site),  # search (issue 15): what the index holds
        search_language=search_language(site),
    )
    # What the next build may repeat: not what was said about this build's cache.
    changes.report = replace(report, warnings=tuple(problems))
    store.save(changes)
    if session is not None:
        session.parsed = {
            item.post.source: (produced.hashes[item.post.source], item) for item in produced.parsed
        }
    return report


@dataclass(frozen=True, slots=True)
class _Loaded:
    parsed: list[ParsedPost]
    hashes: dict[str, str]
    changes: dict[str, tuple[Stat, str, ParsedPost | None]]
    blobs: dict[str, bytes]
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
    changes: dict[str, tuple[Stat, str, ParsedPost | None]] = {}
    remembered: list[tuple[int, str]] = []
    missing: list[tuple[int, PostFile, Stat]] = []
    for post in inputs.posts:
        slot = len(results)
        results.append([])
        row = rows.get(post.source)
        if post.stat is None:
            results[slot] = [ContentError("cannot read the file", post.source)]
            continue
        if row is not None and trusted(row.stat, post.stat, saved_ns, racy=True):
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
            changes[post.source] = (post.stat, digest, None)
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

    # A worker process pickles what it parsed to send it back anyway: sent as those bytes,
    # they go into the cache as they are instead of being pickled a second time.
    in_workers = jobs > 1 and len(missing) >= WORTH_A_WORKER

    def parse(index: int) -> ParsedPost | bytes | list[DigestError]:
        file = missing[index][1]
        try:
            parsed = decode_post(file.source, file.data, config)
        except BuildFailed as failure:
            return list(failure.problems)
        except DigestError as error:
            return [error]
        return pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL) if in_workers else parsed

    blobs: dict[str, bytes] = {}
    for (slot, file, stat), result in zip(
        missing, ordered_map(parse, len(missing), jobs, progress), strict=True
    ):
        if isinstance(result, bytes):
            blobs[file.source] = result
            result = pickle.loads(result)
        results[slot] = result
        if isinstance(result, ParsedPost):
            hashes[file.source] = file.hash
            changes[file.source] = (stat, file.hash, result)
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise BuildFailed(problems)
    parsed = [result for result in results if isinstance(result, ParsedPost)]
    return _Loaded(parsed, hashes, changes, blobs, rows)


def _refuse_overlaps(sources: Mapping[str, str], copies: Mapping[str, Path]) -> None:
    clashes = [
        OutputError(
            f"{copies[path]} would overwrite the page made from {sources[path]}", str(copies[path])
        )
        for path in sorted(set(sources) & set(copies))
    ]
    if clashes:
        raise BuildFailed(clashes)
