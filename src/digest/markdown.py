"""Markdown body in; HTML, table of contents, summary text, cover and warnings out.

Knows nothing of files: the caller passes the post's folder (for relative links) and the
body's first line (so warnings point at lines of the source file).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt, helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from digest import rawhtml
from digest.cjk import use_cjk_friendly
from digest.linkify import CjkAwareLinkify, linkify_paragraphs
from digest.model import Heading, Reference
from digest.text import squash_spaces, text_stats
from digest.urls import anchor_id, is_local_reference, is_web_or_site_url, join, resolve_local

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".m4v")
MORE_MARKER = "<!--more-->"


@dataclass(frozen=True, slots=True)
class MarkdownWarning:
    line: int
    message: str
    kind: str
    """Its id among ``errors.WARNING_KINDS``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """What one Markdown body becomes."""

    html: str
    toc: tuple[Heading, ...]
    summary_text: str
    """Plain text before <!--more-->, else of the first paragraph that has text."""
    has_more: bool
    cover: str | None
    cjk_characters: int
    words: int
    references: tuple[Reference, ...] = ()
    warnings: tuple[MarkdownWarning, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkContext:
    """Where the post sits, so relative references can be rewritten for the site."""

    folder: str = ""
    """The post's folder relative to content/, posix (``2024`` or ``""``)."""
    base_path: str = "/"
    site_host: str = ""


@dataclass(slots=True)
class _Env:
    """Per-render scratch state handed to the rules through markdown-it's env."""

    links: LinkContext
    first_line: int
    warnings: list[MarkdownWarning] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    cover: str | None = None


def render(body: str, links: LinkContext, first_line: int = 1) -> Rendered:
    """Render ``body``; ``first_line`` is the file line on which the body starts."""
    env = _Env(links=links, first_line=first_line)
    md = _markdown()
    tokens = md.parse(body, {"digest": env})
    toc = _assign_heading_ids(tokens)
    html = md.renderer.render(tokens, md.options, {"digest": env})
    summary, has_more = _summary_text(tokens)
    stats = text_stats(_plain_text(tokens))
    return Rendered(
        html=html,
        toc=toc,
        summary_text=summary,
        has_more=has_more,
        cover=env.cover,
        cjk_characters=stats.cjk_characters,
        words=stats.words,
        references=tuple(env.references),
        warnings=tuple(env.warnings),
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": True, "linkify": True, "typographer": False, "xhtmlOut": False}
    ).enable(["table", "strikethrough", "linkify"])
    md.linkify = CjkAwareLinkify()
    md.core.ruler.at("linkify", linkify_paragraphs)
    md.normalizeLink = _unless_plain(md.normalizeLink)  # type: ignore[method-assign,assignment]
    md.normalizeLinkText = _unless_plain(md.normalizeLinkText)  # type: ignore[method-assign,assignment]
    md.helpers = types.SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=helpers.parseLinkLabel,
        parseLinkDestination=_link_destination,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    md.use(footnote_plugin).use(tasklists_plugin).use(use_cjk_friendly)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("html_block", _render_html)
    md.add_render_rule("html_inline", _render_html)
    md.add_render_rule("heading_close", _render_heading_close)
    md.core.ruler.before("text_join", "digest_broken_tags", _find_broken_tags)
    md.core.ruler.push("digest_cover", _find_cover)
    md.core.ruler.push("digest_references", _collect_references)
    return md


# A URL of only these shapes and characters is one markdown-it's normalising returns as
# it is (a test compares the two on random URLs): most links of a digest are, and
# parsing and formatting each took a tenth of the time of reading a post.
_PLAIN_URL = re.compile(
    r"^(?:https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?"
    r"(?:[/?#][A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*)?"
    r"|/(?!/)[A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*)$"
)


def _unless_plain(normalize: Callable[[str], str]) -> Callable[[str], str]:
    def normalized(url: str) -> str:
        return url if _PLAIN_URL.match(url) else normalize(url)

    return normalized


class _Destination:
    """Where a link's destination ends, and what it is: as markdown-it's rules read it."""

    __slots__ = ("ok", "pos", "str")

    def __init__(self, end: int, destination: str) -> None:
        self.ok = True
        self.pos = end
        self.str = destination


# Characters a destination that needs none of CommonMark's finer rules may hold: no space
# or control character, no backslash escape, no parenthesis to balance, no <…> form.
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f()\\<]+")


def _link_destination(text: str, start: int, end: int) -> object:
    """markdown-it's ``parseLinkDestination``, with a quick way through plain URLs.

    markdown-it reads a destination one character at a time, in Python: a fortieth of
    the time of a link-dense digest went there. A run of plain characters ended by
    what ends a destination anyway (``)``, a space, a control character or the end) is
    the whole destination; anything else is left to markdown-it (a test compares the two
    on random text).
    """
    plain = _PLAIN_DESTINATION.match(text, start, end)
    if plain is not None:
        stop = plain.end()
        if stop == end or text[stop] not in "(\\<":
            return _Destination(stop, unescapeAll(plain.group()))
    return helpers.parseLinkDestination(text, start, end)


def _env(env: EnvType) -> _Env:
    state = env["digest"]
    assert isinstance(state, _Env)
    return state


def rewrite_reference(url: str, links: LinkContext) -> str:
    """Relative references point at files next to the post: give them site urls."""
    if not is_local_reference(url):
        return url
    resolved = resolve_local(links.folder, url)
    return url if resolved is None else join(links.base_path, resolved)


# ---- headings ---------------------------------------------------------------


def _assign_heading_ids(tokens: list[Token]) -> tuple[Heading, ...]:
    taken: set[str] = set()
    toc: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        title = squash_spaces(_inline_text(tokens[index + 1]))
        base = anchor_id(title) or "section"
        ident, count = base, 0
        while ident in taken:
            count += 1
            ident = f"{base}-{count}"
        taken.add(ident)
        token.attrSet("id", ident)
        toc.append(Heading(level=int(token.tag[1]), id=ident, title=title))
    return tuple(toc)


def _render_heading_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    ident = tokens[idx - 2].attrGet("id")
    anchor = _HEADING_ANCHOR.format(ident=escape(str(ident))) if ident else ""
    return f"{anchor}</{tokens[idx].tag}>\n"


_HEADING_ANCHOR = (
    ' <a class="heading-anchor" href="#{ident}" aria-hidden="true" tabindex="-1">#</a>'
)
_HEADING_ANCHORS = re.compile(
    re.escape(_HEADING_ANCHOR).replace(re.escape("{ident}"), '[^"]*') + r"(?=</h[1-6]>)"
)


def without_heading_anchors(html: str) -> str:
    """A post's HTML less the ``#`` links after its headings: feed readers show them as a
    stray ``#``, and a reader there cannot use them anyway."""
    return _HEADING_ANCHORS.sub("", html)


# ---- code -------------------------------------------------------------------

_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


_FOCUSABLE = ' tabindex="0"'
"""A code block scrolls sideways when its lines are long: keyboard users must be able to
focus it to scroll it (WCAG 2.1.1; axe's ``scrollable-region-focusable``)."""


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    # The info string is Markdown text: its backslash escapes and entities are resolved
    # (``foo\+bar`` is the language ``foo+bar``), as CommonMark says.
    info = unescapeAll(token.info).strip()
    language = info.split(maxsplit=1)[0] if info else ""
    if not language:
        return f"<pre{_FOCUSABLE}><code>{escape(token.content, quote=False)}</code></pre>\n"
    lexer = _lexer(language.lower())
    css_class = f"language-{escape(language)}"
    if lexer is None:
        state = _env(env)
        line = state.first_line + (token.map[0] if token.map else 0)
        state.warnings.append(
            MarkdownWarning(
                line, f"unknown code language '{language}', shown as plain text", "unknown-language"
            )
        )
        code = escape(token.content, quote=False)
        return f'<pre{_FOCUSABLE}><code class="{css_class}">{code}</code></pre>\n'
    code = highlight(token.content, lexer, _FORMATTER)
    return f'<pre class="highlight"{_FOCUSABLE}><code class="{css_class}">{code}</code></pre>\n'


# ---- images, video and links -------------------------------------------------


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    links = _env(env).links
    src = rewrite_reference(str(token.attrGet("src") or ""), links)
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    title_attr = f' title="{escape(str(title))}"' if title else ""
    if _is_video(src):
        label = escape(alt or _file_name(src))
        return (
            f'<video controls preload="metadata" src="{escape(src)}"{title_attr}>'
            f'<a href="{escape(src)}">{label}</a></video>'
        )
    return (
        f'<img src="{escape(src)}" alt="{escape(alt)}"{title_attr} loading="lazy" decoding="async">'
    )


def _file_name(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]


def _is_video(url: str) -> bool:
    return _file_name(url).lower().endswith(VIDEO_SUFFIXES)


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    links = _env(env).links
    href = str(token.attrGet("href") or "")
    token.attrSet("href", rewrite_reference(href, links))
    if href.startswith(("http://", "https://", "//")):
        host = href.split("//", 1)[1].split("/", 1)[0].lower()
        if host != links.site_host:
            token.attrSet("rel", "noopener")
    return self.renderToken(tokens, idx, options, env)


def _render_html(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return rewrite_raw_html(tokens[idx].content, _env(env).links)


def rewrite_raw_html(fragment: str, links: LinkContext) -> str:
    """Raw HTML stays as written, except relative urls and lazy-loading on ``<img>``."""
    if "=" not in fragment:
        return fragment
    fragment = rawhtml.rewrite_html_urls(fragment, lambda url: rewrite_reference(url, links))
    return rawhtml.add_lazy_loading(fragment)


def _find_cover(state: StateCore) -> None:
    env = _env(state.env)
    for token in _walk(state.tokens):
        if token.type == "image":
            src = str(token.attrGet("src") or "")
            if not _is_video(src):
                env.cover = rewrite_reference(src, env.links)
                return
        elif token.type in ("html_block", "html_inline"):
            raw_src = rawhtml.first_image(token.content)
            # A script URL in raw HTML stays the author's HTML, but never the page's og:image.
            if raw_src is not None and is_web_or_site_url(raw_src):
                env.cover = rewrite_reference(raw_src, env.links)
                return


# ---- text: summary and statistics -------------------------------------------


def _walk(tokens: list[Token]) -> list[Token]:
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        if token.children:
            flat.extend(token.children)
    return flat


def _inline_text(token: Token) -> str:
    return _text_of(token.children or [])


def _text_of(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("" if child.hidden else " ")
    return "".join(parts)


def _without_bare_urls(children: Sequence[Token]) -> list[Token]:
    """Inline tokens less the URLs that linkify made links: a summary is shown as plain
    text (listings, meta descriptions), where a URL is only noise that cannot be clicked."""
    kept: list[Token] = []
    inside = False
    for child in children:
        if child.type == "link_open" and child.markup == "linkify":
            inside = True
            if kept and kept[-1].type == "text" and kept[-1].content.endswith(("：", ":")):
                # "地址：https://…，欢迎" reads "地址，欢迎" without its URL.
                label = kept.pop().copy()
                label.content = label.content.rstrip("：:")
                kept.append(label)
        elif inside:
            inside = child.type != "link_close"
        else:
            kept.append(child)
    return kept


def _summary_text(tokens: list[Token]) -> tuple[str, bool]:
    """Paragraph text before ``<!--more-->`` (a block of its own or inside a paragraph),
    else the first paragraph that has text; and whether the marker was there."""
    before: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "html_block" and MORE_MARKER in token.content:
            return squash_spaces(" ".join(before)), True
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        children = token.children or []
        marker = next(
            (
                i
                for i, c in enumerate(children)
                if c.type == "html_inline" and c.content == MORE_MARKER
            ),
            None,
        )
        if marker is not None:
            before.append(_text_of(_without_bare_urls(children[:marker])))
            return squash_spaces(" ".join(before)), True
        before.append(_text_of(_without_bare_urls(children)))
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open":
            text = squash_spaces(_text_of(_without_bare_urls(tokens[index + 1].children or [])))
            if text:
                return text, False
    return "", False


def _plain_text(tokens: list[Token]) -> str:
    return " ".join(_inline_text(t) for t in tokens if t.type == "inline")


def pygments_css() -> str:
    """The theme's code colours: Pygments' default style, and github-dark in dark mode."""
    light = _style_css("default")
    dark = "\n".join(f"  {line}" for line in _style_css("github-dark").splitlines())
    return (
        "/* Generated by digest.markdown.pygments_css(); see tests/unit/test_theme.py. */\n"
        f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )


def _style_css(style: str) -> str:
    css = HtmlFormatter(style=style).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return str(css)


# The start of a tag a digest uses, left as text: markdown-it found no valid tag there.
_BROKEN_TAG = re.compile(
    r"<(?:a|audio|b|br|code|div|em|figcaption|figure|i|iframe|img|kbd|p|picture|source"
    r"|span|strong|sub|summary|sup|details|small|table|td|th|tr|u|video)[\s/>]",
    re.IGNORECASE,
)


def _find_broken_tags(state: StateCore) -> None:
    """Warn where a raw tag is shown as text (``<img src="a.svg width="800" />``, a
    missing quote). Runs before escapes (``\\<img``, ``&lt;img``) are joined into text,
    so a tag the writer escaped on purpose is not flagged."""
    env = _env(state.env)
    for token in state.tokens:
        if token.type != "inline":
            continue
        line = env.first_line + (token.map[0] if token.map else 0)
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif (
                child.type == "text" and "<" in child.content and _BROKEN_TAG.search(child.content)
            ):
                message = "raw HTML tag is not closed or its quotes do not match"
                env.warnings.append(MarkdownWarning(line, message, "raw-html"))


def _collect_references(state: StateCore) -> None:
    """Every link and image of the post as written, with its file line, for ``digest check``."""
    env = _env(state.env)
    found = env.references
    for token in state.tokens:
        line = env.first_line + (token.map[0] if token.map else 0)
        if token.type == "html_block":
            found.extend(_from_raw(token.content, line))
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open" and child.markup != "linkify":
                found.append(Reference(line, str(child.attrGet("href") or ""), "link"))
            elif child.type == "image":
                alt = bool(child.content.strip())
                found.append(Reference(line, str(child.attrGet("src") or ""), "image", alt))
            elif child.type == "html_inline":
                found.extend(_from_raw(child.content, line))


def _from_raw(fragment: str, line: int) -> list[Reference]:
    return [
        Reference(line + raw.lines, raw.url, "image", raw.has_alt)
        if raw.is_image
        else Reference(line + raw.lines, raw.url, "link")
        for raw in rawhtml.references(fragment)
    ]
