"""Every URL and output-path rule of a site, and slugs.

A *url* here is site-absolute and starts and ends with ``/`` (``/2024/02/19/``) unless
it names a file (``/404.html``); the base path of a sub-path deploy (``/news/``) is
added only by ``join``.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import date
from urllib.parse import quote, urlsplit

_NOT_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)
_NOT_TAG_SLUG = re.compile(r"[^\w\-+ ]", re.UNICODE)
_SHARP = re.compile(r"(?<=\w)#")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")

"""The folder of posts and the files beside them, relative to the site root."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def anchor_id(text: str) -> str:
    """GitHub-style heading id that keeps CJK characters.

    ``1.谷歌推出了 Gemini 1.5 Pro`` becomes ``1谷歌推出了-gemini-15-pro``: lower case,
    punctuation dropped, each space a hyphen.
    """
    lowered = unicodedata.normalize("NFC", text).strip().lower()
    return _NOT_SLUG.sub("", lowered).replace(" ", "-")


def slugify(text: str) -> str:
    """URL segment for a tag or a file name; CJK characters are kept as they are.

    ``+`` is kept and ``#`` after a letter reads "sharp", so ``C``, ``C++`` and ``C#``
    stay three tags (``c``, ``c++``, ``csharp``).
    """
    lowered = _SHARP.sub("sharp", unicodedata.normalize("NFKC", text).strip().lower())
    cleaned = _NOT_TAG_SLUG.sub(" ", lowered.replace("_", " "))
    return _DASHES.sub("-", _SPACES.sub("-", cleaned.strip())).strip("-")


def expand_permalink(pattern: str, day: date, slug: str) -> str:
    """The url of a post; a post without a slug is the page of its day."""
    if not slug:
        return day_url(day)
    return pattern.format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}", slug=slug
    )


def year_url(year: int) -> str:
    return f"/{year:04d}/"


def month_url(year: int, month: int) -> str:
    return f"/{year:04d}/{month:02d}/"


def day_url(day: date) -> str:
    return f"/{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def tag_url(slug: str) -> str:
    return f"/tags/{slug}/"


def page_url(first: str, number: int) -> str:
    """Url of page ``number`` of a paginated listing whose first page is ``first``."""
    return first if number == 1 else f"{first}page/{number}/"


def output_path(url: str) -> str:
    """Where a url lives in the output folder: pretty urls become ``index.html``."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return f"{path}index.html"
    return path


def base_path(base_url: str) -> str:
    """The path part of ``base_url``, always ending in ``/`` (``/news/`` or ``/``)."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else f"{path}/"


def join(base: str, url: str) -> str:
    """Prefix a site-absolute url with the base path; percent-encode what must be."""
    return quote(base.rstrip("/") + url, safe="/#%:?=&@!$'()*+,;~")


_URL_PADDING = "".join(map(chr, range(0x21)))
_URL_DROPPED = re.compile(r"[\t\n\r]")


def is_web_or_site_url(ref: str) -> bool:
    """True for an http(s) URL or a URL without a scheme (a path on the site, ``//host/x``).

    Read as a browser reads it (control characters and spaces around it ignored, tabs and
    newlines inside dropped), so ``java\\tscript:`` is the script URL it is.
    """
    bare = _URL_DROPPED.sub("", ref.strip(_URL_PADDING))
    scheme = _SCHEME.match(bare)
    return scheme is None or scheme.group().lower() in ("http:", "https:")


def is_local_reference(ref: str) -> bool:
    """True for a relative link such as ``img/a.png`` or ``../x.pdf``, which we rewrite."""
    if not ref or ref.startswith(("/", "#", "?", "\\")):
        return False
    return _SCHEME.match(ref) is None


def resolve_local(folder: str, ref: str) -> str | None:
    """Site url of a file referenced relatively from a post in ``folder``.

    ``folder`` is the post's folder relative to content/ (``2024`` or ``""``).
    Returns None when the reference climbs out of content/.
    """
    path, _, fragment = ref.partition("#")
    path, _, query = path.partition("?")
    joined = posixpath.normpath(posixpath.join(folder, path)) if path else folder
    if joined == ".." or joined.startswith("../"):
        return None
    url = "/" if joined in ("", ".") else f"/{joined}"
    if path.endswith("/") and not url.endswith("/"):
        url += "/"
    if query:
        url += f"?{query}"
    if fragment:
        url += f"#{fragment}"
    return url


def origin(base_url: str) -> str:
    """``https://host`` of ``base_url``, or "" when it names no host (``/``)."""
    if "//" not in base_url:
        return ""
    scheme, rest = base_url.split("//", 1)
    return f"{scheme}//{rest.split('/', 1)[0]}"
