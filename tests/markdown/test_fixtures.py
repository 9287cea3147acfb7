"""Every case of tests/markdown/fixtures/*.md: a Markdown body in, the exact HTML out.

Each case is rendered as the body of a post in content/2024/ of a site published under
https://example.org/news/, that is:

    render(body, LinkContext(folder="2024", base_path="/news/", site_host="example.org"),
           first_line=1).html

The files use markdown-it-py's fixture format (read by ``read_fixture_file``): a title
line, ".", the Markdown, ".", the expected HTML, ".". The expected HTML is what a reader
should get.

Inside ``<code>`` the two sides are compared with quotes unescaped: a quote in element
text reads the same either way, and Pygments writes ``&quot;`` before 2.21 and ``"``
from 2.21 on (both allowed by our dependency range).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from markdown_it.utils import read_fixture_file

from digest.markdown import LinkContext, render

FIXTURES = Path(__file__).parent / "fixtures"
CODE = re.compile(r"(<code\b[^>]*>)(.*?)(</code>)", re.DOTALL)
TAG = re.compile(r"(<[^>]*>)")
CONTEXT = LinkContext(folder="2024", base_path="/news/", site_host="example.org")

# A render that never returns would block the whole run; this turns it into a failure.
# Not a speed check: a case renders in milliseconds or never.
DEADLINE_SECONDS = 3


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"render did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _cases() -> list[object]:
    cases: list[object] = []
    seen: set[tuple[str, str]] = set()
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, body, expected in read_fixture_file(path):
            key = (path.name, title)
            assert key not in seen, f"two cases titled {title!r} in {path.name}"
            seen.add(key)
            cases.append(pytest.param(body, expected, id=f"{path.name}:{line} {title}"))
    return cases


def _unescape_quotes_in_code(html: str) -> str:
    """``&quot;`` and ``&#39;`` as plain quotes in the text (never the tags) of each code."""

    def text_only(code: re.Match[str]) -> str:
        parts = TAG.split(code[2])
        # split() with a capturing group puts the tags at the odd indexes
        for i in range(0, len(parts), 2):
            parts[i] = parts[i].replace("&quot;", '"').replace("&#39;", "'")
        return code[1] + "".join(parts) + code[3]

    return CODE.sub(text_only, html)


def test_quotes_are_unescaped_only_in_code_text() -> None:
    html = '<p title="&quot;">&quot;</p><code class="x"><b title="&quot;">&quot;&#39;</b></code>'
    assert _unescape_quotes_in_code(html) == (
        '<p title="&quot;">&quot;</p><code class="x"><b title="&quot;">"\'</b></code>'
    )


@pytest.mark.parametrize(("body", "expected"), _cases())
def test_fixture(body: str, expected: str) -> None:
    with _deadline(DEADLINE_SECONDS):
        html = render(body, CONTEXT, first_line=1).html
    assert _unescape_quotes_in_code(html) == _unescape_quotes_in_code(expected)
