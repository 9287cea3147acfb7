"""Small sites built by the real CLI and compared byte for byte with their expected trees.

Each folder in ``sites/`` is a site; ``expected/<name>/`` is its whole output. After an
intended change to the output, refresh the trees and review the diff:

    DIGEST_UPDATE_GOLDEN=1 pytest tests/golden && git diff tests/golden
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SiteFolder, nu_check

HERE = Path(__file__).parent
SITES = sorted(path.name for path in (HERE / "sites").iterdir() if path.is_dir())
SEARCH = "pagefind"
"""Pagefind's index and scripts: its output, not ours (tests/cli/test_search.py checks
that it is there, complete and the same from build to build)."""


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        relative: path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not (relative := path.relative_to(folder).as_posix()).startswith(f"{SEARCH}/")
    }


@pytest.mark.parametrize("name", SITES)
def test_site_matches_its_expected_tree(name: str, tmp_path: Path) -> None:
    site = SiteFolder(tmp_path / name)
    shutil.copytree(HERE / "sites" / name, site.root)

    run = site.digest("build", "--output", str(tmp_path / "out"))

    assert run.code == 0, run.stderr
    actual = _tree(tmp_path / "out")
    expected_folder = HERE / "expected" / name
    if os.environ.get("DIGEST_UPDATE_GOLDEN"):
        shutil.rmtree(expected_folder, ignore_errors=True)
        shutil.copytree(tmp_path / "out", expected_folder, ignore=shutil.ignore_patterns(SEARCH))
    expected = _tree(expected_folder)
    assert len(list((tmp_path / "out" / SEARCH).glob("*/pagefind.js"))) == 1
    assert sorted(actual) == sorted(expected)
    for path, data in expected.items():
        assert actual[path].decode() == data.decode(), path


@pytest.mark.parametrize("name", SITES)
def test_expected_tree_is_valid_html(name: str) -> None:
    nu_check(HERE / "expected" / name)
