"""Full-text search: a Pagefind index of the posts and standalone pages, beside them,
in shards (``shards.search_shards``: which pages each holds), each a bundle of its own.

Pagefind (PyPI ``pagefind[extended]``, whose binary segments Chinese and Japanese) runs
as child processes through its Python API. It makes a whole bundle on every run, so a
build indexes only the shards that are not current: what a page of theirs says changed
(not only its header or footer: ``shards.indexed_part``), their folder is missing, or the
last indexing did not finish them (its mark, ``.digest-search-pending``, names them).
The search page merges the shards' bundles.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from digest.config import Config
from digest.errors import BuildFailed, OutputError
from digest.model import Indexed, Report, SearchJob, Shard
from digest.shards import SEARCH_FOLDER, primary_language
from digest.writer import Staged, write_files

PENDING = ".digest-search-pending"
"""In the output folder from the moment its pages changed until their index is written:
a token (only the job that wrote it removes it), then the names of the shards to make."""
_STAGING = ".digest-search-"
_ENTRY = "pagefind-entry.json"
_UNUSED = frozenset(
    f"pagefind-{name}"
    for name in (
        "ui.js",
        "ui.css",
        "modular-ui.js",
        "modular-ui.css",
        "component-ui.js",
        "component-ui.css",
        "highlight.js",
    )
)
"""Pagefind's ready-made interfaces: the theme's search page uses its API (pagefind.js)."""
_SCRIPTS = frozenset({"pagefind.js", "pagefind-worker.js"})
"""Pagefind's API and its worker: the primary shard's are the search page's."""


def spared(config: Config, produced: Iterable[str]) -> tuple[str, ...]:
    """The output folders the build's prune must leave to this module; BuildFailed when
    the site's own pages or files (``produced`` output paths) would go there."""
    if not config.search:
        return ()
    clashes = sorted(path for path in produced if path.startswith(f"{SEARCH_FOLDER}/"))
    if clashes:
        raise BuildFailed(
            [
                OutputError(
                    f"{SEARCH_FOLDER}/ is the search index's folder: nothing else can go there",
                    path,
                    hint="move the file, or set search = false",
                )
                for path in clashes
            ]
        )
    return (SEARCH_FOLDER,)


def index_after_build(
    config: Config, output: Path, report: Report, *, jobs: int, later: bool
) -> Report:
    """The build's report, once the index is current; with ``later``, the report names
    the shards still to make (``digest serve`` makes them after the new pages are up)."""
    job = search_job(
        config, output, report.search_shards, report.search_language, report.reindex, jobs
    )
    if job is None:
        return report
    if later:
        return replace(report, search=job)
    return replace(report, indexed=make_index(job))


def search_job(
    config: Config,
    output: Path,
    shards: Sequence[Shard],
    language: str,
    changed: Collection[str],
    jobs: int,
) -> SearchJob | None:
    """The shards to index after a build that ``changed`` these output paths (pages
    written whose part the index reads changed: ``Report.reindex``); None when search
    is off or every shard on disk is current (``shard_is_current``) and no other folder
    is under ``pagefind/``.

    From here until ``make_index`` finishes, the output carries the PENDING mark naming
    the shards to do, so a build after an interrupted indexing makes them again.
    """
    if not config.search:
        _remove(output / PENDING)
        return None
    pending = _pending(output)
    paths = frozenset(changed)
    stale = tuple(
        shard.name for shard in shards if not shard_is_current(output, shard, paths, pending)
    )
    if not stale and _folders(output) <= {shard.name for shard in shards}:
        return None
    token = os.urandom(8).hex()
    (output / PENDING).write_text("\n".join((token, *stale)) + "\n", encoding="utf-8")
    return SearchJob(
        output=str(output),
        shards=tuple(shards),
        stale=stale,
        language=language or primary_language(config.language),
        token=token,
        jobs=jobs,
    )


def shard_is_current(
    output: Path, shard: Shard, changed: Collection[str], pending: Collection[str] | None
) -> bool:
    """Whether the shard's folder holds its index. It does not when:

    1. indexing never finished it (no ``pagefind-entry.json``: the writer puts a bundle
       in place all or nothing, so a folder with it holds a whole bundle), or
    2. this build wrote a page of it with other words for the index (``changed``: the
       folder's name says which pages it holds, not what they say), or
    3. an indexing that was to make it again did not finish (``pending`` names it; an
       unreadable mark, None, names every shard).
    """
    return (
        (output / SEARCH_FOLDER / shard.name / _ENTRY).is_file()
        and not any(path in changed for path in shard.paths)
        and pending is not None
        and shard.name not in pending
    )


def _pending(output: Path) -> frozenset[str] | None:
    """The shards an unfinished indexing named in its mark: none without a mark, every
    one (None) when the mark cannot be read (a build from before shards left it empty)."""
    try:
        lines = (output / PENDING).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError):
        return None
    return frozenset(lines[1:]) if lines else None


def _folders(output: Path) -> set[str]:
    """What is under ``pagefind/`` but dotfiles (a killed write's leftovers are the writer's)."""
    try:
        with os.scandir(output / SEARCH_FOLDER) as entries:
            return {entry.name for entry in entries if not entry.name.startswith(".")}
    except FileNotFoundError:
        return set()


def make_index(job: SearchJob) -> Indexed:
    """Index the job's stale shards into ``<output>/pagefind/<shard>/``, up to
    ``job.jobs`` at once, and remove every folder there that is no shard of the site.

    Pagefind reads the posts and pages where they are (never the listings, which have
    no ``data-pagefind-body`` either) and writes each bundle into a folder beside them;
    the writer then puts the bundles in place, all or nothing, leaving unchanged files
    and current shards untouched. Raises OutputError.
    """
    output = Path(job.output)
    for leftover in output.glob(f"{_STAGING}*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from an indexing that was killed
    staging = Path(tempfile.mkdtemp(dir=output, prefix=_STAGING))
    stale = [shard for shard in job.shards if shard.name in job.stale]
    try:
        try:
            counts = _index_all(output, stale, staging, job.language, job.jobs)
        except Exception as error:  # Pagefind raises plain Exception
            raise OutputError(
                f"search index failed: {error}",
                str(output / SEARCH_FOLDER),
                hint="search = false in the config builds without it",
            ) from error
        # Staged like rendered pages: new files move into place (a rename or a link), not a copy.
        files = {
            f"{shard.name}/{file.relative_to(staging / shard.name).as_posix()}": Staged(
                str(file), file.stat().st_size
            )
            for shard in stale
            for file in sorted((staging / shard.name).rglob("*"))
            if file.is_file() and _ships(file.name, primary=shard.primary)
        }
        current = [shard.name for shard in job.shards if shard.name not in job.stale]
        write_files(output / SEARCH_FOLDER, files, {}, spare=current, mark=False)
        with suppress(OSError):
            if (output / PENDING).read_text(encoding="utf-8").split("\n")[0] == job.token:
                _remove(output / PENDING)  # else a later build's job is waiting
        return Indexed(pages=sum(counts), shards=len(stale), of=len(job.shards))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_PLAIN = re.compile(r"[\w/.~-]+")
"""Output paths a glob names as they are (Pagefind's globs cannot escape every sign)."""
_NOTHING = ".digest-nothing.html"
"""A name no output has: a shard of no pages gets an empty index."""


def _index_all(
    site: Path, shards: Sequence[Shard], staging: Path, language: str, jobs: int
) -> list[int]:
    """Each shard's bundle into ``staging/<name>/``, ``jobs`` Pagefind processes at most
    at once; the pages each indexed."""
    import asyncio  # only a build that indexes needs it: the others start faster without

    async def all_shards() -> list[int]:
        slots = asyncio.Semaphore(max(1, jobs))

        async def one(shard: Shard) -> int:
            async with slots:
                return await _pagefind(site, shard.paths, staging / shard.name, language)

        return list(await asyncio.gather(*(one(shard) for shard in shards)))

    return asyncio.run(all_shards())


async def _pagefind(site: Path, paths: Sequence[str], bundle: Path, language: str) -> int:
    # Imported here: the binary is found and started only by a build that indexes.
    from pagefind.index import IndexConfig, PagefindIndex

    # One index in the site's language, so a page in another language is still found
    # from the search page (Pagefind would otherwise split the index by <html lang>).
    # Leaving the block writes the bundle (and only then: not after an error).
    config: IndexConfig = {
        "force_language": language,
        "output_path": str(bundle),
        # The "#" after each heading and the table of contents repeat what is there.
        "exclude_selectors": [".heading-anchor", ".toc"],
    }
    plain = [path for path in paths if _PLAIN.fullmatch(path)]
    # A name with signs a glob would read as a pattern is handed over with its URL.
    signed = [path for path in paths if not _PLAIN.fullmatch(path)]
    async with PagefindIndex(config=config) as index:
        glob = "{" + ",".join(plain) + "}" if plain else _NOTHING
        added = await index.add_directory(str(site), glob=glob)
        for path in signed:
            page = (site / path).read_text(encoding="utf-8")
            await index.add_html_file(content=page, url="/" + path.removesuffix("index.html"))
    return int(added["page_count"]) + len(signed)


def _ships(name: str, *, primary: bool) -> bool:
    """Whether a file of a shard's bundle goes into the output: never Pagefind's ready-made
    interfaces, and its scripts and wasm only in the primary's (the search page's
    ``mergeIndex`` loads the other bundles with ``load_wasm: false``, sharing those)."""
    if name in _UNUSED:
        return False
    return primary or not (name in _SCRIPTS or name.startswith("wasm."))


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
