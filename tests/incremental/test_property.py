"""Random edit sequences: after each step the incremental output equals a clean build's."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.build import BuildOptions, build
from digest.errors import BuildFailed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TAGS = ["ai", "模型", "robots"]

edit = st.one_of(
    st.tuples(
        st.just("write"), st.integers(1, 6), st.sampled_from(TAGS), st.text("abc 中文", max_size=12)
    ),
    st.tuples(st.just("delete"), st.integers(1, 6)),
    st.tuples(st.just("redate"), st.integers(1, 6), st.integers(1, 28)),
    st.tuples(st.just("template"), st.sampled_from(["A", "B", ""])),
    st.tuples(st.just("config"), st.sampled_from(["One", "Two"]), st.integers(1, 3)),
    st.tuples(st.just("asset"), st.binary(max_size=8)),
    # Edits below the first paragraph keep every listing as it was (the quick build).
    st.tuples(
        st.just("append"),
        st.integers(1, 6),
        st.sampled_from(
            [
                "More text.",
                "## 小标题",
                "[a fragment](../2024/05/02/#小标题)",
                "[a Markdown file](05-03.md)",
                "![](missing.png)",
                "![ok](data.bin)",
            ]
        ),
    ),
)


def _apply(root: Path, step: tuple[object, ...]) -> None:
    kind = step[0]
    if kind == "write":
        _, number, tag, text = step
        post = root / f"content/2024/05-{number:02d}.md"
        post.write_text(f"---\ntags: [{tag}]\n---\n\nPost {number}: {text}\n", encoding="utf-8")
    elif kind == "delete":
        (root / f"content/2024/05-{step[1]:02d}.md").unlink(missing_ok=True)
    elif kind == "redate":
        _, number, day = step
        post = root / f"content/2024/05-{number:02d}.md"
        if post.exists():
            body = post.read_text(encoding="utf-8").split("---\n", 2)[-1]
            post.write_text(f"---\ndate: 2024-06-{day:02d}\n---\n{body}", encoding="utf-8")
    elif kind == "template":
        marker = step[1]
        override = root / "templates/tag.html"
        if marker:
            override.write_text(
                '{% extends "base.html" %}{% block main %}'
                + f"{marker}"
                + "{{ tag.name }}{% endblock %}",
                encoding="utf-8",
            )
        else:
            override.unlink(missing_ok=True)
    elif kind == "config":
        _, title, per_page = step
        (root / "digest.toml").write_text(
            f'title = "{title}"\nposts_per_page = {per_page}\n', encoding="utf-8"
        )
    elif kind == "asset":
        data = step[1]
        assert isinstance(data, bytes)
        (root / "content/2024/data.bin").write_bytes(data)
    elif kind == "append":
        _, number, addition = step
        post = root / f"content/2024/05-{number:02d}.md"
        if post.exists():
            with post.open("a", encoding="utf-8") as stream:
                stream.write(f"\n{addition}\n")


def _outcome(options: BuildOptions) -> tuple[str, ...]:
    """The build's problems when it failed, else its warnings."""
    try:
        return ("built", *map(str, build(options).warnings))
    except BuildFailed as failure:
        return ("failed", *(str(problem) for problem in failure.problems))


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(edit, min_size=1, max_size=6))
def test_incremental_build_equals_clean_build(steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        (root / "content/2024").mkdir(parents=True)
        (root / "templates").mkdir()
        _apply(root, ("config", "One", 2))
        for number in (1, 2, 3):
            _apply(root, ("write", number, TAGS[number % 3], "start"))
        build(BuildOptions(root=root, now=NOW, jobs=1))
        for step in steps:
            _apply(root, step)
            incremental = _outcome(BuildOptions(root=root, now=NOW, jobs=1))
            clean = Path(folder) / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            from_scratch = _outcome(
                BuildOptions(root=root, now=NOW, jobs=1, clean=True, output=clean)
            )
            # A mistake (two posts redated onto one day) fails both builds the same way,
            # and a built site has the same warnings either way.
            assert incremental == from_scratch, step
            if incremental[0] == "built":
                assert _tree(root / "public") == _tree(clean), step


body_edit = st.tuples(
    st.just("append"),
    st.integers(1, 4),
    st.sampled_from(
        [
            "More.",
            "## 小标题",
            "[x](../2024/05/02/#小标题)",
            "![](gone.png)",
            "[y](05-03.md#小标题)",
        ]
    ),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(body_edit, edit), min_size=1, max_size=8))
def test_body_edits_build_like_a_clean_build(steps: list[tuple[object, ...]]) -> None:
    """Mostly edits below the summary, where rebuilds render only pages with whole posts."""
    test_incremental_build_equals_clean_build.hypothesis.inner_test(steps)  # type: ignore[attr-defined]


def test_parallel_and_serial_builds_are_identical(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    for number in range(120):  # enough for worker processes to be used
        day = datetime(2023, 1, 1, tzinfo=UTC).toordinal() + number
        name = datetime.fromordinal(day).strftime("%Y-%m-%d")
        (root / f"content/{name}.md").write_text(
            f"---\ntags: [{TAGS[number % 3]}]\n---\n\n## {number}. 标题\n\n正文 https://example.com/{number}。\n",
            encoding="utf-8",
        )
    build(BuildOptions(root=root, now=NOW, jobs=1, output=tmp_path / "serial"))
    build(BuildOptions(root=root, now=NOW, jobs=2, output=tmp_path / "parallel", clean=True))

    serial = _tree(tmp_path / "serial")
    assert len(serial) > 150
    assert serial == _tree(tmp_path / "parallel")
