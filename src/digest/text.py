"""Counting and cutting mixed Chinese/English text the way a reader perceives it.

Each CJK character counts as one unit and each run of Latin letters or digits (a word)
counts as one unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CJK = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_UNIT = re.compile(rf"[{_CJK}]|[^\s{_CJK}\u3000-\u303f\uff00-\uffef]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’.\-][A-Za-z0-9]+)*")
CJK_PER_MINUTE = 300
WORDS_PER_MINUTE = 200
ELLIPSIS = "…"
_SENTENCE_ENDS = frozenset("。！？.!?")
_BOUNDARY = re.compile(r"[。！？；，、]|[.!?;,](?= )")


@dataclass(frozen=True, slots=True)
class TextStats:
    """How much there is to read: CJK characters and Latin words counted apart."""

    cjk_characters: int
    words: int

    @property
    def reading_minutes(self) -> int:
        minutes = self.cjk_characters / CJK_PER_MINUTE + self.words / WORDS_PER_MINUTE
        return max(1, math.ceil(minutes))


def text_stats(text: str) -> TextStats:
    # Runs, not characters: a Chinese paragraph is a few matches instead of hundreds.
    cjk_characters = sum(map(len, _CJK_RUN.findall(text)))
    return TextStats(cjk_characters=cjk_characters, words=len(_LATIN_WORD.findall(text)))


def squash_spaces(text: str) -> str:
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` units of ``text``, with … when anything was cut.

    A unit is one CJK character or one whitespace-free run of other characters, so a
    Latin word (with its punctuation) is never split. When a sentence or clause ends in
    the last third of what fits (``。！？；，、`` or a Latin ``. ! ? ;`` before a space),
    the cut falls there, so the summary does not stop mid-phrase.
    """
    text = squash_spaces(text)
    units = list(_UNIT.finditer(text))
    if len(units) <= limit:
        return text
    kept = text[: units[limit].start()]
    last_third = units[limit * 2 // 3].start() if limit >= 3 else len(kept)
    ends = [m for m in _BOUNDARY.finditer(kept) if m.start() >= last_third]
    if ends:
        end = ends[-1]
        kept = kept[: end.end()] if end.group() in _SENTENCE_ENDS else kept[: end.start()]
    return kept.rstrip(" ,，、;；:：") + ELLIPSIS
