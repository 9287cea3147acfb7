"""The code fingerprint: a cache made by other code or other libraries is not trusted."""

from __future__ import annotations

import importlib

import pytest

from digest import fingerprints


@pytest.mark.parametrize("library", ["markdown_it", "jinja2", "pygments", "yaml"])
def test_another_version_of_a_library_that_shapes_output_changes_the_fingerprint(
    library: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprints.code_fingerprint.cache_clear()
    before = fingerprints.code_fingerprint()
    module = importlib.import_module(library)
    monkeypatch.setattr(module, "__version__", f"{module.__version__}.post1", raising=False)
    fingerprints.code_fingerprint.cache_clear()
    try:
        assert fingerprints.code_fingerprint() != before
    finally:
        monkeypatch.undo()
        fingerprints.code_fingerprint.cache_clear()
    assert fingerprints.code_fingerprint() == before
