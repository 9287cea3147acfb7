"""Worker processes: results in order, and a stop in the middle leaves nothing behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import pytest

from digest import parallel
from digest.parallel import WORTH_A_WORKER, ordered_map

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers are forked"
)


def _slow_square(index: int) -> int:
    time.sleep(0.02)
    return index * index


@contextmanager
def _thread_errors() -> Iterator[list[threading.ExceptHookArgs]]:
    """Exceptions raised in any thread, which Python would print as a traceback.

    Set inside the test: pytest puts its own hook in place for each phase of a test."""
    seen: list[threading.ExceptHookArgs] = []
    before = threading.excepthook
    threading.excepthook = seen.append
    try:
        yield seen
    finally:
        threading.excepthook = before


def test_results_come_back_in_input_order() -> None:
    count = WORTH_A_WORKER * 3
    assert ordered_map(lambda index: index * index, count, jobs=2) == [i * i for i in range(count)]


class _SlowToShutDown(ProcessPoolExecutor):
    """A pool whose shutdown comes late, as on a loaded machine: its own thread sees
    the killed workers before it learns that the pool is shutting down."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        time.sleep(0.3)
        super().shutdown(wait, cancel_futures=cancel_futures)


def test_ctrl_c_while_waiting_ends_workers_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C arrives while the build waits for its workers, with work still queued:
    the build stops, its workers end, and no thread of the pool prints a traceback."""
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _SlowToShutDown)
    before = set(multiprocessing.active_children())
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()

    with _thread_errors() as thread_errors, pytest.raises(KeyboardInterrupt):
        ordered_map(_slow_square, 400, jobs=2)

    assert [error.exc_value for error in thread_errors] == []
    assert set(multiprocessing.active_children()) - before == set()
