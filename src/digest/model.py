"""The site as plain, immutable data: posts, tags, date archives, outputs, the report.

No I/O here; every stage returns new objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from digest.config import Config
from digest.errors import DigestError
from digest.fingerprints import text_hash

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass, looked up once per class."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(item.name for item in dataclasses.fields(kind))
    return names


def _rebuild(kind: type[Record], values: tuple[Any, ...]) -> Record:
    record = object.__new__(kind)
    for name, value in zip(field_names(kind), values, strict=True):
        object.__setattr__(record, name, value)
    return record


class Record:
    """Pickles as its class and a tuple of field values.

    The build cache holds tens of thousands of posts, headings and references; the
    generic state handling of slotted dataclasses made saving and loading it take seconds.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        names = field_names(type(self))
        return (_rebuild, (type(self), tuple(getattr(self, name) for name in names)))


class Heading(NamedTuple):
    """One entry of a post's table of contents.

    Headings and references are tuples: the cache holds hundreds of thousands of them,
    and tuples load from it several times faster than dataclasses.
    """

    level: int
    id: str
    title: str


class Reference(NamedTuple):
    """A link or image in a post, as written, with the file line it is on (for checks)."""

    line: int
    url: str
    kind: Literal["link", "image"]
    alt: bool = True
    """For images: whether there is alt text."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Post(Record):
    """One digest, parsed and rendered."""

    source: str
    """Posix path relative to the site root, e.g. ``content/2024/02-19.md``."""
    title: str
    date: dt.datetime
    """Aware, in the site timezone."""
    slug: str
    url: str
    tags: tuple[str, ...] = ()
    draft: bool = False
    description: str = ""
    html_utf8: bytes = b""
    """The rendered body as UTF-8; ``html`` is it as text. Held as bytes because a str
    takes 4 bytes a character, over the whole post, as soon as one emoji is in it: 168
    MB instead of 62 MB for the bodies of 10,000 posts that a build holds at once."""
    summary: str = ""
    toc: tuple[Heading, ...] = ()
    items: tuple[Heading, ...] = ()
    """The news items: the headings of the shallowest level among ``##`` and ``###``.
    Listings show them, so unlike ``toc`` they are in the card."""
    cover: str | None = None
    """Site-absolute URL (base path included) or an absolute URL."""
    cover_in_body: bool = False
    """Whether the cover is the body's first image (the post page shows it there already)
    rather than one the front matter names."""
    reading_minutes: int = 1
    cjk_characters: int = 0
    words: int = 0
    updated: dt.datetime | None = None
    language: str = ""
    """The post's own language when front matter sets one; else the site's."""
    author: str = ""
    """The post's own author when front matter names one; else the site's ``author``."""
    kind: Literal["post", "page"] = "post"
    """A ``page`` is a file with no date (``content/about.md``): it has its own URL and
    stays out of the home listing, archives, tags, feeds and prev/next links."""
    menu: str = ""
    """A page's label in the header navigation ("" = not in it), ordered by ``weight``."""
    weight: int = 0
    references: tuple[Reference, ...] = ()
    fingerprint: str = ""
    """Hash of the post's path and text: with the config and code it decides every field."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Front-matter keys digest does not know, for templates (``page.extra.key``)."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """The file line of the front-matter keys ``date``, ``slug`` and ``tags``, for errors
    found later about them (two posts at one URL, two tags at one URL)."""
    card: str = ""
    """Hash of every field but the body ones (``BODY_FIELDS``): what a listing can show."""

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8", "surrogatepass")

    @property
    def day(self) -> dt.date:
        return self.date.date()

    @property
    def is_day_page(self) -> bool:
        """A post without a slug lives at its day's URL and stands in for the day archive."""
        return not self.slug


BODY_FIELDS = frozenset({"html", "html_utf8", "toc", "references", "cjk_characters", "words"})
"""Post fields only a page showing the whole post reads. A template that reads none of
them (listings, archives, tags) counts a post by its ``card``, so an edit deep in a post
does not render every listing that shows it again."""
_NOT_IN_CARD = BODY_FIELDS | {"fingerprint", "card"}


def card_of(fields: Mapping[str, Any]) -> str:
    """The ``card`` hash of a post's field values (the Post's keyword arguments)."""
    shown = sorted((name, value) for name, value in fields.items() if name not in _NOT_IN_CARD)
    return text_hash(repr(shown))


@dataclass(frozen=True, slots=True)
class Link(Record):
    """Somewhere a page points to: a url and the words to show for it."""

    url: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Nav(Record):
    """Site-wide facts every page may show (``nav`` in templates).

    It is in every page's fingerprint, so it holds only what changes rarely: a fact that
    changes with each new post (the newest post, a count) would make every daily
    publish render every page again.
    """

    years: tuple[Link, ...]
    """The year archives, newest first."""
    has_tags: bool
    menu: tuple[Link, ...]
    """The standalone pages that set ``menu``, in their order."""
    custom_css: bool
    """Whether the site has ``static/assets/custom.css``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag(Record):
    name: str
    slug: str
    url: str
    posts: tuple[Post, ...]


ArchiveKind = Literal["year", "month", "day"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive(Record):
    """The posts of one year, month or day, with its neighbours that have posts."""

    kind: ArchiveKind
    start: dt.date
    """First day of the period."""
    url: str
    title: str
    posts: tuple[Post, ...]
    up: Link | None = None
    previous: Link | None = None
    """The nearest earlier period of the same kind that has posts."""
    next: Link | None = None
    children: tuple[Link, ...] = ()
    """Months of a year, days of a month, newest first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Paginator(Record):
    """Where one page of a paginated listing sits among its siblings."""

    number: int
    """1-based."""
    urls: tuple[str, ...]
    """Every page of the listing, first to last."""

    @property
    def total(self) -> int:
        return len(self.urls)

    @property
    def previous(self) -> str | None:
        """Url of the page before (newer posts), if any."""
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        """Url of the page after (older posts), if any."""
        return self.urls[self.number] if self.number < self.total else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Everything the pages are made from."""

    config: Config
    posts: tuple[Post, ...]
    """Published posts, newest first."""
    pages: tuple[Post, ...] = ()
    """Published standalone pages (``kind == "page"``), by source."""
    tags: tuple[Tag, ...]
    """By name."""
    years: tuple[Archive, ...]
    months: tuple[Archive, ...]
    days: tuple[Archive, ...]
    """Each newest first."""
    skipped_drafts: int = 0
    skipped_future: int = 0
    next_future: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Output(Record):
    """One file to produce: where it goes and what it is made from."""

    url: str
    path: str
    """Relative to the output folder."""
    template: str
    context: Mapping[str, Any]
    source: str
    """What asked for this output (a post's source, or a page kind), for error messages."""
    lastmod: dt.datetime | None = None
    """When what the page shows last changed (for the sitemap); None keeps it out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Shard:
    """One part of the search index: a complete Pagefind bundle in ``pagefind/<name>/``.

    The name changes whenever what the bundle must hold changes (its pages, its language,
    whether it is the primary), so a folder of that name that indexing finished holds
    exactly these pages, and an edit or a new post leaves the other shards' names alone.
    """

    name: str
    paths: tuple[str, ...]
    """Output paths of its posts or standalone pages, sorted."""
    primary: bool
    """The one shard whose bundle carries Pagefind's scripts and wasm, which the search
    page loads; the others are merged into it and share them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchJob:
    """The search shards to make after a build: which, from which pages, into which output."""

    output: str
    shards: tuple[Shard, ...]
    """Every shard of the site: folders under ``pagefind/`` that are none of them go."""
    stale: tuple[str, ...]
    """Names of the shards to index; the others are current and stay as they are."""
    language: str
    """The index's language (a primary subtag such as ``zh``): one for every shard."""
    token: str
    """Written into the output's pending mark: only this job's end removes it."""
    jobs: int
    """How many shards are indexed at once (one Pagefind process each)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Indexed:
    """What one indexing made."""

    pages: int
    shards: int
    """Shards indexed."""
    of: int
    """Shards of the site."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """What a build did."""

    written: tuple[str, ...]
    unchanged: int
    rendered: tuple[str, ...]
    """Output paths of the pages and feeds rendered; the others were unchanged."""
    copied: int
    deleted: tuple[str, ...]
    warnings: tuple[DigestError, ...]
    seconds: float
    posts: int
    pages: int
    output: str
    skipped_drafts: int = 0
    skipped_future: int = 0
    next_future: dt.datetime | None = None
    search_shards: tuple[Shard, ...] = ()
    """The parts of the search index and the posts and standalone pages each holds."""
    search_language: str = ""
    """The search index's language (``search.search_language``)."""
    reindex: tuple[str, ...] = ()
    """Of ``written``, the files whose part the search index reads changed (or may
    have): a page whose header or footer alone changed is not indexed again."""
    search: SearchJob | None = None
    """The index still to make (``digest serve`` makes it in the background); None when it
    is current, made by this build, or search is off."""
    indexed: Indexed | None = None
    """What this build put in the search index; None when it made none."""
