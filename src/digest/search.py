"""Full-text search: a Pagefind index of the posts and standalone pages, beside them.

Pagefind (PyPI ``pagefind[extended]``, whose binary segments Chinese and Japanese) runs
as a child process through its Python API. It rebuilds the whole index on every run, so a build asks
for one only when a post or page output changed, the index is missing, or the last
indexing did not finish (its mark, ``.digest-search-pending``, is still there).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from digest.config import Config
from digest.errors import BuildFailed, OutputError
from digest.model import Report, SearchJob, Site
from digest.urls import output_path
from digest.writer import write_files

SEARCH_FOLDER = "pagefind"
"""The index and Pagefind's scripts, under the output folder (``/pagefind/``)."""
PENDING = ".digest-search-pending"
"""In the output folder from the moment its pages changed until their index is written."""
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


def searchable(site: Site) -> tuple[str, ...]:
    """Output paths of the pages search finds: posts and standalone pages, not listings."""
    return tuple(sorted(output_path(post.url) for post in (*site.posts, *site.pages)))


SEGMENTED = ("zh", "ja")
"""Languages whose words Pagefind's extended binary finds in text without spaces."""


def search_language(site: Site) -> str:
    """The index's language: the site's, or Chinese (Japanese) when a post or page says it
    is written in one, since only an index in such a language finds its words; English
    words are found in it too (by their letters, without English stemming)."""
    own = _primary(site.config.language)
    if own in SEGMENTED:
        return own
    languages = {_primary(post.language) for post in (*site.posts, *site.pages)}
    return next((language for language in SEGMENTED if language in languages), own)


def _primary(tag: str) -> str:
    return tag.lower().replace("_", "-").split("-")[0]


def index_after_build(config: Config, output: Path, report: Report, *, later: bool) -> Report:
    """The build's report, once the index is current; with ``later``, the report names
    the index still to make (``digest serve`` makes it after the new pages are up)."""
    job = search_job(
        config, output, report.searchable, report.search_language, report.written, report.deleted
    )
    if job is None:
        return report
    if later:
        return replace(report, search=job)
    return replace(report, indexed=make_index(job))


def search_job(
    config: Config,
    output: Path,
    paths: Collection[str],
    language: str,
    written: Collection[str],
    deleted: Collection[str],
) -> SearchJob | None:
    """The index of ``paths`` to make after a build that wrote and deleted these output
    paths; None when search is off or the index on disk is current (no post or page was
    written, and no page removed: a removed post is no longer among ``paths``).

    From here until ``make_index`` finishes, the output carries the PENDING mark, so a
    build after an interrupted indexing makes the index again.
    """
    if not config.search:
        _remove(output / PENDING)
        return None
    indexed = set(paths)
    touched = any(path in indexed for path in written) or any(
        path.endswith(".html") for path in deleted
    )
    current = (output / SEARCH_FOLDER / _ENTRY).is_file() and not (output / PENDING).exists()
    if current and not touched:
        return None
    token = os.urandom(8).hex()
    (output / PENDING).write_text(token, encoding="utf-8")
    return SearchJob(
        output=str(output),
        paths=tuple(sorted(paths)),
        language=language or _primary(config.language),
        token=token,
    )


def make_index(job: SearchJob) -> int:
    """Index the job's pages into ``<output>/pagefind/``; returns how many were indexed.

    Pagefind reads the posts and pages where they are (never the listings, which have
    no ``data-pagefind-body`` either) and writes its bundle into a folder beside them;
    the writer then puts the bundle in place, all or nothing, leaving unchanged files
    untouched. Raises OutputError.
    """
    output = Path(job.output)
    for leftover in output.glob(f"{_STAGING}*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from an indexing that was killed
    staging = Path(tempfile.mkdtemp(dir=output, prefix=_STAGING))
    try:
        bundle = staging / "bundle"
        try:
            count = asyncio.run(_pagefind(output, _glob(job.paths), bundle, job.language))
        except Exception as error:  # Pagefind raises plain Exception
            raise OutputError(
                f"search index failed: {error}",
                str(output / SEARCH_FOLDER),
                hint="search = false in the config builds without it",
            ) from error
        files = {
            file.relative_to(bundle).as_posix(): file
            for file in sorted(bundle.rglob("*"))
            if file.is_file() and file.name not in _UNUSED
        }
        write_files(output / SEARCH_FOLDER, {}, files, mark=False)
        with suppress(OSError):
            if (output / PENDING).read_text(encoding="utf-8") == job.token:
                _remove(output / PENDING)  # else a later build's job is waiting
        return count
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_PLAIN = re.compile(r"[\w/.~-]+")
"""Output paths a glob names as they are (Pagefind's globs cannot escape every sign)."""
_NOTHING = ".digest-nothing.html"
"""A name no output has: a site without posts gets an empty index."""


def _glob(paths: Collection[str]) -> str:
    """The files Pagefind reads: the pages named, else (a name with signs a glob would
    read as pattern) every page, of which it indexes those with ``data-pagefind-body``."""
    if not paths:
        return _NOTHING
    if all(_PLAIN.fullmatch(path) for path in paths):
        return "{" + ",".join(paths) + "}"
    return "**/*.html"


async def _pagefind(site: Path, glob: str, bundle: Path, language: str) -> int:
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
    async with PagefindIndex(config=config) as index:
        added = await index.add_directory(str(site), glob=glob)
    return int(added["page_count"])


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
