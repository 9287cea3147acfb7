"""Put a finished build on disk: refuse dangerous folders, write only what changed, prune.

Called after everything rendered, so a failed build never reaches this module. Writing
is all or nothing: every obstacle is found before the first write, new and changed files
are first written beside their targets, and only then moved into place; a failure on the
way puts the previous files back. Paths are plain strings here: a build handles
thousands of files, and Path objects cost more than the system calls (hence no PTH lint
rules for this module).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from digest.errors import BuildFailed, DigestError, OutputError
from digest.parallel import signals_held

PROTECTED_FOLDERS = ("content", "templates", "static")
MARK = ".digest"
"""Written into the output folder by the first build: digest may remove files there."""
MARK_TEXT = (
    "This folder is made by digest (digest build): files in it that the build does not\n"
    "produce are removed. Delete this file and the folder's files to use it otherwise.\n"
)
WRITING = ".digest-writing"
"""Present while files are being moved into place; left behind only by a killed build."""
NAME_MAX_BYTES = 255
_OURS = (".tmp", ".old")
"""Suffixes of digest's own short-lived files (``.digest-….tmp`` and ``.digest-….old``)
and folders (``.digest-staging-….tmp``)."""
STAGING = ".digest-staging-"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL


def _file_mode() -> int:
    """The mode any program's new file gets here: read and write for all, less the umask
    (called once, at import, before the build starts any thread)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()
"""Given to the temporary files of changed pages, which ``mkstemp`` makes private."""


@dataclass(frozen=True, slots=True)
class Staged:
    """A rendered page waiting in the build's staging folder (``Staging.put``)."""

    path: str
    size: int


class Staging:
    """Where render workers put finished pages until the build writes them.

    A big site's pages do not fit in memory all at once (200 MB at 10,000 posts), and
    pickling them back from the workers costs as much again; so each page goes to a file
    here as soon as it is rendered, and ``write_files`` moves it into place (or, if the
    build stops first, ``close`` removes them all). The folder sits inside the output
    folder, on its file system, so a page moves (a rename or a link) instead of a copy.
    """

    def __init__(self, output: Path) -> None:
        self.output = str(output)
        self.folder = ""
        """Made by ``begin``, when a build first has something to render."""
        self.name = ""
        self._made: list[str] = []
        self._round = 0
        """Which rendering is staging now: a build may render twice (a quick plan given
        up for the full one), and the second must not meet the first's files."""
        self._into = ("", 0, 0)
        """(folder, round, process): where this process stages in this round. Each worker
        has a folder of its own: workers making files in one folder wait on its lock."""

    def begin(self) -> bool:
        """Make the staging folder (and the output folder if missing) for a rendering;
        False where none can be made: the build then keeps its pages in memory, and the
        writer says what is wrong."""
        self._round += 1
        if self.folder:
            return True
        folder = self.output
        while not os.path.isdir(folder) and folder != os.path.dirname(folder):
            self._made.append(folder)
            folder = os.path.dirname(folder)
        try:
            for path in reversed(self._made):
                os.mkdir(path)
            self.folder = tempfile.mkdtemp(dir=self.output, prefix=STAGING, suffix=".tmp")
        except OSError:
            _remove_folders(self._made)
            self._made = []
            return False
        self.name = os.path.basename(self.folder)
        return True

    def put(self, number: int, relative: str, data: bytes) -> Staged:
        """Stage the bytes of the page numbered ``number`` (unique in this staging) that
        goes to ``relative`` in the output; OutputError if they cannot be written."""
        try:
            path = f"{self._folder_of_this_process()}/{number}"
            _write_new(os.open(path, _NEW_FILE, 0o666), data)
        except OSError as error:
            raise OutputError(  # before any file of the site was touched
                f"cannot write: {error.strerror or error}", _shown(f"{self.output}/{relative}")
            ) from error
        return Staged(path, len(data))

    def _folder_of_this_process(self) -> str:
        folder, round_, process = self._into
        if (round_, process) != (self._round, os.getpid()):
            folder = f"{self.folder}/{self._round}-{os.getpid()}"
            os.mkdir(folder)
            self._into = (folder, self._round, os.getpid())
        return folder

    def close(self) -> None:
        """Remove what is still staged, and the folders made for it that stayed empty."""
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        _remove_folders(self._made)
        self._made = []


def _remove_folders(made: list[str]) -> None:
    """Remove the folders ``made`` (deepest first) as long as they are empty."""
    for folder in made:
        try:
            os.rmdir(folder)
        except OSError:
            return


def _write_new(handle: int, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to the file just created as ``handle`` (first giving it ``mode``),
    and close it.

    With plain system calls: a Python file object asks the file system three more
    questions per file, 50,000 calls in a build of 16,000 pages.
    """
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def staged_bytes(data: bytes | Staged) -> bytes:
    if isinstance(data, Staged):
        with open(data.path, "rb") as stream:
            return stream.read()
    return data


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: int
    deleted: tuple[str, ...]
    stats: dict[str, tuple[int, int, int, int]]
    """Size, modification and change time (ns) and inode of every page and copy as it
    now is on disk (``state.Stat``)."""


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
        raise OutputError(
            f"refusing to build into {_shown(target)}: {reason}", hint="choose another --output"
        )
    return target


def claim_output(output: Path, known: Callable[[], bool]) -> None:
    """OutputError unless digest may write and remove files in ``output``.

    It may when the folder carries the mark of an earlier build, is missing or empty
    (dotfiles aside), or is ``known()`` (the cache remembers building it: a site built
    before the mark existed).
    """
    if os.path.exists(f"{output}/{MARK}") or known():
        return
    try:
        with os.scandir(output) as entries:
            foreign = any(not entry.name.startswith(".") for entry in entries)
    except FileNotFoundError:
        return
    if foreign:
        raise OutputError(
            f"refusing to build into {_shown(output)}: it has files that digest did not make "
            f"(no {MARK} from an earlier build), and building there would remove them",
            hint="choose another --output, or empty the folder",
        )


def leftovers(output: Path) -> bool:
    """Whether a build writing into ``output`` was killed before it finished (while
    moving files into place, or while staging the pages it rendered)."""
    if os.path.exists(f"{output}/{WRITING}"):
        return True
    try:
        with os.scandir(output) as entries:
            return any(entry.name.startswith(STAGING) for entry in entries)
    except OSError:
        return False


def write_files(
    output: Path,
    pages: Mapping[str, bytes | Staged],
    copies: Mapping[str, Path],
    keep: Collection[str] = (),
    *,
    prune: bool = True,
    spare: Collection[str] = (),
    mark: bool = True,
) -> WriteResult:
    """Make ``output`` hold exactly ``pages``, ``copies`` and ``keep`` (plus its dotfiles).

    ``pages`` are bytes, or pages staged (``Staging``) by this build: those are moved
    into place. ``keep`` names files already right on disk (the caller knows from its
    cache). A file whose bytes are already right is not touched either, so its mtime stays and
    sync-based deploys upload only what changed. Without ``prune``, other files stay;
    so do the files in the top-level folders named in ``spare`` (written by another
    stage, such as the search index). Without ``mark``, no ``.digest`` mark is added
    (a folder inside an output that has one).

    Raises BuildFailed (every obstacle, before anything is written) or OutputError (a
    write failed; the previous files are back in place).
    """
    plan = _plan(output, pages, copies)
    produced = set(pages) | set(copies) | set(keep)
    doomed, emptied = _doomed(output, produced, frozenset(spare)) if prune else ([], [])
    if prune:  # the walk removed what a killed build left: so goes the note it was killed
        with suppress(FileNotFoundError):
            os.unlink(f"{output}/{WRITING}")
    unmarked = mark and not os.path.exists(f"{output}/{MARK}")
    if plan.changes or doomed or unmarked:
        with signals_held():
            _Transaction(output, plan, doomed, mark=mark).run()
        for folder in emptied:
            with suppress(OSError):
                os.rmdir(folder)
    stats = {relative: _stat(f"{output}/{relative}") for relative in (*pages, *copies)}
    written = tuple(relative for relative, _ in plan.changes)
    unchanged = len(keep) + len(pages) + len(copies) - len(written)
    return WriteResult(written, unchanged, tuple(sorted(doomed)), stats)


class _Plan:
    """What to write (a plain class: imported on every build, it costs less than a
    dataclass)."""

    __slots__ = ("changes", "new")

    def __init__(self) -> None:
        self.changes: list[tuple[str, bytes | Staged | Path]] = []
        """(output path, its bytes or the file to copy) of every file to write, in order."""
        self.new: set[str] = set()
        """The output paths among ``changes`` that have no file yet."""


def _plan(output: Path, pages: Mapping[str, bytes | Staged], copies: Mapping[str, Path]) -> _Plan:
    """What to write, after checking that every file can go where it must."""
    plan = _Plan()
    problems: list[DigestError] = []
    folders: dict[str, OutputError | bool] = {"": _folder_state(str(output))}
    items: list[tuple[str, bytes | Staged | Path]] = [
        *sorted(pages.items()),
        *sorted(copies.items()),
    ]
    for relative, data in items:
        target = f"{output}/{relative}"
        parts = relative.split("/")
        if any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES for part in parts):
            problems.append(OutputError(f"name longer than {NAME_MAX_BYTES} bytes", _shown(target)))
            continue
        state: OutputError | bool = folders[""]
        for depth in range(1, len(parts)):
            if state is not True:
                break  # a missing folder has no folders in the way below it
            folder = "/".join(parts[:depth])
            if folder not in folders:
                folders[folder] = _folder_state(f"{output}/{folder}")
            state = folders[folder]
        if isinstance(state, OutputError):
            if state not in problems:
                problems.append(state)
            continue
        if state is False:  # its folder is missing: so is the file
            plan.changes.append((relative, data))
            plan.new.add(relative)
            continue
        try:
            status = os.stat(target)
        except FileNotFoundError:
            plan.changes.append((relative, data))
            plan.new.add(relative)
            continue
        if stat.S_ISDIR(status.st_mode):
            problems.append(
                OutputError("a folder is where this file must go; remove it", _shown(target))
            )
        elif not _same_bytes(target, status.st_size, data):
            plan.changes.append((relative, data))
    if problems:
        raise BuildFailed(problems)
    return plan


def _folder_state(path: str) -> OutputError | bool:
    """True for a folder we can write in, False when missing, else what is wrong."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISDIR(status.st_mode):
        return OutputError("a file is where a folder must go; remove it", _shown(path))
    if not os.access(path, os.W_OK):
        return OutputError("this folder is read-only", _shown(path))
    return True


def _same_bytes(target: str, size: int, data: bytes | Staged | Path) -> bool:
    if isinstance(data, Path):
        if data.stat().st_size != size:
            return False
        data = data.read_bytes()
    elif isinstance(data, Staged):
        if data.size != size:
            return False
        data = staged_bytes(data)
    if len(data) != size:
        return False
    with open(target, "rb") as stream:
        return stream.read() == data


class _Transaction:
    """Writes a plan and removes the doomed files, or (on any failure) none of it."""

    def __init__(self, output: Path, plan: _Plan, doomed: list[str], *, mark: bool) -> None:
        self.output = output
        self.mark = mark
        self.plan = plan
        self.doomed = doomed
        self.current = str(output)
        """The file being written or moved, for the error when that fails."""
        self.folders: set[str] = set()
        """Folders known to be there (each looked at once)."""
        self.made_folders: set[str] = set()
        self.made_files: set[str] = set()
        self.staged: list[tuple[str, str]] = []
        """(temporary file, target) of every changed file, written and not yet in place."""
        self.aside: list[tuple[str, str | None]] = []
        """(target, where its previous file was put) for every file replaced or removed;
        None when the target was new."""

    def run(self) -> None:
        try:
            self._ensure_folder(str(self.output))
            self._create(f"{self.output}/{WRITING}", b"")
            if self.mark and not os.path.exists(f"{self.output}/{MARK}"):
                self._create(f"{self.output}/{MARK}", MARK_TEXT.encode())
            for relative, data in self.plan.changes:
                target = self.current = f"{self.output}/{relative}"
                self._ensure_folder(os.path.dirname(target))
                new = relative in self.plan.new
                if isinstance(data, Staged):
                    if new and self._link(data.path, target):
                        continue
                    if not new:  # already a whole file on this file system: the temporary
                        self.staged.append((data.path, target))
                        continue
                content = data.read_bytes() if isinstance(data, Path) else staged_bytes(data)
                if new and self._create(target, content):
                    continue
                self.staged.append((self._temporary(target, content), target))
            for temporary, target in self.staged:
                self.current = target
                self._replace(temporary, target)
            for relative in self.doomed:
                target = self.current = f"{self.output}/{relative}"
                removed = _aside_name(target)
                os.replace(target, removed)
                self.aside.append((target, removed))
        except BaseException as error:
            self._undo()
            if isinstance(error, OSError):
                raise OutputError(
                    f"cannot write: {error.strerror or error}; the previous output is back",
                    _shown(self.current),
                ) from error
            raise
        for _, previous in self.aside:
            if previous is not None:
                with suppress(OSError):
                    os.unlink(previous)
        with suppress(OSError):
            os.unlink(f"{self.output}/{WRITING}")

    def _ensure_folder(self, folder: str) -> None:
        if folder in self.folders:
            return
        missing: list[str] = []
        while folder not in self.folders and not os.path.isdir(folder):
            missing.append(folder)
            folder = os.path.dirname(folder)
        for path in reversed(missing):
            os.mkdir(path)
            self.made_folders.add(path)
        self.folders.update(missing)
        self.folders.add(folder)

    def _create(self, target: str, data: bytes) -> bool:
        """Write a file that does not exist yet, in place (False if it appeared meanwhile)."""
        try:
            handle = os.open(target, _NEW_FILE, 0o666)
        except FileExistsError:
            return False
        self.made_files.add(target)
        _write_new(handle, data)
        return True

    def _link(self, staged: str, target: str) -> bool:
        """Move a staged page to where no file is yet; False if one appeared meanwhile, or
        the move cannot be made (no hard links, another file system): the caller then
        writes it."""
        fresh_folder = os.path.dirname(target) in self.made_folders
        try:
            if fresh_folder:  # only this build writes in it: a rename cannot replace a file
                os.rename(staged, target)
            else:  # a link fails where a file has appeared; a rename would replace it
                os.link(staged, target)
        except OSError:
            return False
        self.made_files.add(target)
        if not fresh_folder:
            os.unlink(staged)
        return True

    def _temporary(self, target: str, data: bytes) -> str:
        handle, temporary = tempfile.mkstemp(
            dir=os.path.dirname(target),
            prefix=".digest-",
            suffix=".tmp",
        )
        self.made_files.add(temporary)
        _write_new(handle, data, _FILE_MODE)
        return temporary

    def _replace(self, temporary: str, target: str) -> None:
        backup = _aside_name(target)
        try:
            os.link(target, backup)
        except FileNotFoundError:
            self.aside.append((target, None))
        except OSError:  # no hard links here: move it instead (a moment without the file)
            os.replace(target, backup)
            self.aside.append((target, backup))
        else:
            self.aside.append((target, backup))
        os.replace(temporary, target)
        self.made_files.discard(temporary)

    def _undo(self) -> None:
        for target, backup in reversed(self.aside):
            with suppress(OSError):
                if backup is None:
                    os.unlink(target)
                else:
                    os.replace(backup, target)
        for path in self.made_files:
            with suppress(OSError):
                os.unlink(path)
        for folder in sorted(self.made_folders, key=len, reverse=True):  # deepest first
            with suppress(OSError):
                os.rmdir(folder)
        with suppress(OSError):
            os.unlink(f"{self.output}/{WRITING}")


def _aside_name(target: str) -> str:
    return f"{os.path.dirname(target)}/.digest-{os.urandom(6).hex()}.old"


def _stat(path: str) -> tuple[int, int, int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def _doomed(
    output: Path, keep: set[str], spare: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """Files under ``output`` this build did not produce, and the folders they leave empty.

    Dotfiles stay, except digest's own temporary files, which a killed build may have
    left: those go at once. The top-level folders in ``spare`` are not looked into.
    """
    doomed: list[str] = []
    emptied: list[str] = []
    if not os.path.isdir(output):
        return doomed, emptied

    def visit(folder: str, prefix: str) -> bool:
        """True when everything in ``folder`` goes."""
        empty = True
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = f"{prefix}{entry.name}"
                if entry.name.startswith("."):
                    if relative in spare:
                        empty = False
                    elif entry.name.startswith(".digest-") and entry.name.endswith(_OURS):
                        if entry.is_dir(follow_symlinks=False):
                            shutil.rmtree(entry.path, ignore_errors=True)
                        else:
                            with suppress(OSError):
                                os.unlink(entry.path)
                    else:
                        empty = False
                elif relative in spare and entry.is_dir(follow_symlinks=False):
                    empty = False
                elif entry.is_dir(follow_symlinks=False):
                    if visit(entry.path, f"{relative}/"):
                        emptied.append(entry.path)
                    else:
                        empty = False
                elif relative in keep:
                    empty = False
                else:
                    doomed.append(relative)
        return empty

    visit(str(output), "")
    return doomed, emptied


def _shown(path: Path | str) -> str:
    """A path as the user would type it: relative when it is below the current folder."""
    absolute = Path(path)
    return os.path.relpath(absolute) if absolute.is_relative_to(Path.cwd()) else str(absolute)
