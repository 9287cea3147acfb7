"""``digest serve``: build into a folder of its own, serve it, rebuild on every save.

The watcher only notes that something changed; one loop waits for a quiet moment, runs
the same ``build()`` as ``digest build``, and bumps the signal that open pages follow; the
search index is made after that, in the background. A failed build keeps the last good
pages and shows its problems over them; so does a build that fails by a bug of ours: the
preview keeps serving either way.
"""

from __future__ import annotations

import errno
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from digest.build import BuildOptions, Session, build
from digest.config import require_site
from digest.content import is_ignored
from digest.errors import (
    BuildFailed,
    DigestError,
    OutputError,
    sort_problems,
    summarized_warnings,
)
from digest.folders import CACHE_DIR, SERVE_DIR
from digest.livereload import PreviewServer, Signal
from digest.model import SearchJob
from digest.search import make_index

QUIET_SECONDS = 0.05
WATCHED = ("content", "templates", "static")
CONFIG_FILES = ("digest.toml", "pyproject.toml")
PORT_TRIES = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    build: BuildOptions
    host: str = "127.0.0.1"
    port: int = 8000
    port_given: bool = False
    """An explicit --port is used or refused; the default one may move to the next free port."""
    open_browser: bool = False
    debug: bool = False
    """Print the traceback of a build that failed by a bug (not by a mistake in the site)."""


class _Watcher(FileSystemEventHandler):
    """Collects the site-relative paths that changed, ignoring editor droppings."""

    def __init__(self, root: Path, ignored: tuple[Path, ...]) -> None:
        self.root = root.resolve()
        self.ignored = ignored
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.last = 0.0
        self.pending = threading.Event()
        self.observer: BaseObserver | None = None

    def watch(self, observer: BaseObserver) -> None:
        """Watch the config at the top and content/, templates/, static/ below it.

        Never the whole site folder: the preview's own output lives there, and the
        events of thousands of written pages would overflow the kernel's queue.
        """
        self.observer = observer
        observer.schedule(self, str(self.root), recursive=False)
        for name in WATCHED:
            if (self.root / name).is_dir():
                observer.schedule(self, str(self.root / name), recursive=True)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "created":
            created = Path(str(event.src_path))
            if created.parent == self.root and created.name in WATCHED and self.observer:
                self.observer.schedule(self, str(created), recursive=True)
                self._note(created)
            return  # the files in a new folder bring their own events
        if event.is_directory and event.event_type == "modified":
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self._note(Path(str(raw)))

    def _note(self, path: Path) -> None:
        try:
            relative = path.resolve().relative_to(self.root)
        except ValueError:
            return
        if any(path.resolve().is_relative_to(folder) for folder in self.ignored):
            return
        parts = relative.parts
        if not parts or any(is_ignored(part) for part in parts):
            return
        if parts[0] not in WATCHED and relative.as_posix() not in CONFIG_FILES:
            return
        with self.lock:
            self.paths.add(relative.as_posix())
            self.last = time.monotonic()
        self.pending.set()

    def take_when_quiet(self, stop: threading.Event) -> set[str]:
        """Wait for a change, then for QUIET_SECONDS without one; return what changed."""
        while not stop.is_set():
            if not self.pending.wait(timeout=0.5):
                continue
            while (quiet := time.monotonic() - self.last) < QUIET_SECONDS:
                time.sleep(QUIET_SECONDS - quiet)
            with self.lock:
                changed, self.paths = self.paths, set()
                self.pending.clear()
            if changed:
                return changed
        return set()


def serve(options: ServeOptions, say: Callable[[str], None] = print) -> int:
    """Run the preview until interrupted; returns the exit code."""
    root = options.build.root.resolve()
    require_site(root)
    output = options.build.output or root / SERVE_DIR
    signal = Signal()
    server = _start_server(options, output, signal, say)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    build_options = replace(
        options.build, root=root, output=output, base_url=address, search_later=True
    )
    indexer = _Indexer(signal, say, options.debug)

    def rebuild(changed: set[str]) -> None:
        signal.start_build()
        started = time.perf_counter()
        wrote = True
        warnings: list[str] = []
        warning_count = 0
        try:
            report = build(build_options, session)
        except BuildFailed as failure:
            problems = [str(p) for p in sort_problems(failure.problems)]
        except DigestError as error:
            problems = [str(error)]
        except Exception as error:  # noqa: BLE001 - a bug in one build must not end the preview
            if options.debug:
                traceback.print_exc()
            more = "" if options.debug else " (rerun with --debug)"
            problems = [f"internal error: {type(error).__name__}: {error}{more}"]
        else:
            problems = []
            wrote = bool(report.written or report.deleted)
            warnings = summarized_warnings(report.warnings)
            warning_count = len(report.warnings)
        took = time.perf_counter() - started
        what = ", ".join(sorted(changed)[:3]) + (" …" if len(changed) > 3 else "") or "start"
        css_only = bool(changed) and all(path.endswith(".css") for path in changed)
        new_warnings = None if problems else warnings
        told = signal.warnings
        signal.finish_build(
            problems,
            css_only=css_only,
            changed=wrote or not changed,
            warnings=new_warnings,
            warning_count=warning_count,
        )
        if not problems and report.search is not None:
            indexer.submit(report.search)  # after the pages are up: a build never waits
        stamp = time.strftime("%H:%M:%S")
        if problems:
            say(f"{stamp} {what}: build failed in {took:.2f} s; the last good pages stay up")
            for problem in problems:
                say(f"  {problem}")
        else:
            said = f", {warning_count} warning{'' if warning_count == 1 else 's'}"
            said = said if warning_count else ""
            say(
                f"{stamp} {what}: {len(report.rendered)} rendered, {len(report.written)} "
                f"written, {len(report.deleted)} removed in {took:.2f} s{said}"
            )
            if signal.warnings != told:  # said once, not again on every save
                for line in warnings:
                    say(f"  {line}")

    session = Session()
    stop = threading.Event()
    changes = _Watcher(root, (output.resolve(), (root / CACHE_DIR).resolve()))
    observer = Observer()
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        changes.watch(observer)
        indexer.start()
        rebuild(set())
        serving.start()
        observer.start()
        say(f"serving {address} (drafts and future posts shown); Ctrl-C to stop")
        if options.host not in ("127.0.0.1", "localhost", "::1"):
            say(f"warning: bound to {options.host}: anyone on your network can see drafts")
        if options.open_browser:
            # A thread: a console browser (w3m, lynx) runs until closed, and saves must
            # still rebuild meanwhile.
            threading.Thread(target=_open_browser, args=(address, say), daemon=True).start()
        while not stop.is_set():
            changed = changes.take_when_quiet(stop)
            if changed:
                rebuild(changed)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        indexer.stop()
        if observer.is_alive():
            observer.stop()
            observer.join(timeout=1)
        if serving.is_alive():
            server.shutdown()  # waits for serve_forever, so only when it runs
        server.server_close()
    return 0


class _Indexer:
    """Makes the search index after a build, in a thread of its own, one at a time (the
    newest build's only, when builds came faster), and tells open pages its state."""

    def __init__(self, signal: Signal, say: Callable[[str], None], debug: bool) -> None:
        self.signal = signal
        self.say = say
        self.debug = debug
        self.lock = threading.Lock()
        self.job: SearchJob | None = None
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)

    def submit(self, job: SearchJob) -> None:
        with self.lock:
            self.job = job
            self.signal.set_search("indexing")
        self.wake.set()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait()
            with self.lock:
                job, self.job = self.job, None
                self.wake.clear()
            if job is None or self.stopping.is_set():
                continue
            started = time.perf_counter()
            try:
                made = make_index(job)
            except DigestError as error:
                said = f"search index failed: {error}"
            except Exception as error:  # noqa: BLE001 - a bug must not end the preview
                if self.debug:
                    traceback.print_exc()
                said = f"search index failed: internal error: {type(error).__name__}: {error}"
            else:
                took = time.perf_counter() - started
                said = (
                    f"search: indexed {made.pages} pages ({made.shards} of {made.of} shards) "
                    f"in {took:.2f} s"
                )
            self.say(f"{time.strftime('%H:%M:%S')} {said}")
            with self.lock:
                if self.job is None:
                    self.signal.set_search("current")


def _open_browser(address: str, say: Callable[[str], None]) -> None:
    if not webbrowser.open(address):
        say(f"no browser found; open {address} yourself")


def _start_server(
    options: ServeOptions, output: Path, signal: Signal, say: Callable[[str], None]
) -> PreviewServer:
    output.mkdir(parents=True, exist_ok=True)
    tries = 1 if options.port_given or options.port == 0 else PORT_TRIES
    for offset in range(tries):
        port = options.port + offset
        try:
            server = PreviewServer((options.host, port), output, signal)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        if offset:
            say(f"port {options.port} is in use; using {port} instead")
        return server
    last = options.port + tries - 1
    ports = f"port {options.port}" if tries == 1 else f"ports {options.port}-{last}"
    raise OutputError(f"{ports} in use; choose another with --port", hint=None)
