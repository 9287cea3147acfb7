"""Symlinks in content/ and static/: followed inside the site, never out of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SiteFolder

SECRET = "SECRET_TOKEN=hunter2"


@pytest.fixture
def linked_site(site: SiteFolder, tmp_path: Path) -> SiteFolder:
    """A site whose static/ and content/ hold links out of it, and links within it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "env.txt").write_text(SECRET)
    (outside / "pw.md").write_text(f"---\ntitle: pw\n---\n\n{SECRET}\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "key.txt").write_text(SECRET)
    site.write("digest.toml", 'title = "日报"\nbase_url = "https://example.org/"\n')
    site.write("content/2024-02-19.md", "---\ntitle: 正文\n---\n\n正文。\n")
    site.write("assets/logo.txt", "logo")
    site.write("drafts/02-21-shared.md", "---\ntitle: Shared\n---\n\nShared post.\n")
    site.write(".env", SECRET)
    links = {
        "static/env.txt": outside / "env.txt",
        "static/environ.txt": Path("/proc/self/environ"),
        "static/keys": outside / "folder",
        "static/dotenv.txt": Path("../.env"),
        "static/logo.txt": Path("../assets/logo.txt"),
        "static/assets": Path("../assets"),
        "static/assets-again": Path(),
        "content/2024/02-20-pw.md": outside / "pw.md",
        "content/2024/02-21-shared.md": Path("../../drafts/02-21-shared.md"),
    }
    for link, target in links.items():
        path = site.root / link
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    return site


def _published(site: SiteFolder) -> dict[str, str]:
    return {
        path.relative_to(site.root / "public").as_posix(): path.read_text(errors="replace")
        for path in (site.root / "public").rglob("*")
        if path.is_file()
    }


def _warned(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if "symlink" in line)


def test_links_out_of_the_site_are_skipped_with_a_warning(
    linked_site: SiteFolder, tmp_path: Path
) -> None:
    run = linked_site.digest("build")

    assert run.code == 0, run.stderr
    published = _published(linked_site)
    assert not [path for path, text in published.items() if SECRET in text]
    assert "environ.txt" not in published
    assert "keys/key.txt" not in published
    assert "2024/02/20/pw/index.html" not in published
    # Links that stay inside the site are followed, folders too.
    assert published["logo.txt"] == "logo"
    assert published["assets/logo.txt"] == "logo"
    assert "Shared post." in published["2024/02/21/shared/index.html"]
    # A build shows the first three of a kind; check lists them all.
    assert "… and 3 more symlink warnings; digest check lists them all" in _warned(run.stderr)
    assert len(_warned(run.stderr)) == 4
    warned = _warned(linked_site.digest("check").stdout)
    outside = tmp_path / "outside"
    assert warned == [
        f"content/2024/02-20-pw.md: symlink to {outside}/pw.md leads outside the site; "
        "skipped [warning: symlink]",
        "static/assets-again: symlink leads back into a folder that contains it; skipped "
        "[warning: symlink]",
        "static/dotenv.txt: symlink to ../.env leads to a hidden file; skipped [warning: symlink]",
        f"static/env.txt: symlink to {outside}/env.txt leads outside the site; skipped "
        "[warning: symlink]",
        "static/environ.txt: symlink to /proc/self/environ leads outside the site; "
        "skipped [warning: symlink]",
        f"static/keys: symlink to {outside}/folder leads outside the site; skipped "
        "[warning: symlink]",
    ]


def test_the_warnings_stay_on_an_unchanged_rebuild_and_go_with_the_link(
    linked_site: SiteFolder,
) -> None:
    first = linked_site.digest("build")
    again = linked_site.digest("build")

    assert again.code == 0
    assert _warned(again.stderr) == _warned(first.stderr)
    assert len(_warned(again.stderr)) == 4
    linked_site.write("content/2024-02-19.md", "---\ntitle: 正文\n---\n\n改过的正文。\n")
    edited = linked_site.digest("build")
    assert edited.code == 0
    assert _warned(edited.stderr) == _warned(first.stderr)

    (linked_site.root / "static/env.txt").unlink()
    (linked_site.root / "content/2024/02-20-pw.md").unlink()
    after = linked_site.digest("build")

    assert after.code == 0
    assert len(_warned(after.stderr)) == 4
    assert "static/env.txt" not in after.stderr


def test_strict_turns_a_link_out_of_the_site_into_an_error(linked_site: SiteFolder) -> None:
    assert linked_site.digest("build").code == 0
    before = linked_site.snapshot()

    run = linked_site.digest("build", "--strict")

    assert run.code == 1
    assert "static/env.txt: symlink to " in run.stderr
    assert linked_site.snapshot() == before


def test_a_content_folder_linked_from_elsewhere_is_skipped(
    site: SiteFolder, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2024-02-19.md").write_text(f"{SECRET}\n")
    site.write("digest.toml", 'title = "日报"\n')
    (site.root / "content").symlink_to(elsewhere)

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert f"content: symlink to {elsewhere} leads outside the site; skipped" in run.stderr
    assert not [text for text in _published(site).values() if SECRET in text]


def test_a_template_that_links_out_of_the_site_is_refused_unread(
    site: SiteFolder, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    site.write("content/2024-02-19.md", "正文。\n")
    site.write(
        "templates/post.html",
        '{% extends "theme/post.html" %}{% block main %}{% include "leak.html" %}{% endblock %}\n',
    )
    (site.root / "templates" / "leak.html").symlink_to(secret)

    run = site.digest("build")

    assert run.code == 1
    assert run.stderr.splitlines()[0] == (
        "templates/leak.html: symlink leads outside the site; not read"
    )
    assert not (site.root / "public").exists()
