"""Front matter text to values: YAML between ``---`` lines, TOML between ``+++`` lines.

Pure. Problems are the parsers' own errors (YAML's carry a mark), which content.py turns
into located ContentErrors.
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from digest.errors import shown


class TomlHandler(BaseHandler):
    """``+++`` front matter read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str) -> dict[str, Any]:
        return tomllib.loads(fm)


LONG_NUMBER = (
    f"a number with more than {sys.get_int_max_str_digits()} digits; put it in quotes if it is text"
)
"""Why a whole number cannot be kept: Python will not turn it into text."""


class _YamlLoader(yaml.CSafeLoader):
    """The C loader, but a timestamp that is no real moment (``2026-02-30``) stays text for
    ``_Fields.date`` to explain, and a value its tag cannot make (a number too long for
    Python, ``!!float x``) is an error at its line instead of a bare Python exception."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError):
            raise yaml.constructor.ConstructorError(
                None, None, _unmade(node), node.start_mark
            ) from None


def _unmade(node: yaml.Node) -> str:
    text = node.value if isinstance(node.value, str) else ""
    if node.tag.endswith(":int") and len(re.sub(r"[^0-9a-fA-F]", "", text)) > 100:
        return LONG_NUMBER
    kind = node.tag.rsplit(":", 1)[-1]
    return f"cannot read {shown(text)} as {kind}"


def _timestamp(loader: _YamlLoader, node: yaml.ScalarNode) -> object:
    text = loader.construct_scalar(node)
    if not isinstance(text, str) or loader.timestamp_regexp.match(text) is None:
        return text
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return text


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


EXPANDED_LIMIT = 1_000_000
"""Characters (and one per item) front matter may hold once YAML aliases are expanded."""


class SafeYamlHandler(YAMLHandler):
    """``---`` front matter whose aliases cannot blow up.

    PyYAML shares an aliased node instead of copying it, so 400 bytes of ``&a [*b, *b, …]``
    load quickly but expand to gigabytes once anything walks or ``repr()``s them (the card
    hash, an error message). The composed node graph is measured as if expanded, each
    node once, before any value is made from it.
    """

    def load(self, fm: str, **kwargs: object) -> Any:
        loader = _YamlLoader(fm)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if "*" in fm or len(fm) > EXPANDED_LIMIT // 3:
                _check_expanded_size(node)
            # Else no alias can be in it (each is written *name), so nothing is shared or
            # expanded: every node and character stands in the text itself.
            return loader.construct_document(node)
        finally:
            loader.dispose()


def _check_expanded_size(root: yaml.Node) -> None:
    """Raise a marked YAML error at the first node too big once expanded, or in a loop."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(child)] for child in children)
            if isinstance(node, yaml.ScalarNode):
                size += len(node.value)
            if size > EXPANDED_LIMIT:
                raise yaml.composer.ComposerError(
                    problem=f"this value is over {EXPANDED_LIMIT:,} characters once YAML "
                    "aliases (*name) are expanded; write it out or make it smaller",
                    problem_mark=node.start_mark,
                )
            sizes[key] = size
        elif key in open_nodes:
            raise yaml.composer.ComposerError(
                problem="this value contains itself through a YAML alias (*name)",
                problem_mark=node.start_mark,
            )
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


HANDLERS: tuple[BaseHandler, ...] = (SafeYamlHandler(), TomlHandler())
"""Front matter formats, tried in order on a post's text."""
