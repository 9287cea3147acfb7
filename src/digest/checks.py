"""Link and image checks over a rendered site: what ``digest check`` and ``--strict`` report.

Pure: it reads the rendered pages it is given, never the disk. Every finding is a
ContentError located at the post's file and line; the caller decides whether findings
are warnings or errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from urllib.parse import unquote

from digest.config import Config
from digest.errors import ContentError, DigestError
from digest.folders import CONTENT_DIR
from digest.model import Post, Reference
from digest.urls import output_path, resolve_local

_ID = re.compile(rb"""id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SPACE = frozenset(b" \t\n\r\f\v")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//")


def element_ids(page: bytes) -> frozenset[str]:
    """The element ids of an HTML page: the targets of #fragments, each ``id="…"`` (or
    ``'…'``) after a space.

    The pattern starts with ``id``, which the regex engine looks for fast; the space
    before it is checked here (a pattern starting with the space is tried at every space
    of the page: four times slower). A name that only ends in ``id`` is passed over one
    character at a time, so an ``id=`` inside its value is still found.
    """
    found = []
    position = 0
    while (match := _ID.search(page, position)) is not None:
        start = match.start()
        if start and page[start - 1] in _SPACE:
            found.append(match[1] if match[1] is not None else match[2])
            position = match.end()
        else:
            position = start + 1
    return frozenset(value.decode("utf-8", "replace") for value in found)


def check_references(
    config: Config,
    posts: Sequence[Post],
    existing: Collection[str],
    ids: Mapping[str, frozenset[str]],
    urls: Mapping[str, str],
) -> list[DigestError]:
    """Broken local links and images, missing #fragments, missing alt text, sub-path slips.

    ``existing``: every output path and copied file of the build; ``urls``: the url of
    every published post by source (for the hint on links to ``.md`` files).
    """
    findings: list[DigestError] = []
    for post in posts:
        for reference in post.references:
            problem = _problem(config, post, reference, existing, ids, urls)
            if problem:
                message, kind = problem
                findings.append(ContentError(message, post.source, reference.line, kind=kind))
            if reference.kind == "image" and not reference.alt:
                findings.append(
                    ContentError(
                        f"image without alt text: {_as_written(reference.url)}",
                        post.source,
                        reference.line,
                        kind="alt-text",
                    )
                )
    return findings


def _as_written(url: str) -> str:
    """A URL as the writer typed it: markdown-it percent-encodes links (``：`` becomes
    ``%EF%BC%9A``), which no one recognises in a message about their post."""
    return unquote(url)


def _problem(
    config: Config,
    post: Post,
    reference: Reference,
    existing: Collection[str],
    ids: Mapping[str, frozenset[str]],
    urls: Mapping[str, str],
) -> tuple[str, str] | None:
    """What is wrong with one link or image, and the kind of warning it is."""
    url = reference.url.strip()
    if not url or _SCHEME.match(url):
        return None
    shown = _as_written(url)
    base = config.base_path
    if url.startswith("#"):
        target = post.url + url
    elif url.startswith("/"):
        if base != "/" and not url.startswith(base):
            return (
                f"{shown} is root-relative and misses the base path {base}; "
                f"write {base}{url.lstrip('/')} or a path relative to the post",
                "base-path",
            )
        target = "/" + url[len(base) :] if base != "/" else url
    else:
        folder = post.source.removeprefix(f"{CONTENT_DIR}/").rpartition("/")[0]
        resolved = resolve_local(folder, url)
        if resolved is None:
            return f"{shown} points outside content/", "outside-content"
        target = resolved
    path, _, fragment = target.partition("#")
    path = unquote(path.partition("?")[0])
    if path.endswith(".md"):
        linked = urls.get(f"{CONTENT_DIR}{path}")
        if linked is None:
            return f"link to a Markdown file that is no published post: {shown}", "markdown-link"
        path = linked  # the build links the post's page instead
    found = _output_for(path, existing)
    if found is None:
        if reference.kind == "image":
            return f"missing image: {shown}", "missing-image"
        return f"missing page or file: {shown}", "missing-link"
    if fragment and found in ids and unquote(fragment) not in ids[found]:
        return f"no #{unquote(fragment)} on {path}", "fragment"
    return None


def _output_for(path: str, existing: Collection[str]) -> str | None:
    """The output file a site path is served from, if the build makes it."""
    candidates = [output_path(path)]
    if not path.endswith("/"):
        candidates.append(output_path(path + "/"))
    return next((candidate for candidate in candidates if candidate in existing), None)
