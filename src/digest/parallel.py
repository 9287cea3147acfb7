"""Run independent pieces of a build in forked worker processes, results in input order.

Layer 0: imports nothing from digest. Workers are forked, so they inherit the work (parsed
posts, templates) instead of receiving it pickled; only each result travels back.
Small batches run in the calling process: starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")

WORTH_A_WORKER = 64
"""Fewest items for which worker processes pay for their start-up."""

_work: Callable[[int], object] | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


Progress = Callable[[int, int], None]
"""Told (done, total) as work completes."""


def stage(progress: Callable[[str, int, int], None] | None, name: str) -> Progress | None:
    """A Progress that tells ``progress`` the name of the stage too."""
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


def ordered_map(
    function: Callable[[int], Result], count: int, jobs: int, progress: Progress | None = None
) -> list[Result]:
    """``[function(0), …, function(count - 1)]``, spread over ``jobs`` processes.

    ``function`` must not raise: return problems as values, so every item is reported.
    """
    global _work
    tell = progress or (lambda done, total: None)
    if jobs <= 1 or count < WORTH_A_WORKER or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for index in range(count):
            results.append(function(index))
            if index % 50 == 49:
                tell(index + 1, count)
        tell(count, count)
        return results
    size = max(1, count // (jobs * 8))
    chunks = [(start, min(start + size, count)) for start in range(0, count, size)]
    _work = function
    batches: list[list[object]] = []
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for batch in pool.map(_run_chunk, chunks):
                batches.append(batch)
                tell(min(len(batches) * size, count), count)
    finally:
        _work = None
    return [result for batch in batches for result in batch]  # type: ignore[misc]


def _run_chunk(bounds: tuple[int, int]) -> list[object]:
    assert _work is not None
    return [_work(index) for index in range(*bounds)]
