"""Walking a folder of the site for its files, following symlinks only within the site.

The one place that decides which files a build may read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.errors import ContentError, DigestError


@dataclass(frozen=True, slots=True)
class Found:
    """A file under a walked folder: its posix path there and its path for the OS."""

    relative: str
    path: str


def walk(
    folder: Path, boundary: Path, label: str, ignored: Callable[[str], bool]
) -> tuple[list[Found], list[DigestError]]:
    """Files under ``folder`` sorted by path, and a warning for each symlink not followed.

    A symlink (to a file or a folder) is followed only when what it points at is inside
    ``boundary`` and not hidden there: a site must not publish the build machine's files
    (``static/env.txt -> /proc/self/environ``) or its own secrets (``-> ../.env``).
    Warnings name the link as ``label/relative`` and what it points at as written. Folders
    are walked with ``os.scandir`` and no ``Path`` objects are made for plain files: a
    serve rebuild scans thousands of posts every time.
    """
    inside = boundary.resolve()
    found: list[tuple[list[str], Found]] = []
    skipped: list[DigestError] = []

    def refuse(parts: list[str], why: str) -> None:
        where = "/".join([label, *parts])
        skipped.append(ContentError(f"symlink {why}; skipped", where, kind="symlink"))

    def visit(path: str, parts: list[str], ancestors: frozenset[Path]) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                name = entry.name
                if ignored(name):
                    continue
                here = [*parts, name]
                if entry.is_symlink():
                    link = Path(entry.path)
                    target = link.resolve()
                    refusal = _refusal(target, inside)
                    if refusal:
                        refuse(here, f"to {link.readlink()} {refusal}")
                    elif target.is_dir():
                        if target in ancestors:
                            refuse(here, "leads back into a folder that contains it")
                        else:
                            visit(entry.path, here, ancestors | {target})
                    elif target.is_file():
                        found.append((here, Found("/".join(here), entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    visit(entry.path, here, ancestors | {Path(entry.path).resolve()})
                elif entry.is_file(follow_symlinks=False):
                    found.append((here, Found("/".join(here), entry.path)))

    refusal = _refusal(folder.resolve(), inside) if folder.is_symlink() else None
    if refusal:
        refuse([], f"to {folder.readlink()} {refusal}")
    elif folder.is_dir():
        visit(str(folder), [], frozenset({folder.resolve()}))
    found.sort(key=lambda item: item[0])
    return [item for _, item in found], skipped


def _refusal(target: Path, inside: Path) -> str | None:
    """Why a symlink to ``target`` (resolved) is not followed, or None when it may be."""
    if not target.is_relative_to(inside):
        return "leads outside the site"
    if any(part.startswith(".") for part in target.relative_to(inside).parts):
        return "leads to a hidden file"
    return None
