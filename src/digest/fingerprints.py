"""Hashes and file stats: what tells a build that something changed. Imports nothing of
digest: every module that hashes (content, model, site, templates, pages, the store) calls
these, so one hash function and one spelling of each kind of hash serve the whole build.

A fingerprint is the hash of everything an output depends on (our code and libraries,
text, a template context); a Stat says whether a file is the one a build saw before
without reading it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from functools import cache
from pathlib import Path

_LIBRARIES = ("markdown_it", "mdit_py_plugins", "linkify_it", "jinja2", "pygments", "yaml")
"""The libraries that shape output, by module: the fingerprint reads each one's
``__version__``, its distribution's version. Asking importlib.metadata instead (importing
it and searching the installed packages) took 30 ms of every build."""
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
        version = getattr(importlib.import_module(name), "__version__", "?")
        digest.update(f"{name}={version};".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def text_hash(text: str) -> str:
    """The hash of one text (hex), as every fingerprint and card is spelled."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fingerprint_text(*parts: str) -> str:
    """The hash of several texts, each ended by a NUL so that no two lists of parts meet."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def file_hash(data: bytes) -> str:
    """The hash of a file's bytes (hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def checksum(data: bytes) -> bytes:
    """The hash of ``data`` as 16 raw bytes: what seals a value the cache stores."""
    return hashlib.blake2b(data, digest_size=16).digest()


def short_name(text: str) -> str:
    """A 12-character hash of ``text`` for a file name (one cache file per output folder)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def trusted(recorded: Stat | None, current: Stat, saved_ns: int, *, racy: bool) -> bool:
    """Whether a file whose stat is ``current`` is the one recorded as ``recorded``.

    With ``racy``, a file changed within a moment of the save is not trusted (an edit in
    the same clock tick keeps its Stat). Used for the user's files; the output files are
    ours, and a hand edit there is caught by its Stat.
    """
    if recorded is None or recorded != current:
        return False
    return not racy or max(recorded[1], recorded[2]) < saved_ns - RACY_NS
