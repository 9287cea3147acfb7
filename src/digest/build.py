"""The one build: inputs → posts → plan → render what is stale → check → write → record.

Wires the stages together; ``digest build`` calls ``build`` once, ``digest serve`` again
on every change, ``digest check`` runs ``produce`` (everything but writing). The invariant
every stage keeps: whatever the plan's source, the files written and the cache recorded
are those a build from nothing would make (tests/incremental/test_property.py). A plan
comes from the whole site or, when the cache proves only posts' bodies changed, from the
stored recipes of the pages that show them (plans.py); what follows exists once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from digest.checks import check_references
from digest.config import Config
from digest.errors import BuildFailed, ContentError, DigestError, sort_problems
from digest.folders import CACHE_DIR
from digest.inputs import BuildOptions, Inputs, Memory, Session, current_time, read_inputs, stat_of
from digest.model import Report
from digest.pages import Fingerprints, RenderedOutput, render_outputs
from digest.parallel import default_jobs, stage
from digest.plans import (
    NotQuick,
    Plan,
    Summary,
    copy_is_current,
    full_plan,
    output_is_current,
    quick_plan,
)
from digest.search import index_after_build, spared
from digest.state import (
    CacheBroken,
    Changes,
    CopyRow,
    OutputChange,
    OutputRow,
    Store,
    knows_output,
)
from digest.templates import templates_for
from digest.writer import Staged, Staging, claim_output, write_files

__all__ = ["BuildOptions", "Produced", "Session", "build", "current_time", "produce"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Produced:
    """A plan rendered and checked in memory, not yet written."""

    plan: Plan
    rendered: dict[str, RenderedOutput]
    """Rendered because something they show changed (or no cache knew them)."""
    fingerprints: dict[str, str]
    """path → fingerprint of each output rendered."""
    copies: dict[str, Path]
    """Files to copy: those not as the last build left them."""
    keep: frozenset[str]
    """Outputs and copies already right on disk."""
    warnings: tuple[DigestError, ...]
    """Every warning, except those of ``plan.warnings_as_last``."""
    notes: tuple[DigestError, ...]
    """Warnings about the cache, among ``warnings``: said, but never fatal, even with strict."""

    @property
    def config(self) -> Config:
        return self.plan.config

    @property
    def summary(self) -> Summary:
        return self.plan.summary

    @property
    def pages(self) -> dict[str, bytes | Staged]:
        return {path: rendered.data for path, rendered in self.rendered.items()}

    @property
    def problems(self) -> list[DigestError]:
        """The warnings that fail a strict build: all but the notes about the cache."""
        return [w for w in self.warnings if w not in self.notes]


def produce(options: BuildOptions) -> Produced:
    """Everything of a build but writing (``digest check``); raises BuildFailed listing
    every problem. The cache, if there is one, is only read."""
    inputs = read_inputs(options)
    reader = None if options.clean else Store.reader(options.root, inputs.output, inputs.key)
    try:
        return _render_and_check(options, full_plan(options, inputs, reader, None), reader)
    except CacheBroken:
        return _render_and_check(options, full_plan(options, inputs, None, None), None)
    finally:
        if reader is not None:
            reader.close()


def build(options: BuildOptions, session: Session | None = None) -> Report:
    """Build the site; raises BuildFailed (every problem listed) and writes nothing then.

    With ``strict`` (option or config) warnings are problems too. Only pages whose
    inputs changed are rendered, and only files whose bytes changed are written.
    """
    started = time.perf_counter()
    inputs = read_inputs(options)  # inputs
    root, output = options.root, inputs.output
    # Only a folder digest made may lose files: one it marked, or one its cache knows.
    ours = (root / CACHE_DIR).resolve()
    claim_output(output, lambda: output.is_relative_to(ours) or knows_output(root, output))
    store = Store(root, output, inputs.key, fresh=options.clean)
    staging = Staging(output)  # rendered pages wait here, on disk, until written
    try:
        try:
            # posts → plan → render → check
            produced = _produce(options, session, inputs, store, staging)
        except CacheBroken as broken:
            store.discard(broken)  # and build as if there had never been a cache
            produced = _produce(options, session, inputs, store, staging)
        report = _finish(produced, inputs, store, session, staging)  # strict → write → record
        staging.close()  # before the search index reads the folder
        # The search index follows the written output (or, under serve, is left to it).
        jobs = options.jobs or default_jobs()
        report = index_after_build(
            inputs.config, output, report, jobs=jobs, later=options.search_later
        )
        if store.save_problem:
            said = ContentError(store.save_problem, CACHE_DIR, kind="cache")
            report = replace(report, warnings=(*report.warnings, said))
        return replace(report, seconds=time.perf_counter() - started)
    finally:
        staging.close()
        store.close()


def _produce(
    options: BuildOptions,
    session: Session | None,
    inputs: Inputs,
    store: Store,
    staging: Staging,
) -> Produced:
    """The quick plan when it holds, else the full one; rendered and checked."""
    if not options.clean:
        quick = quick_plan(options, inputs, store, session)
        if quick is not None:
            try:
                return _render_and_check(options, quick, store, staging)
            except NotQuick:
                pass
    return _render_and_check(options, full_plan(options, inputs, store, session), store, staging)


def _render_and_check(
    options: BuildOptions, plan: Plan, store: Store | None, staging: Staging | None = None
) -> Produced:
    """Render the outputs of ``plan`` that are not current, then check every link.

    Links are checked after rendering: a #fragment needs the element ids of the page it
    points at, known only once that page is made.
    """
    config, output = plan.config, plan.output
    made, new = _render_stale(options, plan, staging)
    new_ids = {path: r.ids for path, r in made.items() if r.ids is not None}
    if plan.same_ids and store is not None and store.ids(new_ids) != new_ids:
        raise NotQuick  # #fragment links elsewhere may break or heal: check everything

    saved_ns = store.saved_ns if store else 0
    copies = {
        path: source
        for path, source in (plan.copies or {}).items()
        if not copy_is_current(output, path, source, plan.known_copies.get(path), saved_ns)
    }
    ids = _Ids(new_ids, plan.stored_ids)
    findings = check_references(config, plan.published, plan.existing, ids, plan.urls)
    notes = [ContentError(store.note, CACHE_DIR, kind="cache")] if store and store.note else []
    # The warnings policy: kinds the site ignores are not said, nor refused by strict.
    said = [w for w in (*plan.warnings, *findings, *notes) if w.kind not in config.ignore_warnings]
    return Produced(
        plan=plan,
        rendered=made,
        fingerprints=new,
        copies=copies,
        keep=plan.existing - made.keys() - copies.keys(),
        warnings=tuple(sort_problems(said)),
        notes=tuple(notes),
    )


def _render_stale(
    options: BuildOptions, plan: Plan, staging: Staging | None
) -> tuple[dict[str, RenderedOutput], dict[str, str]]:
    """The outputs of ``plan`` that are not current, rendered (into ``staging`` when
    given, else kept in memory), and their fingerprints."""
    if not plan.outputs:
        return {}, {}  # nothing to fingerprint: the templates need not even be loaded
    fingerprints = Fingerprints(templates_for(options.root, plan.config))
    new = {o.path: fingerprints.of(o) for o in plan.outputs}
    stale = [
        o
        for o in plan.outputs
        if not output_is_current(plan.output, o.path, new[o.path], plan.known_outputs.get(o.path))
    ]
    progress = stage(options.progress, "rendering")
    # The staging folder is made only now: a build with nothing to render leaves the
    # output folder alone (and a quick plan's look for a killed build's leftovers
    # never meets this build's own folder).
    put = staging.put if staging is not None and stale and staging.begin() else None
    made = render_outputs(fingerprints, stale, plan.config, plan.jobs, progress, put)
    return made, {path: new[path] for path in made}


def _finish(
    produced: Produced,
    inputs: Inputs,
    store: Store,
    session: Session | None,
    staging: Staging,
) -> Report:
    """Strict → write → record: the tail of every build, whatever made its plan.

    What needs the whole finished build goes here, once. (Which warnings count, by the
    site's ``ignore_warnings``, is decided in ``_render_and_check``, before strict; the
    search index is made from the written folder by ``build``, after the record, since
    what it holds is told by the report, which the quick plan keeps.)
    """
    problems = produced.problems
    if produced.config.strict and problems:
        raise BuildFailed(problems)
    plan, pages = produced.plan, produced.pages
    # The search index's folder is not pruned, and no page or file of the site goes there.
    spare = spared(plan.config, [*pages, *produced.keep, *produced.copies])
    if staging.name:
        spare = (*spare, staging.name)
    result = write_files(
        plan.output, pages, produced.copies, keep=produced.keep, prune=plan.prune, spare=spare
    )
    summary = plan.summary
    as_last = plan.warnings_as_last
    said = (*(as_last or ()), *produced.warnings)
    report = Report(
        written=result.written,
        reindex=_reindex(result.written, produced.rendered, plan.known_outputs),
        unchanged=result.unchanged,
        rendered=tuple(sorted(pages)),
        copied=summary.copied,
        deleted=result.deleted,
        warnings=said,
        seconds=0.0,
        posts=summary.posts,
        pages=summary.pages,
        output=str(plan.output),  # the site may have moved since the last build
        skipped_drafts=summary.skipped_drafts,
        skipped_future=summary.skipped_future,
        next_future=summary.next_future,
        search_shards=summary.search_shards,
        search_language=summary.search_language,
    )
    copies = None
    if plan.copies is not None:
        copies = {
            path: CopyRow(stat_of(source), result.stats[path])
            if path in result.stats
            else plan.known_copies[path]
            for path, source in plan.copies.items()
        }
    changes = Changes(
        posts=plan.posts,
        removed_posts=plan.removed_posts,
        outputs={
            path: OutputChange(
                produced.fingerprints[path], result.stats[path], r.ids, r.recipe, r.indexed
            )
            for path, r in produced.rendered.items()
        },
        removed_outputs=plan.removed_outputs,
        copies=copies,
        # What the next build may repeat: not what was said about this build's cache.
        # Stored once, apart from the report, and not again when they stand as they were:
        # a site can have tens of thousands.
        warnings=None if as_last is not None and not problems else (*(as_last or ()), *problems),
        frame=inputs.frame,
        report=replace(report, warnings=()),
        urls=plan.new_urls,
    )
    # A build that found nothing new leaves the cache as it was (and its time of saving,
    # which decides which files are too recent to trust).
    if changes.posts or changes.outputs or changes.copies is not None:
        store.save(changes)
        _remember(session, plan.memory)
    return report


def _reindex(
    written: Sequence[str],
    rendered: Mapping[str, RenderedOutput],
    known: Mapping[str, OutputRow],
) -> tuple[str, ...]:
    """The files written whose part the search index reads changed, or may have: all but
    pages whose ``indexed`` hash is the one the last build recorded."""
    changed = []
    for path in written:
        made, row = rendered.get(path), known.get(path)
        if made is None or made.indexed is None or row is None or row.indexed != made.indexed:
            changed.append(path)
    return tuple(changed)


def _remember(session: Session | None, memory: Memory | None) -> None:
    if session is not None and memory is not None:
        session.parsed = memory


class _Ids(Mapping[str, frozenset[str]]):
    """Element ids of the pages just rendered, else as the plan knows them."""

    def __init__(
        self, fresh: Mapping[str, frozenset[str]], stored: Mapping[str, frozenset[str]]
    ) -> None:
        self._fresh, self._stored = fresh, stored

    def __getitem__(self, path: str) -> frozenset[str]:
        found = self._fresh.get(path)
        return self._stored[path] if found is None else found

    def __iter__(self) -> Iterator[str]:
        return iter(self._fresh.keys() | self._stored.keys())

    def __len__(self) -> int:
        return len(self._fresh.keys() | self._stored.keys())
