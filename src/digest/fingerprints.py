"""Fingerprints and file stats: what tells a build that something changed.

Layer 3: imports model only. A fingerprint is the hash of everything an output depends
on (our code and libraries, text, a template context); a Stat says whether a file is the
one a build saw before without reading it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from digest.model import Post, field_names

_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "Jinja2", "Pygments", "PyYAML")
RACY_NS = 2_000_000_000
"""File systems keep modification times coarser than nanoseconds: a file changed within
this long of the cache being saved cannot be told apart by its time, so it is read."""

Stat = tuple[int, int, int, int]
"""A file's size, modification and change time (ns) and inode number. As in git's index,
the change time and inode catch an edit that keeps size and modification time (``cp -p``,
``tar``, ``rsync -t``)."""


def stat_tuple(status: os.stat_result) -> Stat:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


@cache
def code_fingerprint() -> str:
    """Our own code (every module's bytes) and the versions of the libraries that shape output."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?;".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def fingerprint_text(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def trusted(recorded: Stat | None, current: Stat, saved_ns: int, *, racy: bool) -> bool:
    """Whether a file whose stat is ``current`` is the one recorded as ``recorded``.

    With ``racy``, a file changed within a moment of the save is not trusted (an edit in
    the same clock tick keeps its Stat). Used for the user's files; the output files are
    ours, and a hand edit there is caught by its Stat.
    """
    if recorded is None or recorded != current:
        return False
    return not racy or max(recorded[1], recorded[2]) < saved_ns - RACY_NS


class ContextHasher:
    """Fingerprints of template contexts, remembering shared parts for one build.

    A post counts by its own fingerprint (the hash of its file) in a template that reads
    post bodies (``whole``), else by its card. Objects shared by many contexts (the nav,
    an archive, a tag's posts) are hashed once: the build keeps them alive, so their ids
    are stable while this hasher lives.
    """

    def __init__(self, *, whole: bool) -> None:
        self._whole = whole
        self._memo: dict[int, tuple[object, str]] = {}
        self._tokens = self._token

    def fingerprint(self, context: Mapping[str, Any]) -> str:
        return self._token(context)

    def _token(self, value: object) -> str:
        kind = type(value)
        if kind is str:
            return "s" + repr(value)
        if kind is Post:
            post = cast(Post, value)
            return f"P{post.fingerprint}" if self._whole else f"C{post.card}"
        if value is None or isinstance(value, str | int | float | date):
            return f"{kind.__name__}:{value!r}"
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        tokenize = self._tokens
        # Strings, the most common values by far, are tokenised inline: same token, no call.
        if isinstance(value, Mapping):
            if all(type(key) is str for key in value):
                text = "{" + "\0".join(
                    f"{key!r}={'s' + repr(item) if type(item) is str else tokenize(item)}"
                    for key, item in sorted(value.items())
                )
            else:
                keys = sorted(value, key=str)
                text = "{?" + "\0".join(f"{tokenize(k)}={tokenize(value[k])}" for k in keys)
        elif isinstance(value, tuple | list):
            text = "[" + "\0".join(map(tokenize, value))
        elif isinstance(value, frozenset | set):
            text = "(" + "\0".join(sorted(map(tokenize, value)))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [getattr(value, name) for name in field_names(kind)]
            text = f"<{kind.__qualname__}" + "\0".join(
                "s" + repr(item) if type(item) is str else tokenize(item) for item in fields
            )
        else:
            text = f"{kind.__qualname__}:{value!r}"
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        token = f"#{digest.hexdigest()}"
        self._memo[id(value)] = (value, token)
        return token
