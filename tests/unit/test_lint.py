"""The linters as tests: ruff (lint and format) and mypy (strict) over the whole repository,
so a change that breaks them fails the suite, locally and in CI alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Configuration for all three is in pyproject.toml; mypy's covers src, tests and benchmarks.
COMMANDS = {
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_linter_is_clean(name: str) -> None:
    tool, *arguments = COMMANDS[name]
    done = subprocess.run(
        [sys.executable, "-m", tool, *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{name}:\n{done.stdout}{done.stderr}"
