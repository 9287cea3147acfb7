"""CommonMark made friendly to Chinese text: emphasis next to full-width punctuation, and
no space where a line break falls between two Chinese characters.

A markdown-it-py plugin (``use_cjk_friendly``).

Emphasis follows the "CJK-friendly amendments" to CommonMark 0.31.2
(tats-u/markdown-cjk-friendly, ``specification.md``): in the definitions of left- and
right-flanking delimiter runs, only *non-CJK* punctuation blocks a run, and a CJK
character counts like punctuation on the far side. So ``叫做**《三体》**。`` and
``复杂**“网络杂务”**的`` are bold, as Chinese writers expect, while text without CJK
characters parses exactly as CommonMark says.

The PyPI plugin ``mdit-py-cjk-friendly`` does the same job but requires
markdown-it-py < 4, and we need 4: hence these few functions of our own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.parser_inline import ParserInline
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = ["is_cjk", "use_cjk_friendly"]

# Wide symbols that browsers draw as emoji: not CJK, though East Asian Width says "W".
_EMOJI_BLOCKS = ((0x2300, 0x2BFF), (0x1F000, 0x1FAFF))
_HANGUL_BLOCKS = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
_IDEOGRAPHIC_VARIATION = (0xE0100, 0xE01EF)
_VARIATION_SELECTORS = (0xFE00, 0xFE0E)
"""Standard variation selectors other than U+FE0F (emoji presentation)."""


@lru_cache(maxsize=4096)
def is_cjk(character: str) -> bool:
    """A CJK character as the amendment defines it: East Asian Width W, F or H and not
    an emoji, or Hangul. Full-width punctuation (``，。《》``) is CJK; ``“”`` are not."""
    code = ord(character)
    if any(low <= code <= high for low, high in _HANGUL_BLOCKS):
        return True
    if any(low <= code <= high for low, high in _EMOJI_BLOCKS):
        return False
    return unicodedata.east_asian_width(character) in ("W", "F", "H")


def _is_punctuation(character: str) -> bool:
    return isMdAsciiPunct(ord(character)) or isPunctChar(character)


class _CjkFriendlyState(StateInline):
    """markdown-it's inline state with the amended flanking rules (used by ``*``, ``_``
    and ``~~``, the only callers of ``scanDelims``)."""

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        source = self.src
        marker = source[start]
        end = start
        while end < self.posMax and source[end] == marker:
            end += 1
        before = _character_before(source, start)
        after = source[end] if end < self.posMax else " "

        before_space = isWhiteSpace(ord(before))
        after_space = isWhiteSpace(ord(after))
        before_ivs = _IDEOGRAPHIC_VARIATION[0] <= ord(before) <= _IDEOGRAPHIC_VARIATION[1]
        before_punct = _is_punctuation(before)
        after_punct = _is_punctuation(after)
        before_foreign_punct = before_punct and not is_cjk(before)
        after_foreign_punct = after_punct and not is_cjk(after)

        left_flanking = not after_space and (
            not after_foreign_punct
            or before_space
            or before_foreign_punct
            or before_ivs
            or is_cjk(before)
        )
        right_flanking = not before_space and (
            not before_foreign_punct or after_space or after_foreign_punct or is_cjk(after)
        )
        can_open = left_flanking and (canSplitWord or not right_flanking or before_punct)
        can_close = right_flanking and (canSplitWord or not left_flanking or after_punct)
        return Scanned(can_open, can_close, end - start)


def _character_before(source: str, start: int) -> str:
    """The character before a delimiter run, read through a variation selector to the
    character it modifies (the amendment's "sequences"); the line's start is a space."""
    index = start - 1
    if index >= 0 and _VARIATION_SELECTORS[0] <= ord(source[index]) <= _VARIATION_SELECTORS[1]:
        index -= 1
    return source[index] if index >= 0 else " "


class _CjkFriendlyInline(ParserInline):
    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = _CjkFriendlyState(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


# Tokens that draw nothing themselves: a soft break between CJK text is judged by the
# text on either side of them (``**粗体**⏎正文``).
_INVISIBLE = frozenset(
    {
        "strong_open",
        "strong_close",
        "em_open",
        "em_close",
        "s_open",
        "s_close",
        "link_open",
        "link_close",
    }
)


def _join_cjk_lines(state: StateCore) -> None:
    """A soft line break between two CJK characters renders as nothing, not a space.

    Chinese has no spaces between words, so a writer who wraps a long line in the editor
    does not mean one; between Latin words (or Latin and CJK) the break stays. The token
    stays a (hidden) soft break, so counting breaks still gives source lines.
    """
    for block in state.tokens:
        children = block.children
        if block.type != "inline" or not children:
            continue
        for index, token in enumerate(children):
            if token.type != "softbreak":
                continue
            before = _neighbour_text(children, index, -1)
            after = _neighbour_text(children, index, 1)
            if before and after and is_cjk(before[-1]) and is_cjk(after[0]):
                token.hidden = True


def _neighbour_text(children: list[Token], index: int, step: int) -> str:
    index += step
    while 0 <= index < len(children):
        token = children[index]
        if token.type == "text" and token.content:
            return token.content
        if token.type not in _INVISIBLE and token.type != "text":
            return ""
        index += step
    return ""


def use_cjk_friendly(md: MarkdownIt) -> None:
    """Make ``md`` parse emphasis by the CJK-friendly amendment and join CJK lines."""
    inline = _CjkFriendlyInline()
    inline.ruler = md.inline.ruler
    inline.ruler2 = md.inline.ruler2
    md.inline = inline
    md.core.ruler.after("inline", "cjk_join_lines", _join_cjk_lines)
    md.add_render_rule("softbreak", _render_soft_break)


def _render_soft_break(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return "" if tokens[index].hidden else self.softbreak(tokens, index, options, env)
