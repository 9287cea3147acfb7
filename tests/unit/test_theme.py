"""The built-in theme's generated and hand-written parts agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

from digest.config import Config
from digest.labels import LABEL_NAMES, LABELS, labels_for
from digest.markdown import pygments_css
from digest.templates import Templates

REPO = Path(__file__).resolve().parents[2]


def test_syntax_stylesheet_is_fresh() -> None:
    # Refresh with the command in README.md ("The theme").
    shipped = (REPO / "static" / "assets" / "syntax.css").read_text(encoding="utf-8")
    assert shipped == pygments_css()


def test_syntax_stylesheet_has_a_dark_scheme() -> None:
    css = pygments_css()
    assert "@media (prefers-color-scheme: dark)" in css
    assert ".highlight .k " in css


def test_every_label_the_templates_use_exists_in_every_language() -> None:
    used: set[str] = set()
    for template in (REPO / "templates").rglob("*.html"):
        used |= set(re.findall(r"labels\.(\w+)", template.read_text(encoding="utf-8")))
    assert used
    for language, words in LABELS.items():
        assert used <= set(words), f"{language} lacks {used - set(words)}"


def test_every_label_reads_as_an_attribute_and_as_a_key() -> None:
    # Templates write labels.home; a label named like a dict method (items, get, keys)
    # would hide the method or be hidden by it.
    labels = labels_for("zh-CN", [("subscribe", "关注")])
    assert LABEL_NAMES.isdisjoint(dir(dict))
    for name in LABEL_NAMES:
        assert getattr(labels, name) == labels[name]
    assert labels["subscribe"] == "关注"
    assert labels["home"] == LABELS["zh"]["home"]


def test_every_language_has_every_label_and_the_readme_names_them() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for language, words in LABELS.items():
        assert set(words) == set(LABELS["en"]), language
    for name in LABELS["en"]:
        assert f"`{name}`" in readme, name


def test_a_site_template_extending_the_theme_depends_on_the_themes_file(tmp_path: Path) -> None:
    # The theme's post.html reads post bodies: a site page built on it must count as
    # reading them too, which it can only if the dependency closure follows theme/ names.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/post.html").write_text(
        '{% extends "theme/post.html" %}{% block title %}Mine{% endblock %}', encoding="utf-8"
    )
    (tmp_path / "templates/index.html").write_text(
        '{% extends "theme/index.html" %}', encoding="utf-8"
    )
    templates = Templates(tmp_path, Config())

    assert templates.reads_bodies("post.html")
    assert not templates.reads_bodies("index.html")
    assert templates.fingerprint("post.html") != templates.fingerprint("theme/post.html")
