"""The Markdown floor of a build: stock markdown-it-py over every post of a site.

    python benchmarks/floor.py SITE [--jobs N]

Reads each post under SITE/content, cuts off its front matter and renders the body with
the parser digest builds on, as configured for a digest (CommonMark, raw HTML, linkify,
tables, strikethrough), and nothing else. The posts are spread over N forked processes
(default: every core), as a build spreads them over its workers, so that the CPU time of
this process and its children compares with a build's on the same posts and cores.
``benchmarks/run.py`` runs it right after each cold build: this machine's speed moves by
a quarter within minutes, and a floor measured at another time would move the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from pathlib import Path

from markdown_it import MarkdownIt

STOCK = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(
    ["table", "strikethrough", "linkify"]
)
"""markdown-it-py as a digest needs it, and no more: the floor's parser."""


def body_of(post: Path) -> str:
    """A post file's Markdown after its front matter."""
    return post.read_text(encoding="utf-8").split("\n---\n", 1)[-1]


def render_bodies(paths: list[Path]) -> int:
    """Render the body of each post file; the number of characters of HTML made."""
    return sum(len(STOCK.render(body_of(path))) for path in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    posts = sorted((args.site / "content").rglob("*.md"))
    shares = [posts[start :: args.jobs] for start in range(args.jobs)]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        made = sum(pool.map(render_bodies, shares))
    print(f"{len(posts)} posts, {made} characters of HTML")


if __name__ == "__main__":
    main()
