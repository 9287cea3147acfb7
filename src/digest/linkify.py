"""Bare URLs in mixed Chinese/English text: where a URL begins and ends.

Layer 0: imports nothing from digest; wraps linkify-it for markdown-it-py.
"""

from __future__ import annotations

import re

from linkify_it import LinkifyIt
from linkify_it.main import Match


class CjkAwareLinkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it, made to read bare URLs in Chinese text as a writer means them.

    - A URL stops where CJK text or full-width punctuation begins (``地址：https://a.b/c。``),
      except CJK right after ``/ = # ? &`` of a URL, which is its path or query
      (``https://zh.wikipedia.org/wiki/人工智能``).
    - A URL glued to Chinese text before it is still found (``访问www.example.com``).
    - A domain without scheme or ``www.`` is linked only under common endings
      (``example.com``), so file names (``main.py``, ``README.md``) stay text.

    linkify-it is run on a copy of the text where the CJK that ends a URL is replaced by
    spaces: same length, so every index it returns is right for the real text.
    """

    def test(self, text: str) -> bool:
        return bool(super().test(_mask_cjk(text)))

    def match(self, text: str) -> list[Match] | None:
        found = [
            self._rebuild(text, match)
            for match in super().match(_mask_cjk(text)) or []
            if _wanted(match)
        ]
        return found or None

    def match_at_start(self, text: str) -> Match | None:
        match = super().match_at_start(_mask_cjk(text))
        return self._rebuild(text, match) if match is not None and _wanted(match) else None

    def _rebuild(self, text: str, match: Match) -> Match:
        rebuilt = Match(text, match.schema, match.index, match.last_index)
        self.normalize(rebuilt)
        return rebuilt


_CJK_RUN = re.compile(r"[\u2e80-\u2fdf\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
_PATH_LEAD = frozenset("/=#?&")


def _mask_cjk(text: str) -> str:
    """``text`` with every CJK character that cannot belong to a URL turned into a space."""
    if text.isascii():
        return text
    masked = _FULL_WIDTH.sub(" ", text)

    def run(found: re.Match[str]) -> str:
        start = found.start()
        token = masked[:start].rsplit(None, 1)[-1] if masked[:start].strip() else ""
        in_path = (
            start > 0 and masked[start - 1] in _PATH_LEAD and ("://" in token or "www." in token)
        )
        return found.group() if in_path else " " * len(found.group())

    return _CJK_RUN.sub(run, masked)


# Bare domains (no scheme, no www.) are linked only under these endings; country codes such
# as .py .md .rs .sh are far more often file names in a tech digest.
_BARE_DOMAIN_ENDINGS = frozenset(
    {"com", "org", "net", "edu", "gov", "io", "ai", "dev", "app", "co", "cn", "me", "xyz"}
    | {"tech", "info", "so", "news", "blog"}
)


def _wanted(match: Match) -> bool:
    if match.schema:
        return True
    raw = str(match.raw).lower()
    host = raw.split("/", 1)[0].split(":", 1)[0]
    return raw.startswith("www.") or host.rsplit(".", 1)[-1] in _BARE_DOMAIN_ENDINGS
