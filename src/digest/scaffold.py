"""Starting a site and starting a day: ``digest init`` and ``digest new``.

Both commands only ever create files: an existing file is never overwritten, and a
failed ``init`` removes what it made.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.config import CONFIG_FILE, Config, parse_config
from digest.content import parse_post, scan
from digest.dates import date_from_source, parse_date
from digest.errors import DigestError, OutputError, TemplateError, UsageError
from digest.folders import CONTENT_DIR
from digest.templates import templates_for
from digest.theme import theme_root

STARTER = Path(__file__).parent / "starter"
WORKFLOW = ".github/workflows/publish.yml"
ARCHETYPE = "archetypes/post.md"
"""The archetype's name under ``templates/``; a site's own file overrides the theme's."""
DEFAULT_LAYOUT = "{year}/{mm}-{dd}{dash_slug}.md"
_DATE_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_IGNORED_IN_EMPTY = frozenset({".git"})
_UTC_ALIASES = frozenset({"Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"})
PACKAGE = "digest-ssg"
"""digest's name on the package index, and of its installed distribution."""


@dataclass(frozen=True, slots=True)
class Pin:
    """The ``requirements.txt`` of a new site, and why it may not give the same digest."""

    text: str
    warning: str | None = None


def pin_for(version: str, direct_url: Mapping[str, Any] | None) -> Pin:
    """A requirement that installs again the digest described by ``direct_url``.

    ``direct_url`` is the installed distribution's ``direct_url.json`` (PEP 610), None
    when there is none, which means it came from a package index. A VCS checkout is pinned
    to its commit and a remote archive to its URL. A local folder or file (an editable
    install, a wheel built here) cannot be reached from CI: the version is pinned with a
    comment saying so, and the warning says it too.
    """
    if direct_url is None:
        return Pin(f"{PACKAGE}=={version}\n")
    url = str(direct_url.get("url", ""))
    fragment = ""
    if subdirectory := direct_url.get("subdirectory"):
        fragment = f"#subdirectory={subdirectory}"
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, Mapping) and vcs.get("commit_id") and url:
        return Pin(f"{PACKAGE} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}{fragment}\n")
    if "archive_info" in direct_url and url.startswith(("https://", "http://")):
        return Pin(f"{PACKAGE} @ {url}{fragment}\n")
    where = url or "an unknown place"
    source = f"an editable install of {where}" if _is_editable(direct_url) else f"from {where}"
    return Pin(
        f"# digest here is {source}, which other machines cannot reach;\n"
        f"# this pins the same version from the package index.\n"
        f"{PACKAGE}=={version}\n",
        warning=(
            f"digest is {source}: requirements.txt pins {PACKAGE}=={version} "
            "from the package index instead"
        ),
    )


def _is_editable(direct_url: Mapping[str, Any]) -> bool:
    info = direct_url.get("dir_info")
    return isinstance(info, Mapping) and info.get("editable") is True


def installed_pin(version: str) -> Pin:
    """``pin_for`` the digest that is running, read from its installed metadata."""
    try:
        raw = distribution(PACKAGE).read_text("direct_url.json")
    except PackageNotFoundError:
        return pin_for(version, {})  # run from a source tree: nothing says where from
    if raw is None:
        return pin_for(version, None)
    try:
        found = json.loads(raw)
    except ValueError:
        found = {}
    return pin_for(version, found if isinstance(found, dict) else {})


@dataclass(frozen=True, slots=True)
class Created:
    """What ``init`` did: files it wrote and files it found already there and kept."""

    written: tuple[str, ...]
    kept: tuple[str, ...]


def parse_day(text: str, today: date) -> date:
    """A DATE argument: ``2024-02-19``, ``2024/02/19``, ``today``, ``yesterday``, ``tomorrow``."""
    word = text.strip().lower()
    if word in _DATE_WORDS:
        return today + timedelta(days=_DATE_WORDS[word])
    moment = parse_date(word, UTC)  # the forms front matter takes; the zone plays no part
    if moment is not None:
        return moment.date()
    raise UsageError(
        f"not a date: {text!r} (use 2024-02-19, 2024/02/19, today, yesterday or tomorrow)"
    )


def today_in(zone: ZoneInfo, now: datetime) -> date:
    """The writer's calendar day: ``now`` seen in the site timezone."""
    return now.astimezone(zone).date()


def init_site(
    target: Path,
    *,
    title: str,
    language: str,
    timezone: str,
    today: date,
    requirements: str,
    force: bool = False,
) -> Created:
    """Create a ready site in ``target``; refuse a folder with files unless ``force``."""
    if target.exists() and not target.is_dir():
        raise OutputError("exists and is not a folder", str(target))
    if not force and _has_files(target):
        raise OutputError(
            "folder is not empty",
            str(target),
            hint="use --force to add only the files that are missing; existing files are kept",
        )
    files = _starter_files(title, language, timezone, today, requirements)
    settings = files[CONFIG_FILE].decode()
    parse_config(tomllib.loads(settings), CONFIG_FILE, settings)
    return _create_all(target, files)


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(
        entry.name not in _IGNORED_IN_EMPTY for entry in folder.iterdir()
    )


def _starter_files(
    title: str, language: str, timezone: str, today: date, requirements: str
) -> dict[str, bytes]:
    """Relative path → bytes of every file ``init`` creates."""
    toml = {"title": title, "language": language, "timezone": timezone}
    example = today - timedelta(days=1)
    folder = f"{CONTENT_DIR}/{example.year}"
    words = _starter_words(language)
    return {
        CONFIG_FILE: _fill(
            "digest.toml", {key: _toml_string(value) for key, value in toml.items()}
        ),
        "README.md": _fill(f"{words}/README.md", {"title": title}),
        ".gitignore": (STARTER / "gitignore").read_bytes(),
        "requirements.txt": requirements.encode(),
        WORKFLOW: (theme_root() / WORKFLOW).read_bytes(),
        f"{folder}/{example:%m-%d}.md": (STARTER / words / "example.md").read_bytes(),
        f"{folder}/images/welcome.svg": (STARTER / "welcome.svg").read_bytes(),
        f"{CONTENT_DIR}/about.md": (STARTER / words / "about.md").read_bytes(),
    }


def _starter_words(language: str) -> str:
    """The starter folder (``zh`` or ``en``) whose example post and README fit ``language``."""
    return "zh" if language.split("-")[0].lower() == "zh" else "en"


def _fill(name: str, values: dict[str, str]) -> bytes:
    text = (STARTER / name).read_text(encoding="utf-8")
    return Template(text).substitute(values).encode()


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string: same quotes, same escapes.
    return json.dumps(value, ensure_ascii=False)


def _create_all(target: Path, files: dict[str, bytes]) -> Created:
    """Write files that do not exist yet; on any failure remove what this call made."""
    made_files: list[Path] = []
    made_folders: list[Path] = []
    kept: list[str] = []
    try:
        for relative, data in files.items():
            path = target / relative
            made_folders.extend(_make_folders(path.parent))
            try:
                with path.open("xb") as handle:
                    made_files.append(path)
                    handle.write(data)
            except FileExistsError:
                if not path.is_file():
                    raise OutputError(
                        "is in the way: it exists and is not a file", str(path)
                    ) from None
                kept.append(relative)
    except (OSError, OutputError):
        for path in reversed(made_files):
            path.unlink(missing_ok=True)
        for folder in reversed(made_folders):
            folder.rmdir()
        raise
    written = tuple(path.relative_to(target).as_posix() for path in made_files)
    return Created(written=written, kept=tuple(kept))


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones made, outermost first."""
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir()
    return list(reversed(missing))


def new_post(
    root: Path,
    config: Config,
    *,
    day: date,
    title: str = "",
    slug: str = "",
    tags: Iterable[str] = (),
) -> Path:
    """Create the post for ``day`` from the archetype, at the path the site's posts use."""
    existing = [found.relative for found in scan(root).posts]
    source = f"{CONTENT_DIR}/{post_path(existing, day, slug)}"
    path = root / source
    if path.exists():
        raise OutputError(
            "already exists", source, hint="give another date, or --slug for a second post that day"
        )
    templates = templates_for(root, config)
    context = {"date": day, "title": title, "slug": slug, "tags": list(tags)}
    text = templates.render(ARCHETYPE, context)
    try:
        parse_post(source, text, config)
    except DigestError as error:
        raise TemplateError(
            f"the archetype makes a post that does not parse: {error}",
            templates.source_of(ARCHETYPE),
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise OutputError("already exists", source) from None
    return path


def post_path(existing: Iterable[str], day: date, slug: str = "") -> str:
    """The content-relative path of a new post, laid out like the newest dated post.

    Known layouts: ``2024-02-19[-slug].md``, ``2024/02-19[-slug].md``, ``2024/02/19.md``,
    ``2024/02/19/index.md`` and ``2024/02/19/slug.md``, each under any folder (a folder
    named after the year follows the new date). Without dated posts: ``2024/02-19.md``.
    """
    dated = [(found[0], source) for source in existing if (found := date_from_source(source))]
    if not dated:
        return _fill_layout(DEFAULT_LAYOUT, "", day, slug)
    example_day, example = max(dated)
    folder, _, name = example.rpartition("/")
    folders = folder.split("/") if folder else []
    if re.match(r"\d{4}-\d{2}-\d{2}(?:$|[-_ .])", name):
        return _fill_layout(
            "{year}-{mm}-{dd}{dash_slug}.md", _moved(folders, example_day, day), day, slug
        )
    if (
        len(folders) >= 1
        and folders[-1] == f"{example_day.year}"
        and re.match(r"\d{2}-\d{2}", name)
    ):
        return _fill_layout(DEFAULT_LAYOUT, _moved(folders[:-1], example_day, day), day, slug)
    # Day folders: …/2024/02/19.md, …/2024/02/19/index.md or …/2024/02/19/slug.md.
    day_folder = f"{example_day.year}/{example_day:%m}/{example_day:%d}"
    prefix = example[: example.index(day_folder)].rstrip("/")
    prefix_folders = prefix.split("/") if prefix else []
    if slug:
        layout = "{year}/{mm}/{dd}/{slug}.md"
    elif name == "index.md" or not example.endswith(f"{day_folder}.md"):
        layout = "{year}/{mm}/{dd}/index.md"
    else:
        layout = "{year}/{mm}/{dd}.md"
    return _fill_layout(layout, _moved(prefix_folders, example_day, day), day, slug)


def _moved(folders: list[str], old: date, new: date) -> str:
    """Folders of the example path with a year folder changed to the new year."""
    moved = [str(new.year) if part == str(old.year) else part for part in folders]
    return "".join(f"{part}/" for part in moved)


def _fill_layout(layout: str, folder: str, day: date, slug: str) -> str:
    return folder + layout.format(
        year=day.year,
        mm=f"{day.month:02d}",
        dd=f"{day.day:02d}",
        slug=slug,
        dash_slug=f"-{slug}" if slug else "",
    )


def local_timezone() -> str:
    """The IANA name of this machine's timezone (``TZ``, else /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.readlink())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name in _UTC_ALIASES:
            return "UTC"
        if name and _is_zone(name):
            return name
    return "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


def local_language() -> str:
    """The language of this machine's locale as a tag (``zh_CN.UTF-8`` → ``zh-CN``), else en."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            found = re.match(r"^([a-z]{2,3})(?:_([A-Z]{2}))?", value)
            return "-".join(part for part in found.groups() if part) if found else "en"
    return "en"
