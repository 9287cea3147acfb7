"""Bare URLs in mixed Chinese/English text: where a URL begins and ends, and the rule
that turns them into links.

Wraps linkify-it for markdown-it-py.
"""

from __future__ import annotations

import re
from typing import Literal

from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt
from markdown_it.common.utils import isLinkClose, isLinkOpen
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


class CjkAwareLinkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it, made to read bare URLs in Chinese text as a writer means them.

    - A URL stops where CJK text or full-width punctuation begins (``地址：https://a.b/c。``),
      or quotes, ……, ——, ·, an en dash, an arrow or an emoji (``“https://a.b/c”``),
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
        # markdown-it passes the whole rest of the paragraph for every URL: mask only as far
        # as the URL could reach, or 2,000 URLs in a paragraph would take seconds.
        end = _URL_BREAK.search(text)
        window = text[: end.end()] if end else text
        match = super().match_at_start(_mask_cjk(window))
        return self._rebuild(text, match) if match is not None and _wanted(match) else None

    def _rebuild(self, text: str, match: Match) -> Match:
        rebuilt = Match(text, match.schema, match.index, match.last_index)
        self.normalize(rebuilt)
        return rebuilt


_CJK = "\u2e80-\u2fdf\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# Where a URL glued to Chinese text ends: CJK and full-width punctuation, and what Chinese
# text puts around URLs too: “” ‘’, …… and ——, ·, en dash, arrows, emoji.
_STOPS = (
    "\u3000-\u303f\uff00-\uffef\u00b7\u2013\u2014\u2018-\u201f\u2026\u2190-\u21ff"
    "\u2600-\u27bf\U0001f000-\U0001faff"
)
_STOP = re.compile(f"[{_STOPS}]")
_PATH_LEAD = frozenset("/=#?&")
_SPACE = re.compile(r"\s")
_URL_MARK = re.compile(r"://|www\.")
# The first character that _mask_cjk surely turns into (or keeps as) a space: no URL found
# in the masked text reaches past it.
_URL_BREAK = re.compile(f"[\\s{_STOPS}]|(?<![/=#?&{_CJK}])[{_CJK}]")


def _mask_cjk(text: str) -> str:
    """``text`` with every CJK character that cannot belong to a URL turned into a space.

    A run of CJK stays when it follows ``/ = # ? &`` in a word (text between spaces) that
    holds ``://`` or ``www.``. One pass: the word's start and the last such mark are carried
    along, never searched again from the beginning.
    """
    if text.isascii():
        return text
    masked = _STOP.sub(" ", text)
    pieces: list[str] = []
    done = 0
    word_start = 0  # where the word around the current run begins
    searched = 0  # masked[:searched] has been searched for spaces
    marks = _URL_MARK.finditer(masked)
    mark = next(marks, None)
    last_mark = -1  # start of the last mark that ends before the current run
    for run in _CJK_RUN.finditer(masked):
        start, end = run.span()
        if start > 0 and masked[start - 1] in _PATH_LEAD:
            for space in _SPACE.finditer(masked, searched, start):
                word_start = space.end()
            searched = start
            while mark is not None and mark.end() <= start:
                last_mark = mark.start()
                mark = next(marks, None)
            if last_mark >= word_start:
                continue  # the path or query of a URL
        pieces += (masked[done:start], " " * (end - start))
        done = end
    pieces.append(masked[done:])
    return "".join(pieces)


# Bare domains (no scheme, no www.) are linked only under these endings; country codes such
# as .py .md .rs .sh are far more often file names in a tech digest.
_BARE_DOMAIN_ENDINGS = frozenset(
    {"com", "org", "net", "edu", "gov", "io", "ai", "dev", "app", "co", "cn", "me", "xyz"}
    | {"tech", "info", "so", "news", "blog"}
)


# What a text needs for linkify_paragraphs to keep a link found in it: a scheme's ":" or
# "//", an email's "@", "www." or a dot before a bare-domain ending. Most text tokens of a
# digest have none, and linkify-it's own tests are large Unicode patterns.
_MAY_LINK = re.compile(
    "[:@]|//|www\\.|\\.(?:" + "|".join(sorted(_BARE_DOMAIN_ENDINGS)) + ")", re.IGNORECASE
)


def _wanted(match: Match) -> bool:
    if match.schema:
        return True
    raw = str(match.raw).lower()
    host = raw.split("/", 1)[0].split(":", 1)[0]
    return raw.startswith("www.") or host.rsplit(".", 1)[-1] in _BARE_DOMAIN_ENDINGS


def linkify_paragraphs(state: StateCore) -> None:
    """Core rule in place of markdown-it's ``linkify``: the same links, built in one pass.

    markdown-it splices each text token that holds a link into its paragraph's token
    list, copying the whole list every time; 20,000 lines of ``www.a.org/xN`` in one
    paragraph took 9 s. Here each paragraph's tokens are rebuilt once.
    """
    md, finder = state.md, state.md.linkify
    if finder is None:
        return
    for inline in state.tokens:
        tokens = inline.children
        if inline.type != "inline" or not tokens or not _MAY_LINK.search(inline.content):
            continue
        shielded = _inside_links(tokens)
        rebuilt: list[Token] = []
        pretested: bool | None = None  # linkify-it's pretest of the paragraph, once needed
        for index, token in enumerate(tokens):
            if (
                shielded[index]
                or token.type != "text"
                or not _MAY_LINK.search(token.content)
                or not finder.test(token.content)
            ):
                rebuilt.append(token)
                continue
            # markdown-it asks the pretest first, of the whole paragraph; it can say no
            # where a token's own test says yes (``a.info<br>``). Asked last, it is the
            # same answer, paid for only in paragraphs that hold a link.
            if pretested is None:
                pretested = bool(finder.pretest(inline.content))
            if not pretested:
                rebuilt.append(token)
                continue
            links = finder.match(token.content) or []
            # `http\://x`: the escape says "not a link" for a URL at the start of the text.
            if links and links[0].index == 0 and index and tokens[index - 1].type == "text_special":
                links = links[1:]
            rebuilt += _linked(md, token, links)
        inline.children = rebuilt


def _inside_links(tokens: list[Token]) -> list[bool]:
    """Which tokens are the text of a Markdown link or of a raw ``<a>…</a>``.

    Read from the end, as markdown-it does, so an ``<a>`` that is never closed shields
    nothing and a stray ``</a>`` shields what comes before it.
    """
    shielded = [False] * len(tokens)
    raw_depth = 0
    index = len(tokens) - 1
    while index >= 0:
        token = tokens[index]
        if token.type == "link_close":
            start = index - 1
            while tokens[start].level != token.level and tokens[start].type != "link_open":
                start -= 1
            shielded[start : index + 1] = [True] * (index + 1 - start)
            index = start - 1
            continue
        if token.type == "html_inline":
            if isLinkOpen(token.content) and raw_depth > 0:
                raw_depth -= 1
            if isLinkClose(token.content):
                raw_depth += 1
        shielded[index] = raw_depth > 0
        index -= 1
    return shielded


def _linked(md: MarkdownIt, token: Token, links: list[Match]) -> list[Token]:
    """``token`` cut into text and the links found in it."""
    text, level = token.content, token.level
    pieces: list[Token] = []
    end = 0
    for link in links:
        href = md.normalizeLink(link.url)
        if not md.validateLink(href):
            continue
        if not link.schema:  # a bare host: normalised as an http URL, shown without it
            label = md.normalizeLinkText(f"http://{link.text}").removeprefix("http://")
        elif link.schema == "mailto:" and link.text.lower().startswith("mailto:"):
            label = md.normalizeLinkText(f"mailto:{link.text}").removeprefix("mailto:")
        else:
            label = md.normalizeLinkText(link.text)
        if link.index > end:
            pieces.append(_token("text", text[end : link.index], level))
        pieces += (
            _token("link_open", "", level, nesting=1, href=href),
            _token("text", label, level + 1),
            _token("link_close", "", level, nesting=-1),
        )
        end = link.last_index
    if end < len(text):
        pieces.append(_token("text", text[end:], level))
    return pieces


def _token(
    kind: str, content: str, level: int, nesting: Literal[-1, 0, 1] = 0, href: str = ""
) -> Token:
    token = Token(kind, "a" if nesting else "", nesting)
    token.content = content
    token.level = level
    if nesting:
        token.markup, token.info = "linkify", "auto"
    if href:
        token.attrs = {"href": href}
    return token
