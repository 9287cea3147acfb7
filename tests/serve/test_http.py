"""The preview server over real HTTP on 127.0.0.1: types, ranges, caching, and safety."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.livereload import PreviewHandler, PreviewServer, Signal

PAGE = b"<!doctype html><html><body><p>hello</p></body></html>"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    site = tmp_path / "site"
    (site / "post").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "index.html").write_bytes(PAGE)
    (site / "post" / "index.html").write_bytes(PAGE.replace(b"hello", b"post"))
    (site / "404.html").write_bytes(b"<!doctype html><html><body>missing</body></html>")
    (site / ".secret").write_text("hidden")
    (site / "video.mp4").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "outside.txt").write_text("outside")
    (site / "link.txt").symlink_to(tmp_path / "outside.txt")
    for name in (
        "a.css",
        "a.js",
        "a.xml",
        "a.json",
        "a.svg",
        "a.webp",
        "a.avif",
        "a.webm",
        "a.woff2",
    ):
        (site / name).write_bytes(b"x")
    signal = Signal()
    signal.finish_build([], css_only=False)
    server = PreviewServer(("127.0.0.1", 0), site, signal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, site
    server.shutdown()
    server.server_close()


def _get(
    server: PreviewServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(method, path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = connection.getresponse()
    response.read_body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def _request(target: str, port: int) -> bytes:
    """A request line sent as is, without the client library tidying the path."""
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()


def _raw(server: PreviewServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_html_gets_the_reload_script_and_nothing_is_cached(
    served: tuple[PreviewServer, Path],
) -> None:
    server, site = served
    response = _get(
        server, "/post/", headers={"If-Modified-Since": "Wed, 01 Jan 2100 00:00:00 GMT"}
    )

    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("Last-Modified") is None
    body = response.read_body  # type: ignore[attr-defined]
    assert b'<script src="/__digest/reload.js" data-version="1"' in body
    assert body.index(b"<script") < body.index(b"</body>")
    assert b"reload.js" not in (site / "post" / "index.html").read_bytes()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.css", "text/css; charset=utf-8"),
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.xml", "application/xml; charset=utf-8"),
        ("a.json", "application/json; charset=utf-8"),
        ("a.svg", "image/svg+xml; charset=utf-8"),
        ("a.webp", "image/webp"),
        ("a.avif", "image/avif"),
        ("video.mp4", "video/mp4"),
        ("a.webm", "video/webm"),
        ("a.woff2", "font/woff2"),
    ],
)
def test_content_types(served: tuple[PreviewServer, Path], name: str, kind: str) -> None:
    assert _get(served[0], f"/{name}").getheader("Content-Type") == kind


def test_byte_ranges_let_a_video_seek(served: tuple[PreviewServer, Path]) -> None:
    server, site = served
    whole = (site / "video.mp4").read_bytes()

    part = _get(server, "/video.mp4", headers={"Range": "bytes=100-199"})
    tail = _get(server, "/video.mp4", headers={"Range": "bytes=-24"})
    beyond = _get(server, "/video.mp4", headers={"Range": "bytes=5000-"})

    assert part.status == 206
    assert part.getheader("Content-Range") == f"bytes 100-199/{len(whole)}"
    assert part.read_body == whole[100:200]  # type: ignore[attr-defined]
    assert tail.read_body == whole[-24:]  # type: ignore[attr-defined]
    assert beyond.status == 416
    assert _get(server, "/video.mp4").getheader("Accept-Ranges") == "bytes"


@pytest.mark.parametrize(
    "wanted", ["bytes=-" + "9" * 5000, "bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000]
)
def test_a_range_with_thousands_of_digits_is_not_satisfiable(
    served: tuple[PreviewServer, Path], wanted: str
) -> None:
    server = served[0]
    port = server.server_address[1]
    request = (
        f"GET /video.mp4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nRange: {wanted}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()

    answer = _raw(server, request)

    assert answer.startswith(b"HTTP/1.1 416 "), answer[:80]
    assert b"\r\nContent-Range: bytes */1024\r\n" in answer


def test_head_has_headers_and_no_body(served: tuple[PreviewServer, Path]) -> None:
    response = _get(served[0], "/video.mp4", method="HEAD")

    assert response.status == 200
    assert response.getheader("Content-Length") == "1024"
    assert response.read_body == b""  # type: ignore[attr-defined]


def test_missing_pages_get_the_404_page_and_folders_no_listing(
    served: tuple[PreviewServer, Path],
) -> None:
    server, _ = served
    missing = _get(server, "/nothing/here/")
    empty = _get(server, "/empty/")
    folder = _get(server, "/post")

    assert missing.status == 404
    assert b"missing" in missing.read_body  # type: ignore[attr-defined]
    assert empty.status == 404
    assert folder.status == 301 and folder.getheader("Location") == "/post/"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/../outside.txt", 400),
        ("/%2e%2e/outside.txt", 400),
        ("/post/%2e%2e/%2e%2e/outside.txt", 400),
        ("/post%2f..%2f..%2foutside.txt", 400),
        ("/post/..%5c..%5coutside.txt", 400),
        ("/post\\..\\outside.txt", 400),
        ("/a%00b", 400),
        ("/.secret", 404),
        ("/link.txt", 404),
        ("//etc/passwd", 404),
    ],
)
def test_nothing_outside_the_folder_is_served(
    served: tuple[PreviewServer, Path], path: str, status: int
) -> None:
    answer = _raw(served[0], _request(path, served[0].server_address[1]))

    assert answer.startswith(f"HTTP/1.1 {status}".encode()), answer[:80]
    assert b"outside" not in answer.split(b"\r\n\r\n", 1)[-1]
    assert b"hidden" not in answer


def test_an_absolute_url_in_the_request_line_stays_inside(
    served: tuple[PreviewServer, Path],
) -> None:
    port = served[0].server_address[1]
    answer = _raw(served[0], _request(f"http://127.0.0.1:{port}/../outside.txt", port))

    assert answer.split(b" ", 2)[1] in (b"400", b"404")
    assert b"outside" not in answer.split(b"\r\n\r\n", 1)[-1]


@pytest.mark.parametrize(
    "target", ["http://x//post", "http://x///post", "//post", "http://127.0.0.1//post"]
)
def test_a_folder_redirect_never_leaves_the_site(
    served: tuple[PreviewServer, Path], target: str
) -> None:
    port = served[0].server_address[1]

    answer = _raw(served[0], _request(target, port))

    assert answer.startswith(b"HTTP/1.1 301 "), answer[:80]
    assert b"\r\nLocation: /post/\r\n" in answer


def test_a_burst_of_connections_is_taken_before_the_server_accepts_any(tmp_path: Path) -> None:
    """The kernel completes this many handshakes on its own only with a deep backlog."""
    server = PreviewServer(("127.0.0.1", 0), tmp_path, Signal())
    clients = [socket.socket() for _ in range(64)]
    try:
        for client in clients:
            client.setblocking(False)
            client.connect_ex(server.server_address)
        # A connection whose handshake the kernel dropped stays unwritable; 2 s is longer
        # than a completed handshake on loopback takes, shorter than the SYN retry.
        deadline = time.monotonic() + 2
        pending = list(clients)
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], pending, [], 0.1)
            pending = [client for client in pending if client not in writable]
    finally:
        for client in clients:
            client.close()
        server.server_close()

    assert pending == []


def test_over_long_urls_and_foreign_hosts_are_refused(served: tuple[PreviewServer, Path]) -> None:
    server, _ = served
    assert _get(server, "/" + "a" * 3000).status == 414
    assert _get(server, "/", headers={"Host": "attacker.example:80"}).status == 421
    assert (
        _get(server, "/", headers={"Host": f"localhost:{server.server_address[1]}"}).status == 200
    )


def _outward_address() -> str:
    """This machine's address on its network (no packet is sent), else a loopback alias."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like any outside address
        except OSError:
            return "127.0.0.2"
        return str(probe.getsockname()[0])


def _status_via(address: str, port: int, host: str) -> int:
    """The status of ``GET /`` sent to ``address`` with the Host header ``host``."""
    connection = http.client.HTTPConnection(address, port, timeout=5)
    connection.request("GET", "/", headers={"Host": host})
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture
def on_every_interface(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "index.html").write_bytes(PAGE)
    signal = Signal()
    signal.finish_build([], css_only=False)
    server = PreviewServer(("0.0.0.0", 0), tmp_path, signal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("address", [_outward_address(), "127.0.0.2"])
def test_bound_to_every_interface_the_machines_own_addresses_are_served(
    on_every_interface: int, address: str
) -> None:
    port = on_every_interface
    hostname = socket.gethostname()

    assert _status_via(address, port, f"{address}:{port}") == 200
    assert _status_via(address, port, address) == 200
    assert _status_via(address, port, f"{hostname}:{port}") == 200
    assert _status_via(address, port, f"{hostname.upper()}.local:{port}") == 200
    assert _status_via(address, port, f"attacker.example:{port}") == 421
    assert _status_via(address, port, f"{address}.attacker.example:{port}") == 421
    assert _status_via(address, port, f"10.255.255.1:{port}") == 421  # not this connection's
    assert _status_via(address, port, f"{address}:{port + 1}") == 421


def test_bound_to_loopback_the_hostname_is_foreign(served: tuple[PreviewServer, Path]) -> None:
    server, _ = served
    port = server.server_address[1]

    assert _get(server, "/", headers={"Host": f"{socket.gethostname()}:{port}"}).status == 421
    assert _get(server, "/", headers={"Host": f"[::1]:{port}"}).status == 200


def test_html_waits_while_a_build_runs(served: tuple[PreviewServer, Path]) -> None:
    server, site = served
    server.signal.start_build()
    answers: list[bytes] = []
    thread = threading.Thread(target=lambda: answers.append(_get(server, "/").read_body))  # type: ignore[attr-defined]
    thread.start()
    time.sleep(0.3)
    assert answers == []  # still waiting for the build
    (site / "index.html").write_bytes(PAGE.replace(b"hello", b"rebuilt"))
    server.signal.finish_build([], css_only=False)
    thread.join(timeout=5)

    assert b"rebuilt" in answers[0]


def test_events_announce_each_build_with_its_problems(served: tuple[PreviewServer, Path]) -> None:
    server, _ = served
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/__digest/events", headers={"Host": f"127.0.0.1:{port}"})
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    first = response.fp.readline()
    response.fp.readline()
    server.signal.start_build()
    server.signal.finish_build(["content/a.md:3: invalid front matter"], css_only=False)
    second = response.fp.readline()
    connection.close()

    quiet = b'"warnings": [], "warning_count": 0, "css": false}\n'
    assert first == b'data: {"version": 1, "problems": [], ' + quiet
    problem = b'["content/a.md:3: invalid front matter"]'
    assert second == b'data: {"version": 2, "problems": ' + problem + b", " + quiet


def test_idle_connections_are_closed(
    served: tuple[PreviewServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PreviewHandler, "timeout", 0.5)
    with socket.create_connection(("127.0.0.1", served[0].server_address[1]), timeout=5) as sock:
        started = time.monotonic()
        assert sock.recv(1024) == b""  # the server hung up on a silent client

    assert time.monotonic() - started < 3
