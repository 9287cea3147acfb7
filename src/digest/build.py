"""The one build path: config → posts → site → outputs → rendered files → disk.

Layer 6: the only module that wires the stages together. ``digest build`` calls
``build`` once; ``digest serve`` will call the same function again on every change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.checks import check_references, page_ids
from digest.config import Config, load_config
from digest.content import CONTENT_DIR, ParsedPost, load_post, scan
from digest.errors import BuildFailed, ContentError, DigestError, OutputError, sort_problems
from digest.feeds import render_builtin
from digest.model import Output, Report, Site
from digest.parallel import default_jobs, ordered_map
from digest.routes import plan
from digest.site import assemble
from digest.templates import Templates
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
    strict: bool = False
    """Treat warnings (broken links, missing alt text, …) as errors; also config ``strict``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Produced:
    """A site rendered in memory, not yet written."""

    config: Config
    output: Path
    site: Site
    pages: dict[str, bytes]
    copies: dict[str, Path]
    warnings: tuple[DigestError, ...]


def produce(options: BuildOptions) -> Produced:
    """Everything of a build but writing; raises BuildFailed listing every problem."""
    root = options.root
    overrides: dict[str, Any] = {}
    if options.base_url is not None:
        overrides["base_url"] = options.base_url
    if options.strict:
        overrides["strict"] = True
    config = load_config(root, overrides)
    output = check_output_folder(root, options.output or root / config.output)

    post_paths, asset_paths = scan(root)
    jobs = options.jobs or default_jobs()
    parsed = _load_posts(root, post_paths, config, jobs)
    site = assemble(
        config,
        [item.post for item in parsed],
        now=options.now or _now(),
        drafts=options.drafts,
        future=options.future,
    )
    outputs = plan(site)
    pages = _render(Templates(root, config), outputs, config, jobs)
    copies = _copies(root, asset_paths, output)
    _refuse_overlaps(pages, copies, outputs)
    findings = check_references(config, site.posts, outputs, page_ids(pages), copies)
    warnings = tuple(sort_problems([w for item in parsed for w in item.warnings] + findings))
    return Produced(
        config=config, output=output, site=site, pages=pages, copies=copies, warnings=warnings
    )


def build(options: BuildOptions) -> Report:
    """Build the site; raises BuildFailed (every problem listed) and writes nothing then.

    With ``strict`` (option or config) warnings are problems too.
    """
    started = time.perf_counter()
    produced = produce(options)
    if produced.config.strict and produced.warnings:
        raise BuildFailed(produced.warnings)
    result = write_files(produced.output, produced.pages, produced.copies)
    site = produced.site
    return Report(
        written=result.written,
        unchanged=result.unchanged,
        copied=len(produced.copies),
        deleted=result.deleted,
        warnings=tuple(str(w) for w in produced.warnings),
        seconds=time.perf_counter() - started,
        posts=len(site.posts),
        pages=len(produced.pages),
        output=str(produced.output),
        skipped_drafts=site.skipped_drafts,
        skipped_future=site.skipped_future,
        next_future=site.next_future,
    )


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _load_posts(root: Path, paths: list[Path], config: Config, jobs: int) -> list[ParsedPost]:
    def load(index: int) -> ParsedPost | list[DigestError]:
        path = paths[index]
        try:
            return load_post(root, path, config)
        except BuildFailed as failure:
            return list(failure.problems)
        except DigestError as error:
            return [error]
        except OSError as error:
            source = path.relative_to(root).as_posix()
            return [ContentError(f"cannot read: {error.strerror}", source)]

    results = ordered_map(load, len(paths), jobs)
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise BuildFailed(problems)
    return [result for result in results if isinstance(result, ParsedPost)]


def _render(
    templates: Templates, outputs: list[Output], config: Config, jobs: int
) -> dict[str, bytes]:
    def render(index: int) -> bytes | DigestError:
        output = outputs[index]
        if output.template.startswith(BUILTIN):
            return render_builtin(config, output.template, output.context)
        try:
            return templates.render(output.template, output.context).encode("utf-8")
        except DigestError as error:
            return error

    results = ordered_map(render, len(outputs), jobs)
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


def _refuse_overlaps(
    pages: Mapping[str, bytes], copies: Mapping[str, Path], outputs: list[Output]
) -> None:
    sources = {output.path: output.source for output in outputs}
    clashes = [
        OutputError(
            f"{copies[path]} would overwrite the page made from {sources[path]}", str(copies[path])
        )
        for path in sorted(set(pages) & set(copies))
    ]
    if clashes:
        raise BuildFailed(clashes)
