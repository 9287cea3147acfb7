"""Raw HTML inside posts: its urls, its images, its links, found with small regexes.

Only real start tags are touched: text that looks like an attribute and escaped code
(``&lt;a href=…&gt;``) never match, nor do comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_URL_ATTR = re.compile(
    r"""(?P<head>\s(?:src|href|poster)\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_SRCSET = re.compile(r"""(?P<head>\ssrcset\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# A start tag: "<" then a name. Escaped text (&lt;a href=…&gt;) and comments never match.
_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?/?>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMG_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


# Characters no file path of a post holds: such a value is left as written, not resolved.
_NOT_A_PATH = re.compile(r"[\x00-\x1f\x7f\\`<>]")
_ALT = re.compile(r"""\salt\s*=\s*(?:"[^"]+"|'[^']+'|[^\s"'=<>`]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RawReference:
    """A url in a start tag, ``lines`` below the fragment's first line."""

    lines: int
    url: str
    is_image: bool
    has_alt: bool


def rewrite_html_urls(fragment: str, resolve: Callable[[str], str]) -> str:
    """Pass each ``href``, ``src``, ``poster`` and ``srcset`` url through ``resolve``.

    A value with a line break, a backslash or a backtick is no path to a file (CommonMark
    example 642 has ``href="foo  ⏎bar"``): it is left exactly as written.
    """

    def attribute(match: re.Match[str]) -> str:
        value = match.group("dq") if match.group("dq") is not None else match.group("sq")
        if value is None:
            value = match.group("bare")
        if not _NOT_A_PATH.search(value):
            value = resolve(value)
        return f'{match.group("head")}"{value.replace(chr(34), "&quot;")}"'

    def srcset(match: re.Match[str]) -> str:
        value = match.group("dq") if match.group("dq") is not None else match.group("sq")
        candidates = []
        for candidate in value.split(","):
            parts = candidate.strip().split(maxsplit=1)
            if parts:
                parts[0] = resolve(parts[0])
                candidates.append(" ".join(parts))
        return f'{match.group("head")}"{", ".join(candidates)}"'

    def tag(match: re.Match[str]) -> str:
        return _SRCSET.sub(srcset, _URL_ATTR.sub(attribute, match.group()))

    return _TAG.sub(tag, fragment)


def _lazy_image(match: re.Match[str]) -> str:
    tag = match.group()
    lowered = tag.lower()
    extra = ""
    if "loading=" not in lowered:
        extra += ' loading="lazy"'
    if "decoding=" not in lowered:
        extra += ' decoding="async"'
    if not extra:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return tag[:end].rstrip() + extra + tag[end:]


def add_lazy_loading(fragment: str) -> str:
    """``loading="lazy" decoding="async"`` on every ``<img>`` that does not say otherwise."""
    return _IMG.sub(_lazy_image, fragment)


def first_image(fragment: str) -> str | None:
    """The ``src`` of the first ``<img>`` outside comments."""
    image = _IMG.search(_COMMENT.sub("", fragment))
    source = _IMG_SRC.search(image.group()) if image else None
    return next(group for group in source.groups() if group is not None) if source else None


def references(fragment: str) -> list[RawReference]:
    """Every ``src``, ``href`` and ``poster`` of the fragment's start tags, in order."""
    found: list[RawReference] = []
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), fragment)
    for tag in _TAG.finditer(text):
        lines = text.count("\n", 0, tag.start())
        is_image = tag.group().lower().startswith("<img")
        has_alt = _ALT.search(tag.group()) is not None
        for attribute in _URL_ATTR.finditer(tag.group()):
            url = next(v for v in attribute.group("dq", "sq", "bare") if v is not None)
            name = attribute.group("head").split("=")[0].strip().lower()
            found.append(RawReference(lines, url, is_image and name == "src", has_alt))
    return found
