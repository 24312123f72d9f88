"""Where a cell's batches run: in this process, over local worker processes, or as Ray tasks on a cluster.

Every batch is called through :func:`attempt`, which returns its error (the whole traceback) instead of raising, so
that one failed batch is recorded in its cell and the others go on. Local worker processes ignore Ctrl-C (their
parent decides what an interruption means) and end when their parent is gone, even if it was killed with SIGKILL; a
worker that dies fails the batches it held, and the next batches go to fresh workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sim.model.errors import ScenarioError
from sim.study.cells import Chunk, failed_chunk, run_chunk
from sim.study.limits import BACKENDS


def attempt(*call) -> Chunk | str:
    """Run a chunk (:func:`~sim.study.cells.run_chunk`), returning its results, or the error text if it failed (so
    that the other chunks go on)."""
    try:
        return run_chunk(*call)
    except Exception:  # recorded in the cell's table; the sweep goes on
        return traceback.format_exc().strip()


def _ready() -> None:
    """A worker's first task: by the time it returns, the worker has imported this module."""


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """End this process as soon as ``parent`` is no longer its parent (it died, however it was killed)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def start_worker(parent: int) -> None:
    """A local worker's initializer: ignore Ctrl-C, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class _Later:
    """A call made when its result is first asked for: the in-process executor's "future"."""

    def __init__(self, fn, args: tuple):
        self.fn, self.args, self.done = fn, args, False

    def result(self):
        if not self.done:
            self.value, self.done = self.fn(*self.args), True
        return self.value


class Executor:
    """Runs chunks: in this process (``workers=1``), over local processes, or as Ray tasks on a cluster."""

    def __init__(self, workers: int = 1, backend: str = "processes", address: str | None = None):
        if backend not in BACKENDS:
            raise ScenarioError("backend", backend, f"one of {', '.join(BACKENDS)}")
        self.workers, self.backend, self.address = workers, backend, address
        self._pool = None
        self._remote = None

    @property
    def parallel(self) -> bool:
        """Whether chunks run outside this process (so that the parent can do other work meanwhile)."""
        return self.backend == "ray" or self.workers > 1

    def start(self) -> None:
        """Start the worker processes (or join Ray) now, so that they get ready while the parent does other work."""
        if self.backend == "ray":
            self._ray()
        elif self.workers > 1 and self._pool is None:
            # spawned, not forked: the parent may hold threads (Hydra, Ray, BLAS)
            spawn = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=spawn, initializer=start_worker, initargs=(os.getpid(),)
            )
            for _ in range(self.workers):
                self._pool.submit(_ready)

    def submit(self, *call) -> Future | _Later:
        """Run ``attempt(*call)``; the returned object's ``result()`` gives its chunk or error text."""
        if not self.parallel:
            return _Later(attempt, call)
        self.start()
        if self.backend == "ray":
            return self._remote.remote(*call).future()
        try:
            return self._pool.submit(attempt, *call)
        except BrokenProcessPool:  # a worker died: its batches have failed; the next ones go to fresh workers
            self.close(kill=True)
            self.start()
            return self._pool.submit(attempt, *call)

    def _ray(self) -> None:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, ignore_reinit_error=True, log_to_driver=False)
        if self._remote is None:
            self._remote = ray.remote(attempt)

    def close(self, kill: bool = False) -> None:
        """Stop the workers: once their batches are done, or at once (``kill``), failing the batches they hold."""
        if self._pool is None:
            return
        if kill:
            processes = list((self._pool._processes or {}).values())  # no public way before Python 3.14
            results = self._pool._result_queue  # shutdown forgets it
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
            for process in processes:
                process.join()
            # A worker killed while it sent a result leaves half a message in the pipe, and the pool's manager
            # thread would wait for the rest for ever (the interpreter joins it at exit): with the parent's copy of
            # the write end closed too, it reads the end of the pipe instead, and ends.
            results._writer.close()
        else:
            self._pool.shutdown()
        self._pool = None


def chunk_result(future: Future | _Later, start: int, seeds: list[int]) -> Chunk:
    """A chunk's results, or rows recording why it failed (an error in the chunk, or a worker that died)."""
    try:
        outcome = future.result()
    except Exception as error:  # a worker process died, the Ray cluster went away…
        outcome = "".join(traceback.format_exception_only(error)).strip()
    return failed_chunk(start, seeds, outcome) if isinstance(outcome, str) else outcome
