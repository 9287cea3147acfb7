"""The layer table, checked against the real imports of src/digest/.

This table is the one statement of the layers: docs/architecture.md explains it, and
module docstrings do not repeat it (they drifted when they did).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "src" / "digest"

# module -> layer; a module may import only from strictly lower layers.
LAYERS = {
    "errors": 0,
    "folders": 0,
    "urls": 0,
    "dates": 0,
    "text": 0,
    "theme": 0,
    "labels": 0,
    "linkify": 0,
    "front_matter": 1,
    "walk": 1,
    "rawhtml": 0,
    "cjk": 0,
    "__init__": 1,
    "config": 1,
    "model": 2,
    "markdown": 3,
    "templates": 3,
    "shards": 3,
    "fingerprints": 0,
    "content": 4,
    "site": 4,
    "routes": 4,
    "feeds": 4,
    "state": 5,
    "writer": 5,
    "parallel": 0,
    "checks": 5,
    "inputs": 6,
    "pages": 6,
    "livereload": 6,
    "scaffold": 6,
    "search": 6,
    "plans": 7,
    "build": 8,
    "serve": 9,
    "cli": 10,
    "__main__": 11,
}
# Stages that must stay pure: data in, data out, no files.
PURE = {
    "cjk",
    "model",
    "site",
    "routes",
    "markdown",
    "urls",
    "dates",
    "text",
    "errors",
    "checks",
    "feeds",
    "shards",
}
IO_MODULES = {"os", "pathlib", "shutil", "tempfile", "io", "subprocess"}


def _modules() -> list[str]:
    return sorted(path.stem for path in SOURCE.glob("*.py"))


def _imports(module: str) -> set[str]:
    tree = ast.parse((SOURCE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "digest":
                found.update(f"digest.{alias.name}" for alias in node.names)
    return found


def test_every_module_has_a_layer() -> None:
    assert set(_modules()) <= set(LAYERS), set(_modules()) - set(LAYERS)


@pytest.mark.parametrize("module", _modules())
def test_imports_only_go_down(module: str) -> None:
    own = LAYERS[module]
    for name in _imports(module):
        if not name.startswith("digest."):
            continue
        target = name.split(".")[1]
        if target == "__version__":
            continue
        assert LAYERS[target] < own, f"{module} (layer {own}) imports {target} ({LAYERS[target]})"


@pytest.mark.parametrize("module", sorted(PURE & set(_modules())))
def test_pure_stages_touch_no_files(module: str) -> None:
    roots = {name.split(".")[0] for name in _imports(module)}
    assert not roots & IO_MODULES, f"{module} imports {roots & IO_MODULES}"


@pytest.mark.parametrize("module", _modules())
def test_docstrings_leave_the_layers_to_this_table(module: str) -> None:
    tree = ast.parse((SOURCE / f"{module}.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    assert not re.search(r"\bLayer \d+:", docstring), f"{module} restates its layer"


def test_the_architecture_notes_show_this_table() -> None:
    """docs/architecture.md draws the layers for readers: it must draw these."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn: dict[str, int] = {}
    for layer, modules in re.findall(r"^\| (\d+) \| (.+) \|$", text, re.MULTILINE):
        for name in re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", modules)):
            drawn[name] = int(layer)
    entry_points = {"__init__", "__main__"}
    assert drawn == {name: layer for name, layer in LAYERS.items() if name not in entry_points}
