"""Front matter that would make a build take minutes or gigabytes is a located error."""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys

import pytest

from tests.conftest import PINNED_ENV, Run, SiteFolder

MEMORY = 1 << 30
"""A build of a small site stays far below this; the alias bomb below needs gigabytes."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _bounded_build(site: SiteFolder, *args: str) -> Run:
    """The real CLI with a memory ceiling; a generous timeout stands for "never finishes"."""
    done = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-j", "1", *args],
        cwd=site.root,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        preexec_fn=_limit_memory,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _alias_bomb(key: str) -> str:
    """Under 400 bytes of YAML that expand to 9**9 strings."""
    names = "abcdefghi"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{name}: &{name} [{','.join(f'*{before}' for _ in range(9))}]"
        for before, name in itertools.pairwise(names)
    ]
    return "---\ntitle: t\n" + "\n".join(lines) + f"\n{key}: *i\n---\n\nbody\n"


@pytest.mark.parametrize("key", ["tags", "extra_key"])
def test_a_yaml_alias_bomb_is_a_located_error(site: SiteFolder, key: str) -> None:
    text = _alias_bomb(key)
    assert len(text) < 400
    site.write("content/2024-02-19.md", text)

    run = _bounded_build(site)

    assert run.code == 1, run.stderr
    assert run.stderr.startswith(
        # Line 8, `f: &f [*e, …]`, is the first value past the limit (9**5 strings).
        "content/2024-02-19.md:8: invalid front matter: this value is over 1,000,000 "
        "characters once YAML aliases (*name) are expanded"
    ), run.stderr[:2000]
    assert len(run.stderr) < 1000


def test_aliases_that_stay_small_are_fine(site: SiteFolder) -> None:
    site.write(
        "content/2024-02-19.md",
        "---\ntitle: t\nshared: &shared [AI, 模型]\ntags: *shared\n---\n\nbody\n",
    )

    run = _bounded_build(site)

    assert run.code == 0, run.stderr
    assert (site.root / "public/tags/ai/index.html").is_file()


def test_a_value_that_contains_itself_is_a_located_error(site: SiteFolder) -> None:
    site.write("content/2024-02-19.md", "---\ntitle: t\n\nloop: &loop [*loop]\n---\n\nbody\n")

    run = _bounded_build(site)

    assert run.code == 1
    assert run.stderr.startswith(
        "content/2024-02-19.md:4: invalid front matter: this value contains itself "
        "through a YAML alias (*name)"
    ), run.stderr


def test_deeply_nested_toml_front_matter_is_a_located_error(site: SiteFolder) -> None:
    site.write(
        "content/2024-02-19.md", f'+++\ntitle = "t"\nx = {"[" * 5000}{"]" * 5000}\n+++\n\nbody\n'
    )

    run = _bounded_build(site)

    assert run.code == 1
    assert run.stderr.startswith(
        "content/2024-02-19.md:3: invalid front matter: lists nested more than 100 deep"
    ), run.stderr[:2000]
    assert "Traceback" not in run.stderr


def test_values_echoed_in_messages_are_cut_short(site: SiteFolder) -> None:
    long = "x" * 5000
    site.write(
        "content/2024-02-19.md",
        f"---\ntitle: [{long}]\ndraft: {long}\ntags: [[{long}]]\ndate: {long}\n"
        f"cover: 'javascript:{long}'\n---\n\nbody\n",
    )

    run = _bounded_build(site)

    assert run.code == 1
    problems = run.stderr.splitlines()[:-1]
    assert len(problems) == 5, run.stderr[:3000]
    assert all(len(line) < 250 for line in problems), problems
