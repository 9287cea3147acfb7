"""The preview server: serves one folder safely and tells open pages when to reload.

``serve`` hands it a folder and a ``Signal`` to follow. Standard library only:
ThreadingHTTPServer and Server-Sent Events.

What it guarantees: nothing outside the folder is ever served (``..``, encoded slashes
and backslashes, NUL, dotfiles, symlinks that leave it); HTML waits while a build runs
and gets the reload script injected (so built files equal ``digest build`` output);
nothing is cached (no ``304`` from coarse file times); byte ranges work for media.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

EVENTS_PATH = "/__digest/events"
SCRIPT_PATH = "/__digest/reload.js"
MAX_URL = 2048
IDLE_SECONDS = 15
BUILD_WAIT_SECONDS = 30

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".mp3": "audio/mpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}
# A position of more than 18 digits (an exabyte) is no range of any file here: 416, and
# int() never sees thousands of digits (Python refuses to read more than 4300).
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
"""Bind addresses that listen on every interface of the machine."""


@dataclass
class Signal:
    """What browsers follow: a version that goes up after each build, and its outcome."""

    version: int = 0
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """Of the last good build, as the terminal says them (a few of each kind, then how
    many more): shown in a small panel, not over the page. Every page carries them, so
    a site with 25,000 images without alt text must not send 25,000 lines with each."""
    warning_count: int = 0
    css_only: bool = False
    building: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    search: str = ""
    """The search index: "indexing" while it is made after a build, then "current"; ""
    without search. Sent as its own event, so it never reloads a page."""
    search_changes: int = 0

    def start_build(self) -> None:
        self.building.set()

    def finish_build(
        self,
        problems: Iterable[str],
        *,
        css_only: bool,
        changed: bool = True,
        warnings: Iterable[str] | None = None,
        warning_count: int = 0,
    ) -> None:
        """Announce a build; one that changed no file and fixed or broke nothing is silent.
        A failed build (``problems``) keeps the warnings of the last good one;
        ``warnings`` are the lines to show of ``warning_count`` warnings."""
        with self.changed:
            problems = tuple(problems)
            said = self.warnings if warnings is None else tuple(warnings)
            count = self.warning_count if warnings is None else warning_count
            if changed or problems != self.problems or said != self.warnings:
                self.version += 1
            self.problems = problems
            self.warnings = said
            self.warning_count = count
            self.css_only = css_only and not self.problems
            self.building.clear()
            self.changed.notify_all()

    def set_search(self, state: str) -> None:
        with self.changed:
            self.search = state
            self.search_changes += 1
            self.changed.notify_all()

    def search_message(self) -> str:
        return json.dumps({"state": self.search})

    def message(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "problems": list(self.problems),
                "warnings": list(self.warnings),
                "warning_count": self.warning_count,
                "css": self.css_only,
            },
            ensure_ascii=False,
        )


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A page load opens many connections at once (styles, scripts, images, events); the
    # default backlog of 5 would leave the rest waiting for the client's SYN retry.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], folder: Path, signal: Signal) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.folder = folder.resolve()
        self.signal = signal
        self.stopping = threading.Event()
        super().__init__(address, PreviewHandler)
        host, port = self.server_address[:2]
        names = {str(host), "localhost", "127.0.0.1", "[::1]", "::1"}
        if str(host) in WILDCARDS:
            # Reachable from the network (a phone on the LAN): the machine's own name too.
            # Its addresses are checked per connection (see PreviewHandler._host_allowed).
            hostname = socket.gethostname().lower()
            names |= {hostname, f"{hostname}.local"}
        self.allowed_hosts = {f"{name}:{port}" for name in names} | names

    def shutdown(self) -> None:
        self.stopping.set()
        with self.signal.changed:
            self.signal.changed.notify_all()
        super().shutdown()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    server_version = "digest-preview"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _refuse(self, status: HTTPStatus, text: str = "") -> None:
        body = (text or status.phrase).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _respond(self, *, head: bool) -> None:
        if len(self.path) > MAX_URL:
            self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self._host_allowed(self.headers.get("Host", "").lower()):
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host; open the preview address")
            return
        raw_path = urlsplit(self.path).path
        if raw_path == EVENTS_PATH:
            self._events()
            return
        if raw_path == SCRIPT_PATH:
            self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8", head=head)
            return
        target = self._resolve(raw_path)
        if isinstance(target, HTTPStatus):
            self._refuse(target)
            return
        if isinstance(target, str):
            self._redirect(target)
            return
        if target is None:
            self._not_found(head=head)
            return
        if target.suffix == ".html":
            # The version first, then the file: a page may be newer than its version
            # (one extra reload) but never older (a stale page that never reloads).
            version = self.server.signal.version
            self._html(target.read_bytes(), HTTPStatus.OK, head=head, version=version)
            return
        self._file(target, head=head)

    def _host_allowed(self, host: str) -> bool:
        """A known name, or the address this connection was made to, written as an IP.

        Against DNS rebinding: a page from another site that reaches this server sends that
        site's name as Host, never one of ours. An IP literal that is the local address of
        the connection is ours, whichever interface it came in by (0.0.0.0 listens on all).
        """
        if host in self.server.allowed_hosts:
            return True
        if host.startswith("["):  # an IPv6 address: [::1]:8000
            name, _, rest = host[1:].partition("]")
            port = rest.removeprefix(":")
        else:
            name, _, port = host.partition(":")
        if port not in ("", str(self.server.server_address[1])):
            return False
        return _same_address(name, str(self.connection.getsockname()[0]))

    def _resolve(self, raw_path: str) -> Path | HTTPStatus | str | None:
        """The file for a request path: None when there is none, a status when refused,
        a string when the browser should go there instead (a folder without its slash)."""
        lowered = raw_path.lower()
        if "%00" in lowered or "\x00" in raw_path or "%2f" in lowered or "%5c" in lowered:
            return HTTPStatus.BAD_REQUEST
        path = unquote(raw_path)
        if "\\" in path or "\x00" in path or not path.startswith("/"):
            return HTTPStatus.BAD_REQUEST
        parts = [part for part in path.split("/") if part]
        if any(part in (".", "..") for part in parts):
            return HTTPStatus.BAD_REQUEST
        if any(part.startswith(".") for part in parts):
            return None
        candidate = self.server.folder.joinpath(*parts) if parts else self.server.folder
        if candidate.is_dir():
            if not path.endswith("/"):
                return raw_path + "/"
            candidate = candidate / "index.html"
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.server.folder) or not real.is_file():
            return None
        return real

    def _redirect(self, location: str) -> None:
        # One leading slash, always: "//tags/" (from "GET http://x//tags") would send the
        # browser to the host "tags".
        location = "/" + location.lstrip("/")
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _not_found(self, *, head: bool) -> None:
        version = self.server.signal.version
        page = self.server.folder / "404.html"
        data = page.read_bytes() if page.is_file() else b"<!doctype html><title>404</title>"
        self._html(data, HTTPStatus.NOT_FOUND, head=head, version=version)

    def _html(self, data: bytes, status: HTTPStatus, *, head: bool, version: int) -> None:
        signal = self.server.signal
        if signal.building.is_set():
            # Never answer with a page the running build is about to replace.
            with signal.changed:
                signal.changed.wait_for(
                    lambda: not signal.building.is_set() or self.server.stopping.is_set(),
                    timeout=BUILD_WAIT_SECONDS,
                )
            version = signal.version
            data = self._reread(data)
        tag = (
            f'<script src="{SCRIPT_PATH}" data-version="{version}" '
            f'data-state="{_escape(signal.message())}" '
            f'data-search="{_escape(signal.search)}"></script>'
        ).encode()
        at = data.rfind(b"</body>")
        data = data[:at] + tag + data[at:] if at >= 0 else data + tag
        self._send(data, CONTENT_TYPES[".html"], head=head, status=status)

    def _reread(self, data: bytes) -> bytes:
        target = self._resolve(urlsplit(self.path).path)
        return target.read_bytes() if isinstance(target, Path) else data

    def _file(self, target: Path, *, head: bool) -> None:
        size = target.stat().st_size
        kind = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        wanted = self.headers.get("Range")
        start, end = 0, size - 1
        status = HTTPStatus.OK
        if wanted:
            found = _RANGE.match(wanted.strip())
            if not found or (not found.group(1) and not found.group(2)):
                self._range_not_satisfiable(size)
                return
            if found.group(1):
                start = int(found.group(1))
                end = min(int(found.group(2)), size - 1) if found.group(2) else size - 1
            else:
                start = max(0, size - int(found.group(2)))
            if start >= size or start > end:
                self._range_not_satisfiable(size)
                return
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        with target.open("rb") as stream:
            stream.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = stream.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def _range_not_satisfiable(self, size: int) -> None:
        self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
        self.send_header("Content-Range", f"bytes */{size}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self, data: bytes, kind: str, *, head: bool, status: HTTPStatus = HTTPStatus.OK
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: the current state at once, then after every build."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        seen_search = 0  # a site without search never hears of it
        try:
            while not self.server.stopping.is_set():
                message, version, search, searched = self._next_state(seen, seen_search)
                if self.server.stopping.is_set():
                    break
                said = b""
                if version != seen:
                    said += f"data: {message}\n\n".encode()
                    seen = version
                if searched != seen_search:
                    said += f"event: search\ndata: {search}\n\n".encode()
                    seen_search = searched
                self.wfile.write(said or b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return

    def _next_state(self, seen: int, seen_search: int) -> tuple[str, int, str, int]:
        """Wait until the version or the search state differs from what was sent (or a
        keep-alive is due)."""
        signal = self.server.signal
        with signal.changed:
            signal.changed.wait_for(
                lambda: (
                    signal.version != seen
                    or signal.search_changes != seen_search
                    or self.server.stopping.is_set()
                ),
                timeout=IDLE_SECONDS,
            )
            return (
                signal.message(),
                signal.version,
                signal.search_message(),
                signal.search_changes,
            )


def _same_address(written: str, local: str) -> bool:
    """Whether ``written`` (from a Host header) is the IP address ``local``."""
    try:
        asked = ipaddress.ip_address(written)
        here = ipaddress.ip_address(local.split("%")[0])
    except ValueError:
        return False
    if isinstance(here, ipaddress.IPv6Address) and here.ipv4_mapped:
        here = here.ipv4_mapped  # an IPv4 client of a dual-stack socket
    return asked == here


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


RELOAD_SCRIPT = r"""
(() => {
  const me = document.currentScript;
  let version = Number(me.dataset.version);
  // Keep this page's scroll position as the writer scrolls, and put it back after a
  // reload (only a reload: following a link starts at the top as usual).
  const key = "digest-scroll:" + location.pathname;
  history.scrollRestoration = "manual";  // the browser's own guess can undo ours
  const navigation = performance.getEntriesByType("navigation")[0];
  const saved = sessionStorage.getItem(key);
  // Until the page has loaded and been scrolled back, the position to keep is the saved
  // one: another reload in that moment must not record the top of a half-loaded page.
  let restoring = navigation && navigation.type === "reload" && saved !== null
    ? Number(saved) : null;
  if (restoring !== null) {
    window.scrollTo(0, restoring);
    window.addEventListener("load", () => {
      window.scrollTo(0, restoring);
      restoring = null;
    });
  }
  const position = () => (restoring !== null ? restoring : window.scrollY);
  let queued = false;
  window.addEventListener("scroll", () => {
    if (queued || restoring !== null) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      sessionStorage.setItem(key, String(position()));
    });
  }, { passive: true });
  function overlay(problems) {
    let box = document.getElementById("digest-overlay");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "digest-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#2b0d0d;color:#ffe9e9;font:14px/1.5 ui-monospace," +
        "monospace;padding:16px 20px;border-bottom:4px solid #ff5c5c;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "digest: the last build failed\n\n" + problems.join("\n");
  }
  // Warnings (what --strict in CI would refuse) sit in a small panel in a corner, not
  // over the page; closed, it stays closed until the warnings change.
  function panel(state) {
    const warnings = state.warnings;
    let box = document.getElementById("digest-warnings");
    const said = warnings.join("\n");
    if (!warnings.length || sessionStorage.getItem("digest-warnings-closed") === said) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("aside");
      box.id = "digest-warnings";
      box.setAttribute("aria-label", "digest warnings");
      box.style.cssText = "position:fixed;right:12px;bottom:12px;max-width:min(36rem,90vw);" +
        "max-height:40vh;overflow:auto;z-index:2147483646;background:#fff8e1;color:#3e2c00;" +
        "font:13px/1.45 ui-monospace,monospace;padding:10px 14px;border:1px solid #e0b000;" +
        "border-radius:6px;box-shadow:0 2px 10px rgba(0,0,0,.2);white-space:pre-wrap";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "close");
      close.style.cssText = "float:right;border:0;background:none;font:18px/1 sans-serif;" +
        "cursor:pointer;color:inherit;margin-left:8px";
      close.addEventListener("click", () => {
        sessionStorage.setItem("digest-warnings-closed", box.dataset.said);
        box.remove();
      });
      const text = document.createElement("div");
      box.append(close, text);
      document.body.appendChild(box);
    }
    box.dataset.said = said;
    const total = state.warning_count;
    const count = total === 1 ? "1 warning" : total.toLocaleString("en") + " warnings";
    box.lastChild.textContent = "digest: " + count + " (--strict refuses them)\n\n" + said;
  }
  function swapStyles() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("digest", String(Date.now()));
      link.href = url.toString();
    }
  }
  // What the head loads: when it is the same in the new page, swapping the body is
  // enough (no stylesheet, font or script is fetched again, nothing flashes).
  function loads(doc) {
    return [...doc.head.querySelectorAll("link[rel~=stylesheet], style, script")].map((e) => {
      if (e.tagName !== "LINK") return e.outerHTML;
      const url = new URL(e.getAttribute("href"), location.href);
      url.searchParams.delete("digest");
      return url.toString();
    }).join("\n");
  }
  async function refresh() {
    const keep = position();
    sessionStorage.setItem(key, String(keep));
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      // Scripts of the page itself would not run again in a swapped body: reload.
      const scripts = fresh.body.querySelectorAll("script:not([src='/__digest/reload.js'])");
      if (!response.ok || scripts.length || loads(fresh) !== loads(document)) {
        throw new Error("reload");
      }
      document.title = fresh.title;
      document.body.replaceWith(document.adoptNode(fresh.body));
      panel(warned);  // it lived in the old body
      window.scrollTo(0, keep);
    } catch {
      location.reload();
    }
  }
  function apply(state) {
    overlay(state.problems);
    warned = state;
    panel(warned);
    if (state.version === version) return;
    version = state.version;
    if (state.problems.length) return;
    if (state.css) { swapStyles(); return; }
    refresh();
  }
  // The search index is made after the pages: a search page tells its reader (the
  // theme's listens for "digest:search"; <html data-digest-search> has the state).
  function searchState(state) {
    if (document.documentElement.dataset.digestSearch === state) return;
    document.documentElement.dataset.digestSearch = state;
    document.dispatchEvent(new CustomEvent("digest:search", { detail: state }));
  }
  const first = JSON.parse(me.dataset.state);
  let warned = first;
  overlay(first.problems);
  panel(warned);
  if (me.dataset.search) document.documentElement.dataset.digestSearch = me.dataset.search;
  const events = new EventSource("/__digest/events");
  events.onmessage = (event) => apply(JSON.parse(event.data));
  events.addEventListener("search", (event) => searchState(JSON.parse(event.data).state));
})();
"""
