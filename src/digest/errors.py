"""Every mistake a user can make, as a value that knows where it happened.

    DigestError(message, path, line, hint)
    ├── ConfigError     digest.toml / [tool.digest]: unknown key, wrong type, bad value
    ├── ContentError    a post: front matter, date, duplicate URL, encoding
    ├── TemplateError   a Jinja template: syntax, undefined variable, missing file
    ├── OutputError     the output folder: refused location, unwritable path
    └── UsageError      a command-line argument that cannot be used (exit code 2)
    BuildFailed(problems)  many of the above, collected across a whole build

``str(error)`` is GCC style (``path:line: message``) so editors can jump there.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Sequence

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 6
_SHORT.maxlevel = 3


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message, at most ``limit`` characters however big the value."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


WARNING_KINDS = {
    "alt-text": "an image without alt text",
    "missing-link": "a link to a page or file the build does not make",
    "missing-image": "an image the build does not make",
    "fragment": "a link to a #fragment that its page does not have",
    "base-path": "a root-relative link that misses the base path of a sub-path site",
    "outside-content": "a relative link that leads out of content/",
    "markdown-link": "a link to a Markdown file that is no published post or page",
    "unknown-language": "a code block in a language Pygments does not know",
    "raw-html": "a raw HTML tag shown as text (a quote or > is missing)",
    "unknown-key": "a front-matter key close to a known one (tag: for tags:)",
    "symlink": "a symlink not followed, as it leads out of the site",
    "section-file": "a section file (_index.md) left out",
    "language-tag": "a locale name read as a language tag (zh_CN as zh-CN)",
    "cache": "the cache could not be used, so the build ran cold (never fatal)",
}
"""Every kind of warning, by the stable id printed with it (``[warning: alt-text]``) and
that ``ignore_warnings`` names."""


class DigestError(Exception):
    """A problem the user can fix, located in a file when we know which.

    A warning (something ``--strict`` refuses but a build survives) has a ``kind`` from
    ``WARNING_KINDS``; an error has none.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        assert kind is None or kind in WARNING_KINDS, kind
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.kind = kind

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(
        self,
    ) -> tuple[type[DigestError], tuple[str, str | None, int | None, str | None, str | None]]:
        # Errors travel back from worker processes; keep their location on the way.
        return (type(self), (self.message, self.path, self.line, self.hint, self.kind))


class ConfigError(DigestError):
    """The site configuration is invalid."""


class ContentError(DigestError):
    """A post cannot be read, parsed or placed."""


class TemplateError(DigestError):
    """A template cannot be loaded or rendered."""


class OutputError(DigestError):
    """The output folder cannot be used or written."""


class UsageError(DigestError):
    """A command-line argument is not valid, such as a DATE that is not a date."""


class BuildFailed(DigestError):
    """One or more problems stopped the build; each keeps its own location."""

    def __init__(self, problems: Sequence[DigestError]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"build failed with {count} problem{'s' if count != 1 else ''}")

    def __reduce__(self) -> tuple[type[BuildFailed], tuple[tuple[DigestError, ...]]]:  # type: ignore[override]
        return (type(self), (self.problems,))


def sort_problems(problems: Sequence[DigestError]) -> list[DigestError]:
    """Order problems by file and line so reports are stable between runs."""
    return sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.message))


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The hint ``did you mean 'timezone'?`` for the choice closest to ``word``, if any is
    close enough (``difflib`` ratio at least ``cutoff``; case is ignored)."""
    by_folded = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), by_folded, n=1, cutoff=cutoff)
    return f"did you mean '{by_folded[close[0]]}'?" if close else None


WARNINGS_SHOWN_PER_KIND = 3


def line_of(problem: DigestError) -> str:
    """A problem as printed: a warning carries its kind, which ``ignore_warnings`` names."""
    return f"{problem} [warning: {problem.kind}]" if problem.kind else str(problem)


def summarized_warnings(warnings: Sequence[DigestError]) -> list[str]:
    """The lines a build prints for its warnings: the first few of each kind in full,
    then how many more there are. A site with thousands of images without alt text
    must not bury its three broken links among them; ``digest check`` lists every one."""
    by_kind: dict[str, list[DigestError]] = {}
    for warning in warnings:
        by_kind.setdefault(warning.kind or "other", []).append(warning)
    lines: list[str] = []
    for kind, found in by_kind.items():
        lines.extend(line_of(warning) for warning in found[:WARNINGS_SHOWN_PER_KIND])
        if len(found) > WARNINGS_SHOWN_PER_KIND:
            more = len(found) - WARNINGS_SHOWN_PER_KIND
            lines.append(f"… and {more:,} more {kind} warnings; digest check lists them all")
    return lines
