"""Every example of the CommonMark spec through digest's renderer.

The examples come from ``tests/test_cmark_spec/commonmark.json`` in the source
distribution of the markdown-it-py version installed (pip downloads it once per test run;
without a network the test is skipped, in CI it fails). Both sides are read with the
standard library's HTML parser into a canonical form, so spellings that mean the same
(``&quot;`` or ``"``, ``<br />`` or ``<br>``, attribute order) compare equal. What digest
adds on purpose is taken out by ``_canonical``, one rule each:

- headings get an ``id`` and a trailing ``#`` anchor link (links to items of a digest);
- images get ``loading="lazy" decoding="async"``; external links get ``rel="noopener"``;
- fenced code with a known language is highlighted by Pygments (its text is compared),
  and every code block is focusable (``tabindex="0"``) so a keyboard can scroll it;
- relative URLs are rewritten to site URLs (``foo`` → ``/foo``: files next to the post),
  so a leading ``/`` is not compared.

and the examples in ``INTENDED`` differ for the reason given there. Any other difference
fails: then either digest has a bug, or the list needs a line saying why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from digest.markdown import LinkContext, render

INTENDED = {
    # Bare URLs and e-mail addresses become links (linkify): a digest is full of them.
    **dict.fromkeys((602, 608, 611, 612), "linkify"),
    # ``./target.md`` is resolved to the file's site URL, ``/target.md``.
    484: "relative reference resolved",
}


def _spec_examples() -> list[dict[str, Any]]:
    version = metadata.version("markdown-it-py")
    folder = Path(os.environ.get("DIGEST_TEST_CACHE", Path.home() / ".cache" / "digest-tests"))
    archive = folder / f"markdown_it_py-{version}.tar.gz"
    if not archive.exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--quiet", "--dest", str(folder), f"markdown-it-py=={version}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not archive.exists():
            if os.environ.get("CI"):
                pytest.fail(f"cannot download the CommonMark spec examples: {done.stderr}")
            pytest.skip("the CommonMark spec examples cannot be downloaded here")
    with tarfile.open(archive) as bundle:
        member = bundle.extractfile(
            f"markdown_it_py-{version}/tests/test_cmark_spec/commonmark.json"
        )
        assert member is not None
        examples: list[dict[str, Any]] = json.load(member)
    return examples


class _Canonical(HTMLParser):
    """Tags with sorted attributes and text with whitespace runs collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_anchor = 0
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("class") == "heading-anchor":
            self._skip_anchor += 1
            return
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            found.pop("id", None)
        if tag == "img":
            found.pop("loading", None)
            found.pop("decoding", None)
        if tag == "a" and found.get("rel") == "noopener":
            del found["rel"]
        if tag == "span":  # Pygments' highlighting: the code's text is compared
            return
        if tag == "pre":
            found.pop("tabindex", None)  # focusable, to scroll by keyboard
            if found.get("class") == "highlight":
                del found["class"]
        self._in_code = self._in_code or tag == "code"
        for name in ("href", "src"):
            value = found.get(name)
            if value and value.startswith("/") and not value.startswith("//"):
                found[name] = value[1:]  # a relative reference made site-absolute
        shown = " ".join(f"{k}={v!r}" for k, v in sorted(found.items()))
        self.parts.append(f"<{tag} {shown}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip_anchor and tag == "a":
            self._skip_anchor -= 1
            return
        if tag == "span":
            return
        if tag == "code":
            self._in_code = False
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._skip_anchor:
            return
        text = data if self._in_code else " ".join(data.split())
        if self.parts and self.parts[-1].startswith("text:"):
            self.parts[-1] += text
        elif text.strip() or self._in_code:
            self.parts.append(f"text:{text}")

    def handle_comment(self, data: str) -> None:
        self.parts.append(f"<!--{data}-->")


def _canonical(html: str) -> list[str]:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return [part.rstrip() if part.startswith("text:") else part for part in parser.parts]


def _cases() -> list[Any]:
    try:
        examples = _spec_examples()
    except pytest.skip.Exception as skipped:
        return [pytest.param(None, marks=pytest.mark.skip(reason=str(skipped)))]
    return [pytest.param(example, id=f"example-{example['example']}") for example in examples]


@pytest.mark.parametrize("example", _cases())
def test_spec_example(example: dict[str, Any]) -> None:
    number = example["example"]
    html = render(example["markdown"], LinkContext(), first_line=1).html
    same = _canonical(html) == _canonical(example["html"])
    if number in INTENDED:
        assert not same, f"example {number} no longer differs: drop it from INTENDED"
    else:
        assert same, f"{example['section']} example {number}:\n{example['markdown']}\n{html}"
