"""Output files: the fingerprint that says whether one must be made again, and making them.

A fingerprint hashes the template (with everything it includes) and the context it sees,
where a post counts by its card unless the template reads post bodies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from digest.checks import element_ids
from digest.config import Config
from digest.errors import BuildFailed, DigestError
from digest.feeds import render_builtin
from digest.fingerprints import fingerprint_text, text_hash
from digest.model import Output, Post, field_names
from digest.parallel import Progress, ordered_map
from digest.routes import FEED_TEMPLATES
from digest.shards import indexed_part
from digest.state import Recipe, recipe_of
from digest.templates import Templates
from digest.writer import Staged

BUILTIN = "builtin:"


class ContextHasher:
    """Fingerprints of template contexts, remembering shared parts for one build.

    A post counts by its own fingerprint (the hash of its file) in a template that reads
    post bodies (``whole``), else by its card. Objects shared by many contexts (the nav,
    an archive, a tag's posts) are hashed once: the build keeps them alive, so their ids
    are stable while this hasher lives.
    """

    def __init__(self, *, whole: bool) -> None:
        self._whole = whole
        self._memo: dict[int, tuple[object, str]] = {}
        self._tokens = self._token

    def fingerprint(self, context: Mapping[str, Any]) -> str:
        return self._token(context)

    def _token(self, value: object) -> str:
        kind = type(value)
        if kind is str:
            return "s" + repr(value)
        if kind is Post:
            post = cast(Post, value)
            return f"P{post.fingerprint}" if self._whole else f"C{post.card}"
        if value is None or isinstance(value, str | int | float | date):
            return f"{kind.__name__}:{value!r}"
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        tokenize = self._tokens
        # Strings, the most common values by far, are tokenised inline: same token, no call.
        if isinstance(value, Mapping):
            if all(type(key) is str for key in value):
                text = "{" + "\0".join(
                    f"{key!r}={'s' + repr(item) if type(item) is str else tokenize(item)}"
                    for key, item in sorted(value.items())
                )
            else:
                keys = sorted(value, key=str)
                text = "{?" + "\0".join(f"{tokenize(k)}={tokenize(value[k])}" for k in keys)
        elif isinstance(value, tuple | list):
            text = "[" + "\0".join(map(tokenize, value))
        elif isinstance(value, frozenset | set):
            text = "(" + "\0".join(sorted(map(tokenize, value)))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [getattr(value, name) for name in field_names(kind)]
            text = f"<{kind.__qualname__}" + "\0".join(
                "s" + repr(item) if type(item) is str else tokenize(item) for item in fields
            )
        else:
            text = f"{kind.__qualname__}:{value!r}"
        token = f"#{text_hash(text)}"
        self._memo[id(value)] = (value, token)
        return token


class Fingerprints:
    """Fingerprints of outputs for one build: template closure and context together."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates
        self._hashers = {whole: ContextHasher(whole=whole) for whole in (True, False)}
        self._whole: dict[str, bool] = {}

    def shows_whole_posts(self, template: str) -> bool:
        """Whether pages of ``template`` may show post bodies, not only what cards show."""
        if template not in self._whole:
            self._whole[template] = (
                template in FEED_TEMPLATES
                if template.startswith(BUILTIN)
                else self.templates.reads_bodies(template)
            )
        return self._whole[template]

    def of(self, output: Output) -> str:
        template = output.template
        made_by = template if template.startswith(BUILTIN) else self.templates.fingerprint(template)
        hasher = self._hashers[self.shows_whole_posts(template)]
        return fingerprint_text(made_by, hasher.fingerprint(output.context))


@dataclass(frozen=True, slots=True)
class RenderedOutput:
    """An output made: its bytes (or where they are staged), the element ids of an HTML
    page, and for a page that shows whole posts the recipe to make it again (all made in
    the worker process)."""

    data: bytes | Staged
    ids: frozenset[str] | None
    recipe: Recipe | None
    indexed: str | None = None
    """The hash of what the search index reads of the page (``shards.indexed_part``)."""


def render_outputs(
    fingerprints: Fingerprints,
    outputs: Sequence[Output],
    config: Config,
    jobs: int,
    progress: Progress | None = None,
    stage: Callable[[int, str, bytes], Staged] | None = None,
) -> dict[str, RenderedOutput]:
    """Every output made, by path; BuildFailed lists each distinct template error once.

    With ``stage``, each output's bytes are handed to it (with the output's number and
    path) where they were made, and only where they went comes back.
    """
    templates = fingerprints.templates

    def render(index: int) -> RenderedOutput | DigestError:
        output = outputs[index]
        if output.template.startswith(BUILTIN):
            data = render_builtin(config, output.template, output.context)
        else:
            try:
                data = templates.render(output.template, output.context).encode("utf-8")
            except DigestError as error:
                return error
        html = output.path.endswith(".html")
        ids = element_ids(data) if html else None
        indexed = indexed_part(data) if html else None
        whole = fingerprints.shows_whole_posts(output.template)
        recipe = recipe_of(output) if whole else None
        if stage is None:
            return RenderedOutput(data, ids, recipe, indexed)
        try:
            return RenderedOutput(stage(index, output.path, data), ids, recipe, indexed)
        except DigestError as error:
            return error

    results = ordered_map(render, len(outputs), jobs, progress)
    # One broken template fails many pages the same way: report it once.
    unique: dict[tuple[str | None, int | None, str], DigestError] = {}
    for result in results:
        if isinstance(result, DigestError):
            unique.setdefault((result.path, result.line, result.message), result)
    if unique:
        raise BuildFailed(list(unique.values()))
    return {
        output.path: result
        for output, result in zip(outputs, results, strict=True)
        if isinstance(result, RenderedOutput)
    }
