"""The quick build: when only posts' bodies changed, render just the pages that show them.

Layer 7: imports checks, content, errors, fingerprints, inputs, model, pages, site,
state, templates and writer.

The cache can prove that the full build would come to the same site: the same code,
configuration, options, templates, copied files and list of posts (one hash, the
frame), no future post come due, every output file as the last build wrote it, and each
changed post parsing to the same card (everything a listing can show). Then home pages,
archives and tags are unchanged by construction, and only the pages that show a changed
post whole (the cache recorded which) are rendered again, from their stored recipes.
Anything else (an error, a changed card, changed element ids) is left to the full
build, so this is a shortcut through the same result, never a second kind of site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from digest.checks import check_references
from digest.content import ParsedPost, decode_post
from digest.errors import BuildFailed, DigestError, sort_problems
from digest.fingerprints import Stat, trusted
from digest.inputs import (
    BuildOptions,
    Inputs,
    PostFile,
    PostStat,
    Session,
    current_time,
    read_post,
    unchanged_file,
)
from digest.model import Post, Report
from digest.pages import Fingerprints, render_outputs
from digest.site import link_markdown_files
from digest.state import Changes, PostRow, Store
from digest.templates import templates_for
from digest.writer import leftovers, write_files


def quick_build(
    options: BuildOptions, inputs: Inputs, store: Store, session: Session | None
) -> Report | None:
    """The build's report when only post bodies changed (or nothing); else None."""
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
    changed, touched, rows = found
    output = inputs.output
    written = store.output_stats()
    copies = store.copy_rows()
    if set(copies) != set(inputs.copies):
        return None
    if not all(unchanged_file(f"{output}/{path}", stat) for path, stat in written.items()):
        return None
    if not all(unchanged_file(f"{output}/{path}", row.written) for path, row in copies.items()):
        return None
    if not changed:
        if touched:
            store.save(Changes(posts=touched, frame=inputs.frame, report=last))
        files = len(written) + len(copies)
        return replace(
            last, written=(), unchanged=files, rendered=(), deleted=(), output=str(output)
        )

    parsed = _parse(changed, inputs)
    urls = store.meta("urls")
    if parsed is None or not isinstance(urls, dict):
        return None
    if any(item.post.card != rows[item.post.source].card for item in parsed.values()):
        return None  # a listing shows something else now: the full build decides

    affected = sorted(store.pages_showing(parsed))
    changed_posts = {source: item.post for source, item in parsed.items()}
    needed = store.shown_by(affected) | set(changed_posts)
    known = _known_posts(store, session, changed_posts, needed)
    # As in the full build: links to other posts' Markdown files point at their pages.
    published_urls: Mapping[str, str] = urls
    known = {
        source: next(link_markdown_files([post], published_urls, inputs.config.base_path))
        if source in published_urls
        else post
        for source, post in known.items()
    }
    recipes = store.recipes(affected, known.__getitem__)
    outputs = [recipes[path] for path in affected]
    templates = templates_for(options.root, inputs.config)
    fingerprints = Fingerprints(templates)
    new = {o.path: fingerprints.of(o) for o in outputs}
    old = store.fingerprints(new)
    to_render = [o for o in outputs if old.get(o.path) != new[o.path]]
    made = render_outputs(fingerprints, to_render, inputs.config, jobs=1)
    pages = {path: rendered.data for path, rendered in made.items()}
    new_ids = {path: r.ids for path, r in made.items() if r.ids is not None}
    if store.ids(new_ids) != new_ids:
        return None  # #fragment links elsewhere may break or heal: check everything

    config = inputs.config
    existing = set(written) | set(copies)
    published = [known[source] for source in changed_posts if source in urls]
    findings = check_references(config, published, existing, _StoredIds(store, new_ids), urls)
    kept = [w for w in store.warnings() if w.path not in parsed]
    new_warnings = [w for item in parsed.values() for w in item.warnings] + findings
    warnings = sort_problems(kept + new_warnings)
    if config.strict and warnings:
        raise BuildFailed(warnings)

    result = write_files(output, pages, {}, prune=False)
    report = replace(
        last,
        written=result.written,
        unchanged=len(written) + len(copies) - len(result.written),
        rendered=tuple(sorted(pages)),
        deleted=(),
        warnings=tuple(str(w) for w in warnings),
        output=str(output),  # the site may have moved since the last build
    )
    posts: dict[str, tuple[Stat, str, ParsedPost | None]] = dict(touched)
    for source, item in parsed.items():
        stat, digest = changed[source][1], changed[source][0].hash
        posts[source] = (stat, digest, item)
        if session is not None:
            session.parsed[source] = (digest, item)
    store.save(
        Changes(
            posts=posts,
            outputs={
                path: (new[path], result.stats[path], rendered.ids, rendered.recipe)
                for path, rendered in made.items()
            },
            warnings=list(warnings),
            frame=inputs.frame,
            report=report,
        )
    )
    return report


_Found = tuple[
    dict[str, tuple[PostFile, Stat]],
    dict[str, tuple[Stat, str, ParsedPost | None]],
    dict[str, PostRow],
]


def _changed_posts(inputs: Inputs, store: Store) -> _Found | None:
    """Posts whose bytes changed, posts only touched (same bytes, new time) and what the
    cache knew of both; None when a post cannot be read or the cache does not know it."""
    saved_ns = store.saved_ns
    stats = store.post_stats()
    if len(stats) != len(inputs.posts):
        return None
    suspects: list[PostStat] = []
    for post in inputs.posts:
        recorded = stats.get(post.source)
        if recorded is None or post.stat is None:
            return None
        if not trusted(recorded, post.stat, saved_ns, racy=True):
            suspects.append(post)
    rows = store.post_rows(post.source for post in suspects)
    changed: dict[str, tuple[PostFile, Stat]] = {}
    touched: dict[str, tuple[Stat, str, ParsedPost | None]] = {}
    for post in suspects:
        assert post.stat is not None
        row = rows[post.source]
        file = read_post(post)
        if file.error:
            return None
        if file.hash == row.hash:
            touched[post.source] = (post.stat, file.hash, None)
        else:
            changed[post.source] = (file, post.stat)
    return changed, touched, rows


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
    """Element ids of pages, read from the cache only for the pages a link points to."""

    def __init__(self, store: Store, fresh: Mapping[str, frozenset[str]]) -> None:
        self._store = store
        self._fresh = fresh

    def __getitem__(self, path: str) -> frozenset[str]:
        if path in self._fresh:
            return self._fresh[path]
        return self._store.ids([path])[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.ids())

    def __len__(self) -> int:
        return len(self._store.ids())
