"""The search index (Pagefind) as a build leaves it: posts and pages only, in shards (the
posts by months, the pages apart), each made again only when one of its pages changed,
the same from build to build, never pruned, and gone with ``search = false``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from digest.model import SearchJob, Shard
from digest.search import make_index
from tests.conftest import SiteFolder

CONFIG = 'title = "测试日报"\nlanguage = "zh-CN"\ntimezone = "Asia/Shanghai"\n'


def _site(site: SiteFolder, extra: str = "") -> SiteFolder:
    site.write("digest.toml", CONFIG + extra)
    site.write("content/2024-02-19.md", "---\ntitle: 第一期\n---\n\n谷歌发布了新模型。\n")
    site.write("content/2024-02-20.md", "---\ntitle: Second\n---\n\nHello weekend.\n")
    site.write("content/about.md", "---\ntitle: 关于\nkind: page\n---\n\n本站每天更新。\n")
    return site


def _shards(site: SiteFolder) -> list[str]:
    """The shard folders under pagefind/, by name (the posts' by first month, then pages)."""
    return sorted(path.name for path in (site.root / "public/pagefind").iterdir())


def _indexed(site: SiteFolder) -> dict[str, int]:
    """Pages in each shard's index, by shard name."""
    counts = {}
    for name in _shards(site):
        entry = json.loads(site.read(f"public/pagefind/{name}/pagefind-entry.json"))
        languages = entry["languages"]
        assert list(languages) == ["zh"]  # one index language for the whole site
        counts[name] = int(languages["zh"]["page_count"])
    return counts


def _search_files(site: SiteFolder) -> dict[str, tuple[bytes, int]]:
    return {path: value for path, value in site.snapshot().items() if path.startswith("pagefind/")}


def test_a_build_indexes_posts_and_pages_but_not_listings(site: SiteFolder) -> None:
    run = _site(site).digest("build")

    assert run.code == 0, run.stderr
    assert "search: indexed 3 pages (2 of 2 shards)" in run.stdout
    posts, pages = _shards(site)
    assert posts.startswith("2024-02-")
    assert pages.startswith("pages-")
    # Two posts and about: no home, archive, tag or date pages.
    assert _indexed(site) == {posts: 2, pages: 1}
    primary, merged = site.root / "public/pagefind" / posts, site.root / "public/pagefind" / pages
    assert (primary / "pagefind.js").is_file()
    assert list(primary.glob("wasm.*.pagefind"))
    assert not (primary / "pagefind-ui.js").exists()  # unused: not shipped
    # The other shards share the primary's scripts and wasm.
    assert not list(merged.glob("wasm.*"))
    assert not (merged / "pagefind.js").exists()
    assert not (merged / "pagefind-worker.js").exists()
    search_page = site.read("public/search/index.html")
    assert f'data-bundles="/pagefind/{posts}/ /pagefind/{pages}/"' in search_page
    assert "/search/" not in site.read("public/sitemap.xml")
    home = site.read("public/index.html")
    assert '<form class="search-box" role="search" action="/search/"' in home
    assert "data-pagefind-body" not in home
    assert "data-pagefind-body" in site.read("public/2024/02/19/index.html")
    assert not list((site.root / "public").glob(".digest-search*"))
    assert sorted(p.name for p in (site.root / "public/pagefind").glob(".*")) == []  # no marks


def test_no_post_changed_no_index_made(site: SiteFolder) -> None:
    _site(site).digest("build")
    before = _search_files(site)

    run = site.digest("build")
    assert run.code == 0, run.stderr
    assert "search:" not in run.stdout
    listing = '{% extends "theme/index.html" %}{% block title %}首页{% endblock %}\n'
    site.write("templates/index.html", listing)
    run = site.digest("build")
    assert run.code == 0, run.stderr
    assert "<title>首页</title>" in site.read("public/index.html")  # written, not indexed
    assert "search:" not in run.stdout

    assert _search_files(site) == before  # not a file touched


def test_an_edited_post_is_indexed_again_and_unchanged_files_stay(site: SiteFolder) -> None:
    _site(site).digest("build")
    before = _search_files(site)

    site.write("content/2024-02-20.md", "---\ntitle: Second\n---\n\nHello again, weekend.\n")
    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "search: indexed 2 pages (1 of 2 shards)" in run.stdout  # not the pages' shard
    after = _search_files(site)
    assert after != before
    posts, pages = _shards(site)
    script = f"pagefind/{posts}/pagefind.js"
    assert after[script] == before[script]  # same mtime too
    assert {p: v for p, v in after.items() if pages in p} == {
        p: v for p, v in before.items() if pages in p
    }
    fragments = [path for path in after if path.startswith(f"pagefind/{posts}/fragment/")]
    assert len(fragments) == 2  # the old fragment of the edited post is gone


def test_two_clean_builds_give_the_same_index(site: SiteFolder, tmp_path: Path) -> None:
    _site(site)
    first = site.digest("build", "--clean", "-o", str(tmp_path / "one"))
    second = site.digest("build", "--clean", "-o", str(tmp_path / "two"))
    assert first.code == second.code == 0

    def tree(folder: Path) -> dict[str, bytes]:
        return {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }

    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert any("/fragment/" in path for path in one)
    assert one == two


def test_prune_leaves_the_index_and_a_removed_post_leaves_it(site: SiteFolder) -> None:
    _site(site).digest("build")
    before = _shards(site)
    site.write("public/stray.html", "<p>not ours</p>")
    (site.root / "content/2024-02-20.md").unlink()

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert not (site.root / "public/stray.html").exists()
    assert "search: indexed 1 page (1 of 2 shards)" in run.stdout
    after = _shards(site)
    assert after[1] == before[1]  # the pages' shard
    assert after[0] != before[0]  # one post fewer: another name, the old folder gone
    assert _indexed(site) == {after[0]: 1, after[1]: 1}


def test_an_interrupted_indexing_is_finished_by_the_next_build(site: SiteFolder) -> None:
    _site(site).digest("build")
    posts, _ = _shards(site)
    # As a killed build leaves it: its token, then the shards it was to make.
    site.write("public/.digest-search-pending", f"0123456789abcdef\n{posts}\n")
    (site.root / "public/.digest-search-x1").mkdir()  # and its staging folder

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "search: indexed 2 pages (1 of 2 shards)" in run.stdout  # the shard it names
    assert not list((site.root / "public").glob(".digest-search*"))


def test_a_pending_mark_that_names_nothing_makes_every_shard(site: SiteFolder) -> None:
    _site(site).digest("build")
    (site.root / "public/.digest-search-pending").touch()  # as a build before shards left it

    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "search: indexed 3 pages (2 of 2 shards)" in run.stdout
    assert not (site.root / "public/.digest-search-pending").exists()


def test_a_missing_index_is_made_again(site: SiteFolder) -> None:
    _site(site).digest("build")
    _, pages = _shards(site)
    (site.root / f"public/pagefind/{pages}/pagefind-entry.json").unlink()
    site.write("public/pagefind/stray/x.json", "{}")  # no shard of the site: it goes

    run = site.digest("build")

    assert "search: indexed 1 page (1 of 2 shards)" in run.stdout
    assert sum(_indexed(site).values()) == 3
    assert not (site.root / "public/pagefind/stray").exists()


def test_search_false_leaves_out_index_box_and_page(site: SiteFolder) -> None:
    _site(site).digest("build")
    assert (site.root / "public/pagefind").is_dir()

    site.write("digest.toml", CONFIG + "search = false\n")
    run = site.digest("build")

    assert run.code == 0, run.stderr
    assert "search:" not in run.stdout
    assert not (site.root / "public/pagefind").exists()
    assert not (site.root / "public/search").exists()
    assert "search-box" not in site.read("public/index.html")


def test_index_under_a_sub_path(site: SiteFolder) -> None:
    run = _site(site, 'base_url = "https://example.org/news/"\n').digest("build")

    assert run.code == 0, run.stderr
    page = site.read("public/search/index.html")
    posts, pages = _shards(site)
    assert (
        f'data-bundles="/news/pagefind/{posts}/ /news/pagefind/{pages}/" data-base="/news/"' in page
    )
    assert 'action="/news/search/"' in site.read("public/index.html")


def test_pages_whose_names_a_glob_cannot_say_are_indexed_too(tmp_path: Path) -> None:
    # Pagefind is told which files to read with a glob; a name with glob signs in it
    # makes it read every page instead, and keep those with data-pagefind-body.
    output = tmp_path / "out"
    body = '<html lang="zh"><body><article data-pagefind-body><h1>{}</h1><p>{}</p></article>'
    for path, title in (("a(b)[1]/index.html", "括号"), ("plain/index.html", "普通")):
        (output / path).parent.mkdir(parents=True)
        (output / path).write_text(body.format(title, "谷歌发布"), encoding="utf-8")
    (output / "list/index.html").parent.mkdir(parents=True)
    (output / "list/index.html").write_text("<html><body><p>谷歌发布</p>", encoding="utf-8")
    shard = Shard(name="all", paths=("a(b)[1]/index.html", "plain/index.html"), primary=True)
    job = SearchJob(
        output=str(output), shards=(shard,), stale=("all",), language="zh", token="t", jobs=1
    )

    made = make_index(job)

    assert made.pages == 2
    entry = json.loads((output / "pagefind/all/pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] == 2
    fragments = [
        json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        for path in (output / "pagefind/all/fragment").iterdir()
    ]
    assert sorted(fragment["url"] for fragment in fragments) == ["/a(b)[1]/", "/plain/"]


def test_the_site_own_files_cannot_go_into_the_index_folder(site: SiteFolder) -> None:
    _site(site).write("static/pagefind/custom.js", "// mine\n")

    run = site.digest("build")

    assert run.code == 1
    assert "pagefind/custom.js: pagefind/ is the search index's folder" in run.stderr
    assert "set search = false" in run.stderr
    assert not (site.root / "public").exists()  # nothing written
    site.write("digest.toml", CONFIG + "search = false\n")
    assert site.digest("build").code == 0
    assert site.read("public/pagefind/custom.js") == "// mine\n"


def test_a_failed_indexing_is_said_and_made_by_the_next_build(
    site: SiteFolder, tmp_path: Path
) -> None:
    missing = {"PAGEFIND_BINARY_PATH": str(tmp_path / "no-pagefind")}  # read by pagefind

    run = _site(site).digest("build", env=missing)

    assert run.code == 1
    assert "public/pagefind: search index failed:" in run.stderr
    assert "search = false in the config builds without it" in run.stderr
    assert "Traceback" not in run.stderr
    assert (site.root / "public/2024/02/19/index.html").is_file()  # the pages are written
    run = site.digest("build")
    assert run.code == 0, run.stderr
    assert "search: indexed 3 pages" in run.stdout  # nothing else changed, yet it is made
