"""Jinja: the site's templates over the built-in theme, helpers, and errors with a line.

Undefined variables are errors (StrictUndefined); every Jinja failure becomes a
TemplateError naming file and line. A site's template of a theme name replaces the
theme's; ``theme/<name>`` is always the theme's own, so a site's ``base.html`` can extend
``theme/base.html`` and change one block.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from markupsafe import Markup

from digest.config import Config
from digest.dates import default_date_pattern, format_date
from digest.errors import TemplateError
from digest.fingerprints import fingerprint_text
from digest.folders import TEMPLATES_DIR
from digest.labels import labels_for
from digest.model import BODY_FIELDS, Post
from digest.theme import theme_root
from digest.urls import join, origin, slugify, tag_url

THEME_PREFIX = "theme"


class _ContainedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, but a template that is a symlink (or under one) leading out of
    its site or theme folder is refused before it is read: a downloaded theme must not
    publish the build machine's files through ``{% include %}``."""

    def __init__(self, folders: list[Path], inside: Mapping[Path, Path], root: Path) -> None:
        super().__init__([str(folder) for folder in folders])
        self.folders = [(folder, inside[folder].resolve()) for folder in folders]
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder, boundary in self.folders:
            candidate = folder.joinpath(*pieces)
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(boundary):
                    where = (
                        candidate.relative_to(self.root)
                        if candidate.is_relative_to(self.root)
                        else candidate
                    )
                    raise TemplateError(
                        "symlink leads outside the site; not read", where.as_posix()
                    )
                break
        return super().get_source(environment, template)


class _Environment(jinja2.Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's:
        each ``{% from … import … %}`` compares the page's global names with those of the
        template it imports, which on a ChainMap costs more than the rest of the import
        (the globals are all set before the first template loads)."""
        return {**self.globals, **(d or {})}


class Templates:
    """A Jinja environment bound to one site and its configuration."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._hrefs: dict[str, str] = {}
        self._made: dict[tuple[int, ...], tuple[tuple[object, ...], Markup]] = {}
        self.site_dir = root / TEMPLATES_DIR
        self.theme_dir = theme_root() / TEMPLATES_DIR
        search = (
            [self.site_dir, self.theme_dir] if self.site_dir != self.theme_dir else [self.theme_dir]
        )
        inside = {self.site_dir: root, self.theme_dir: theme_root()}
        self.env = _Environment(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.PrefixLoader(
                        {THEME_PREFIX: _ContainedLoader([self.theme_dir], inside, root)}
                    ),
                    _ContainedLoader(search, inside, root),
                ]
            ),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # forget_fingerprints compares the sources before every build; Jinja's own
            # check would stat each template file on every page rendered.
            auto_reload=False,
        )
        self._fingerprints: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self.env.globals.update(
            site=config,
            url=self.url,
            absolute_url=self.absolute_url,
            once=self.once,
            labels=labels_for(config.language, config.labels),
        )
        self.env.filters.update(
            # ``u | url`` as well as ``url(u)``: Jinja passes every call in a template
            # through Context.call, a filter straight to the function; the theme asks for
            # 24 urls a page, and a call costs as much again as writing out its value
            # (0.9 µs more than the filter, one process, Jinja 3.1).
            url=self.url,
            date=self.format_date,
            iso=_iso,
            tag_url=_tag_url,
            absolute=self.absolute,
            yaml=_yaml,
        )
        self.env.tests.update(untitled=self.is_untitled)

    def url(self, site_url: str) -> str:
        """Site-absolute url → href that works under the base path (``/news/2024/``).

        Remembered: a listing asks for the same few hundred urls on thousands of pages.
        """
        href = self._hrefs.get(site_url)
        if href is None:
            href = self._hrefs[site_url] = self._href(site_url)
        return href

    def once(self, macro: Callable[..., str], *args: object) -> Markup:
        """``macro(*args)``, made once for these very arguments in this build process.

        For what many pages repeat: a post's card in the home page, its year, its month
        and each of its tags. A macro imported without context (Jinja's default) sees
        only its arguments and the globals, so its output for the same objects is the same.
        """
        key = (id(macro), *map(id, args))
        known = self._made.get(key)
        if known is None:
            # The objects are kept with their output: their ids cannot be reused meanwhile.
            known = self._made[key] = ((macro, *args), Markup(macro(*args)))
        return known[1]

    def _href(self, site_url: str) -> str:
        if site_url.startswith(("http:", "https:", "//")):
            return site_url
        return join(self.config.base_path, site_url if site_url.startswith("/") else f"/{site_url}")

    def absolute_url(self, site_url: str) -> str:
        """A site url with scheme and host when ``base_url`` has them (canonical links)."""
        return self.absolute(self.url(site_url))

    def absolute(self, href: str) -> str:
        """An href that starts with ``/`` (base path included) made absolute."""
        if href.startswith("/") and not href.startswith("//"):
            return origin(self.config.base_url) + href
        return href

    def format_date(self, value: date | datetime, pattern: str = "long") -> str:
        """``long`` (site language), ``iso`` (2024-02-19) or a pattern with {year} {month} …"""
        day = value.date() if isinstance(value, datetime) else value
        if pattern == "long":
            pattern = self.config.date_format or default_date_pattern(self.config.language)
        elif pattern == "iso":
            return day.isoformat()
        return format_date(day, pattern, self.config.language)

    def is_untitled(self, post: Post) -> bool:
        """Whether a post is called by its date, having no title of its own: the theme
        then shows the date once (``{% if post is untitled %}``)."""
        return post.title == self.format_date(post.date)

    def source_of(self, name: str) -> str:
        """The file template ``name`` is read from, relative to the site when inside it."""
        own = name.removeprefix(f"{THEME_PREFIX}/")
        folders = (self.theme_dir,) if own != name else (self.site_dir, self.theme_dir)
        name = own
        for folder in folders:
            path = folder / name
            if path.is_file():
                return (
                    path.relative_to(self.root).as_posix()
                    if path.is_relative_to(self.root)
                    else str(path)
                )
        return f"{TEMPLATES_DIR}/{name}"

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(
                f"template syntax: {error.message}",
                self.source_of(error.name or name),
                error.lineno,
            ) from None
        except jinja2.TemplateNotFound as error:
            where, line = self._location(error, name)
            raise TemplateError(f"template not found: {error.name}", where, line) from None
        except jinja2.UndefinedError as error:
            where, line = self._location(error, name)
            raise TemplateError(f"undefined: {error.message}", where, line) from None
        except jinja2.TemplateError as error:
            where, line = self._location(error, name)
            raise TemplateError(f"template error: {error}", where, line) from None
        except (TypeError, ValueError, AttributeError, KeyError, ZeroDivisionError) as error:
            where, line = self._location(error, name)
            raise TemplateError(f"{type(error).__name__}: {error}", where, line) from None

    def fingerprint(self, name: str) -> str:
        """Hash of ``name`` and every template it extends, includes or imports.

        A dynamic include (a name Jinja cannot know before rendering) counts as
        depending on every template.
        """
        if name not in self._fingerprints:
            names = self._closure(name)
            if names is None:
                names = set(self.env.list_templates(extensions=["html", "xml", "txt"]))
            parts = (part for each in sorted(names) for part in (each, self._source(each)))
            self._fingerprints[name] = fingerprint_text(*parts)
        return self._fingerprints[name]

    def reads_bodies(self, name: str) -> bool:
        """Whether ``name`` (or a template it uses) may read a post's body fields.

        Found in Jinja's syntax tree: a ``.html``, ``["toc"]``, ``attribute="words"``, …
        of any ``BODY_FIELDS`` name, a subscript with a computed key, or a filter that
        reaches every attribute. Unsure (a dynamic include) counts as yes.
        """
        names = self._closure(name)
        return names is None or any(_reads_bodies(self._source(each)) for each in names)

    def forget_fingerprints(self) -> None:
        """Template files may have changed since the last build: look again.

        Jinja notices a changed file by its modification time, which a quick second save
        can leave unchanged; comparing the sources themselves cannot miss an edit.
        """
        self._fingerprints.clear()
        self._made.clear()  # the posts are new objects in every build
        sources = {name: self._source(name) for name in self.env.list_templates()}
        if sources != self._sources:
            if self.env.cache is not None:
                self.env.cache.clear()
            self._sources = sources

    def _source(self, name: str) -> str:
        try:
            assert self.env.loader is not None
            return self.env.loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound:
            return "<missing>"

    def _closure(self, name: str) -> set[str] | None:
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            referenced = _references(self._source(current))
            if referenced is None:
                return None
            pending.extend(referenced)
        return seen

    def _location(self, error: BaseException, name: str) -> tuple[str, int | None]:
        """The innermost template frame of a render failure: its file and line."""
        found: tuple[str, int | None] = (self.source_of(name), None)
        for frame in traceback.extract_tb(error.__traceback__):
            path = Path(frame.filename)
            for folder, prefix in ((self.site_dir, ""), (self.theme_dir, f"{THEME_PREFIX}/")):
                if path.is_relative_to(folder):
                    relative = prefix + path.relative_to(folder).as_posix()
                    found = (self.source_of(relative), frame.lineno)
                    break
        return found


_PARSER = jinja2.Environment()


@lru_cache(maxsize=256)
def _references(source: str) -> tuple[str, ...] | None:
    """Templates a template's source extends, includes or imports; None if one is dynamic."""
    try:
        found = tuple(meta.find_referenced_templates(_PARSER.parse(source)))
    except jinja2.TemplateSyntaxError:
        return ()
    return None if None in found else tuple(name for name in found if name is not None)


_WHOLE_OBJECT_FILTERS = frozenset({"attr", "pprint", "tojson", "xmlattr", "dictsort", "items"})


@lru_cache(maxsize=256)
def _reads_bodies(source: str) -> bool:
    try:
        tree = _PARSER.parse(source)
    except jinja2.TemplateSyntaxError:
        return True
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Const, nodes.Filter)):
        if isinstance(node, nodes.Getattr) and node.attr in BODY_FIELDS:
            return True
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            return True
        if (
            isinstance(node, nodes.Const)
            and isinstance(node.value, str)
            and node.value in BODY_FIELDS
        ):
            return True
        if isinstance(node, nodes.Filter) and node.name in _WHOLE_OBJECT_FILTERS:
            return True
    return False


def templates_for(root: Path, config: Config) -> Templates:
    """The Templates of a site, kept while its configuration stays the same.

    ``digest serve`` builds again and again in one process: keeping the Jinja
    environment keeps its compiled templates, which Jinja recompiles by itself when a
    template file changes.
    """
    key = (root.resolve(), repr(config))
    cached = _ENVIRONMENTS.get(key)
    if cached is None:
        _ENVIRONMENTS.clear()
        cached = _ENVIRONMENTS[key] = Templates(root, config)
    cached.forget_fingerprints()
    return cached


_ENVIRONMENTS: dict[tuple[Path, str], Templates] = {}


def _yaml(value: object) -> str:
    """A value as YAML front matter: JSON is YAML, and its strings quote safely."""
    return json.dumps(value, ensure_ascii=False)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _tag_url(name: str) -> str:
    return tag_url(slugify(name))
