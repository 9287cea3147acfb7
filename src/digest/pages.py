"""Output files: the fingerprint that says whether one must be made again, and making them.

Layer 6: imports checks, config, errors, feeds, fingerprints, model, parallel, routes,
state and templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digest.checks import element_ids
from digest.config import Config
from digest.errors import BuildFailed, DigestError
from digest.feeds import render_builtin
from digest.fingerprints import ContextHasher, fingerprint_text
from digest.model import Output
from digest.parallel import Progress, ordered_map
from digest.routes import FEED_TEMPLATES
from digest.state import Recipe, recipe_of
from digest.templates import Templates

BUILTIN = "builtin:"


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
    """An output made: its bytes, the element ids of an HTML page, and for a page that
    shows whole posts the recipe to make it again (both made in the worker process)."""

    data: bytes
    ids: frozenset[str] | None
    recipe: Recipe | None


def render_outputs(
    fingerprints: Fingerprints,
    outputs: Sequence[Output],
    config: Config,
    jobs: int,
    progress: Progress | None = None,
) -> dict[str, RenderedOutput]:
    """Every output made, by path; BuildFailed lists each distinct template error once."""
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
        ids = element_ids(data) if output.path.endswith(".html") else None
        whole = fingerprints.shows_whole_posts(output.template)
        return RenderedOutput(data, ids, recipe_of(output) if whole else None)

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
