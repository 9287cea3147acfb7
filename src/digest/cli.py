"""The ``digest`` command: parse arguments, run a command, turn errors into lines.

Imports the commands lazily so ``digest --help`` starts fast. Exit codes: 0 done, 1 a
problem in the site (config, content, templates, output), 2 bad usage.
"""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from digest import __version__
from digest.folders import (
    CACHE_DIR,
    CONTENT_DIR,
    OUTPUT_DIR,
    SERVE_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
)

if TYPE_CHECKING:
    from digest.build import BuildOptions

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build a static site of dated news digests from Markdown posts.",
        epilog="Run 'digest COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="build the site into its output folder",
        description="Build the site at SOURCE (default: the current folder).",
        epilog="example: digest build --base-url https://example.org/news/ --output dist",
    )
    _site_options(build)
    build.add_argument("-o", "--output", type=Path, help="output folder (default: config 'output')")
    build.add_argument(
        "--clean", action="store_true", help=f"ignore {CACHE_DIR}/: parse and render everything"
    )

    check = commands.add_parser(
        "check",
        help="report problems without writing anything",
        description=(
            "Read and render the site like 'digest build', write nothing, and list every "
            "problem as path:line: message: front matter, dates, duplicate URLs, broken "
            "local links and #fragments, missing images, images without alt text, "
            "root-relative links that miss a sub-path base URL. Posts dated in the future "
            "are checked too (the scheduled build of their day must not be the first to "
            "see them); drafts with --drafts."
        ),
        epilog="example: digest check --strict --base-url https://example.org/news/",
    )
    _site_options(check)

    serve = commands.add_parser(
        "serve",
        help="preview the site while you write: rebuilds and reloads on every save",
        description=(
            f"Build the site into {SERVE_DIR}/ (never {OUTPUT_DIR}/), serve it, and rebuild "
            f"on every change to {CONTENT_DIR}/, {TEMPLATES_DIR}/, {STATIC_DIR}/ or the config. "
            "Open pages "
            "reload by themselves and show build errors over the page."
        ),
        epilog="example: digest serve --port 8080 --open",
    )
    serve.add_argument("-s", "--source", type=Path, default=Path(), help="site folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000, or the next free one)")
    serve.add_argument(
        "--drafts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show drafts and future posts (default: yes)",
    )
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument(
        "-j", "--jobs", type=_positive, help="worker processes (default: every core)"
    )
    serve.add_argument("--debug", action="store_true", help="show tracebacks for errors")

    init = commands.add_parser(
        "init",
        help="start a new site: config, an example post, .gitignore, publishing workflow",
        description=(
            "Create a ready site in DIR (default: the current folder): digest.toml with "
            "every setting, content/ with an example digest, .gitignore, requirements.txt, "
            "the GitHub Pages workflow and a README. Refuses a folder that has files, "
            "unless --force; never overwrites a file."
        ),
        epilog=(
            "example: digest init ai-daily --title 'AI 日报' --language zh-CN "
            "--timezone Asia/Shanghai"
        ),
    )
    init.add_argument("folder", nargs="?", type=Path, default=Path(), metavar="DIR")
    init.add_argument("--title", default="My digest", help="site title (default: My digest)")
    init.add_argument("--language", help="site language such as zh-CN (default: from $LANG)")
    init.add_argument("--timezone", help="IANA timezone (default: this machine's)")
    init.add_argument(
        "--force", action="store_true", help="add missing files to a folder that has files"
    )
    init.add_argument("--debug", action="store_true", help="show tracebacks for errors")

    new = commands.add_parser(
        "new",
        help="start a day's digest from the archetype",
        description=(
            "Create the post for DATE (default: today in the site timezone) from "
            "templates/archetypes/post.md (or the built-in one), at the path the site's "
            "newest post uses, as a draft (delete its draft: true line to publish). "
            "Prints the path; never overwrites."
        ),
        epilog="example: digest new tomorrow --title 'Gemini 与 Sora' --tags 模型,视频 --edit",
    )
    new.add_argument(
        "date",
        nargs="?",
        default="today",
        metavar="DATE",
        help="2024-02-19, 2024/02/19, today (default), yesterday or tomorrow",
    )
    new.add_argument("-s", "--source", type=Path, default=Path(), help="site folder")
    new.add_argument("--title", default="", help="title (default: none, the date is shown)")
    new.add_argument("--slug", default="", help="URL slug, for a second post on one day")
    new.add_argument("--tags", default="", help="comma-separated tags: --tags 模型,OpenAI")
    new.add_argument("--edit", action="store_true", help="open the post in $VISUAL or $EDITOR")
    new.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    return parser


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-s", "--source", type=Path, default=Path(), help="site folder")
    parser.add_argument("--base-url", help="public URL of the site, e.g. https://example.org/news/")
    parser.add_argument("--drafts", action="store_true", help="include posts with 'draft: true'")
    parser.add_argument("--future", action="store_true", help="include posts dated in the future")
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings (broken links, alt text) as errors"
    )
    parser.add_argument(
        "-j", "--jobs", type=_positive, help="worker processes (default: every core)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")


class _Stopped(BaseException):
    """SIGTERM arrived: stop as Ctrl-C does (a BaseException, so nothing swallows it)."""


def _stop(number: int, frame: object) -> None:
    raise _Stopped(number)


GC_FIRST_GENERATION = 20_000
"""Objects allocated between the collector's youngest passes (Python's default: 700).
Parsing Markdown makes many short-lived tokens, freed by their counts, not cycles: at 700
the collector ran 712 times for 1,000 posts; at 20,000 once or twice, and parsing takes
5 % less CPU."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gc.set_threshold(GC_FIRST_GENERATION, *gc.get_threshold()[1:])
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "init":
            return _init(args)
        if args.command == "new":
            return _new(args)
    except Exception as error:  # noqa: BLE001 - every failure must end as one clear line
        return _report_failure(error, command=args.command, debug=args.debug)
    except (KeyboardInterrupt, _Stopped) as stopped:
        # Writing holds these signals until its files are all in place or all put back.
        name = "SIGTERM" if isinstance(stopped, _Stopped) else "Ctrl-C"
        print(f"digest: stopped by {name}; no file was left half-written", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(stopped, _Stopped) else signal.SIGINT)
    return EXIT_USAGE


def _options(args: argparse.Namespace) -> BuildOptions | None:
    from digest.build import BuildOptions

    root = _site_root(args)
    if root is None:
        return None
    output: Path | None = getattr(args, "output", None)
    return BuildOptions(
        root=root,
        output=output if output is None or output.is_absolute() else Path.cwd() / output,
        base_url=args.base_url,
        drafts=args.drafts,
        future=args.future,
        strict=args.strict,
        jobs=args.jobs,
        clean=getattr(args, "clean", False),
    )


def _serve(args: argparse.Namespace) -> int:
    from digest.build import BuildOptions
    from digest.serve import ServeOptions, serve

    root = _site_root(args)
    if root is None:
        return EXIT_USAGE
    options = ServeOptions(
        build=BuildOptions(root=root, drafts=args.drafts, future=args.drafts, jobs=args.jobs),
        host=args.host,
        port=8000 if args.port is None else args.port,
        port_given=args.port is not None,
        open_browser=args.open,
        debug=args.debug,
    )
    return serve(options, say=lambda line: print(line, flush=True))


def _progress_bar() -> Callable[[str, int, int], None] | None:
    """A one-line bar on an interactive terminal, shown once a build has taken a second."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    width = 30

    def show(stage: str, done: int, total: int) -> None:
        if time.monotonic() - started < 1 or total == 0:
            return
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        end = "\r" if done < total else "\r\033[K"
        text = f"{stage:<9} [{bar}] {done}/{total}" if done < total else ""
        sys.stderr.write(f"\r{text}{end}")
        sys.stderr.flush()

    return show


def _check(args: argparse.Namespace) -> int:
    """Everything a build would say, including posts dated in the future: a post due
    tomorrow is where tomorrow's scheduled build would fail, so it is checked today."""
    from digest.build import produce
    from digest.errors import BuildFailed, line_of, sort_problems

    options = _options(args)
    if options is None:
        return EXIT_USAGE
    options = replace(options, future=True)
    covered = "future ones included, drafts " + (
        "included" if options.drafts else "left out (--drafts)"
    )
    try:
        produced = produce(options)
    except BuildFailed as failure:
        for problem in sort_problems(failure.problems):
            print(line_of(problem))
        print(f"check found {_count(len(failure.problems), 'problem')}")
        return EXIT_PROBLEM
    for warning in produced.warnings:
        print(line_of(warning))
    count = len(produced.warnings)
    posts = _count(produced.summary.posts, "post")
    if not count:
        print(f"checked {posts}, {covered}: no problems")
        return EXIT_OK
    print(f"checked {posts}, {covered}: {_count(count, 'warning')}")
    return EXIT_PROBLEM if produced.config.strict else EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from digest.build import build
    from digest.errors import summarized_warnings

    options = _options(args)
    if options is None:
        return EXIT_USAGE
    report = build(replace(options, progress=_progress_bar()))
    for line in summarized_warnings(report.warnings):
        print(line, file=sys.stderr)
    left_out = []
    if report.skipped_drafts:
        left_out.append(_count(report.skipped_drafts, "draft"))
    if report.skipped_future and report.next_future:
        due = report.next_future.strftime("%Y-%m-%d %H:%M %z")
        left_out.append(f"{_count(report.skipped_future, 'future post')} (next due {due})")
    if left_out:
        print(f"left out {' and '.join(left_out)}; --drafts / --future include them")
    if report.indexed is not None:
        made = report.indexed
        print(f"search: indexed {_count(made.pages, 'page')} ({made.shards} of {made.of} shards)")
    print(
        f"built {_count(report.posts, 'post')} into {_count(report.pages, 'page')} "
        f"({len(report.rendered)} rendered): {len(report.written)} files written, "
        f"{report.unchanged} unchanged, "
        f"{len(report.deleted)} removed, in {report.seconds:.2f} s → {_shown(report.output)}"
    )
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from digest.build import current_time
    from digest.errors import UsageError
    from digest.scaffold import (
        init_site,
        installed_pin,
        local_language,
        local_timezone,
        today_in,
    )

    timezone = args.timezone or local_timezone()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown timezone {timezone!r} (use a name such as Asia/Shanghai)"
        ) from None
    folder: Path = args.folder
    pin = installed_pin(__version__)
    created = init_site(
        folder,
        title=args.title,
        language=args.language or local_language(),
        timezone=timezone,
        today=today_in(zone, current_time()),
        requirements=pin.text,
        force=args.force,
    )
    for name in created.written:
        print(f"created {_shown(str(folder / name))}")
    for name in created.kept:
        print(f"kept    {_shown(str(folder / name))} (already there)")
    if pin.warning and "requirements.txt" in created.written:
        print(f"warning: {pin.warning}", file=sys.stderr)
    go = "" if folder.resolve() == Path.cwd() else f"cd {shlex.quote(_shown(str(folder)))} && "
    print(f"next: {go}digest new && digest serve")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from digest.build import current_time
    from digest.config import load_config
    from digest.content import split_tags
    from digest.errors import UsageError
    from digest.scaffold import new_post, parse_day, today_in
    from digest.urls import slugify

    root = _site_root(args)
    if root is None:
        return EXIT_USAGE
    config = load_config(root)
    day = parse_day(args.date, today_in(config.zone, current_time()))
    slug = slugify(args.slug) if args.slug else ""
    if args.slug and not slug:
        raise UsageError(f"--slug {args.slug!r} has no letters or digits to use")
    tags = [tag for tag in split_tags(args.tags) if tag]
    path = new_post(root, config, day=day, title=args.title, slug=slug, tags=tags)
    print(_shown(str(path.resolve())))
    return _edit(path) if args.edit else EXIT_OK


def _edit(path: Path) -> int:
    """Open ``path`` in the writer's editor and wait for it, like git commit does."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        print("digest: set $VISUAL or $EDITOR to open new posts with --edit", file=sys.stderr)
        return EXIT_PROBLEM
    command = [*shlex.split(editor), str(path)]
    try:
        done = subprocess.run(command, check=False)
    except OSError as error:
        print(f"digest: error: cannot run the editor {editor!r}: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK if done.returncode == 0 else EXIT_PROBLEM


def _report_failure(error: Exception, *, command: str, debug: bool) -> int:
    from digest.errors import BuildFailed, DigestError, UsageError, line_of, sort_problems

    if debug:
        traceback.print_exc()
    if isinstance(error, BuildFailed):
        for problem in sort_problems(error.problems):
            print(line_of(problem), file=sys.stderr)
        print(f"digest: {error.message}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEM
    if isinstance(error, UsageError):
        print(f"digest: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(error, DigestError):
        print(error, file=sys.stderr)
        print(f"digest: {command} failed; nothing was written", file=sys.stderr)
        return EXIT_PROBLEM
    if isinstance(error, OSError):
        print(f"digest: error: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    if not debug:
        name = type(error).__name__
        print(f"digest: internal error: {name}: {error} (rerun with --debug)", file=sys.stderr)
    return EXIT_PROBLEM


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _shown(path: str) -> str:
    """A path as the user would type it: relative when it is below the current folder."""
    absolute = Path(path)
    return os.path.relpath(absolute) if absolute.is_relative_to(Path.cwd()) else path


def _site_root(args: argparse.Namespace) -> Path | None:
    """The site folder of ``--source``, or None (after saying so) when it does not exist."""
    root: Path = args.source
    if root.is_dir():
        return root
    print(f"digest: error: site folder {root} does not exist", file=sys.stderr)
    return None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)
