"""Put a finished build on disk: refuse dangerous folders, write only what changed, prune.

Layer 5: imports errors only. Called after everything rendered, so a failed build never
reaches this module and the previous output stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.errors import OutputError

PROTECTED_FOLDERS = ("content", "templates", "static")


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: int
    deleted: tuple[str, ...]
    stats: dict[str, tuple[int, int]]
    """Size and modification time (ns) of every page and copy as it now is on disk."""


def check_output_folder(root: Path, output: Path) -> Path:
    """The resolved output folder, or OutputError if writing there could destroy work."""
    site = root.resolve()
    target = output.resolve()
    home = Path.home().resolve()
    reason = None
    if target == Path(target.anchor):
        reason = "it is the file system root"
    elif target == home:
        reason = "it is your home folder"
    elif target == site:
        reason = "it is the site folder itself"
    elif site.is_relative_to(target):
        reason = "it contains the site folder"
    else:
        for name in PROTECTED_FOLDERS:
            if target.is_relative_to(site / name):
                reason = f"it is inside the site's {name}/ folder"
    if target.exists() and not target.is_dir():
        reason = "it is a file"
    if reason:
        shown = os.path.relpath(target) if target.is_relative_to(Path.cwd()) else str(target)
        raise OutputError(
            f"refusing to build into {shown}: {reason}", hint="choose another --output"
        )
    return target


def write_files(
    output: Path,
    pages: Mapping[str, bytes],
    copies: Mapping[str, Path],
    keep: Collection[str] = (),
    *,
    prune: bool = True,
) -> WriteResult:
    """Make ``output`` hold exactly ``pages``, ``copies`` and ``keep`` (plus its dotfiles).

    ``keep`` names files already right on disk (the caller knows from its cache). A file
    whose bytes are already right is not touched either, so its mtime stays and
    sync-based deploys upload only what changed. Without ``prune``, other files stay.
    """
    written: list[str] = []
    unchanged = len(keep)
    stats: dict[str, tuple[int, int]] = {}
    for relative, data in sorted(pages.items()):
        if _write_if_changed(output / relative, data):
            written.append(relative)
        else:
            unchanged += 1
        stats[relative] = _stat(output / relative)
    for relative, source in sorted(copies.items()):
        if _copy_if_changed(source, output / relative):
            written.append(relative)
        else:
            unchanged += 1
        stats[relative] = _stat(output / relative)
    deleted = _prune(output, set(pages) | set(copies) | set(keep)) if prune else ()
    return WriteResult(tuple(written), unchanged, deleted, stats)


def _stat(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _write_if_changed(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        if _write_new(target, data):
            return True
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".digest-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _write_new(target: Path, data: bytes) -> bool:
    """Write a file that does not exist yet, in place: no reader can see an old version
    of it, and a file cut short by a crash is not in the cache, so the next build writes
    it again. False when it appeared meanwhile (then it is replaced atomically)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        try:
            handle = os.open(target, flags, 0o644)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(target, flags, 0o644)
    except FileExistsError:
        return False
    try:
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True


def _copy_if_changed(source: Path, target: Path) -> bool:
    try:
        if (
            target.stat().st_size == source.stat().st_size
            and target.read_bytes() == source.read_bytes()
        ):
            return False
    except FileNotFoundError:
        pass
    return _write_if_changed(target, source.read_bytes())


def _prune(output: Path, keep: set[str]) -> tuple[str, ...]:
    """Delete files under ``output`` that this build did not produce; leave dotfiles alone."""
    deleted: list[str] = []
    if not output.is_dir():
        return ()
    emptied: list[str] = []

    def visit(folder: str, prefix: str) -> bool:
        """Prune one folder; True when it is left empty."""
        empty = True
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = f"{prefix}{entry.name}"
                if entry.name.startswith("."):
                    empty = False
                elif entry.is_dir(follow_symlinks=False):
                    if visit(entry.path, f"{relative}/"):
                        emptied.append(entry.path)
                    else:
                        empty = False
                elif relative in keep:
                    empty = False
                else:
                    Path(entry.path).unlink()
                    deleted.append(relative)
        return empty

    visit(str(output), "")
    for folder in emptied:
        Path(folder).rmdir()
    return tuple(sorted(deleted))
