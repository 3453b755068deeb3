"""One lock per index folder, held by one thread of one process at a time, across every process of the machine.

Chroma's embedded store is written for one process. brief lets several (``brief serve``, the CLI, app replicas)
share one ``BRIEF_HOME`` by taking this lock whenever a process writes, or loads the vector indexes that another
process's writes change on disk (see :mod:`index.store`). It is an advisory ``flock`` on a file next to the
index folder, so a process killed while holding it releases it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["folder_lock"]


class _FolderLock:
    """A re-entrant lock: a thread lock for this process, and a ``flock`` while any of its holders holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._descriptor: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX)
                except BaseException:
                    os.close(descriptor)
                    raise
                self._descriptor = descriptor
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._descriptor is not None:
                    os.close(self._descriptor)  # closing the file releases the flock
                    self._descriptor = None


_LOCKS: dict[Path, _FolderLock] = {}
_REGISTRY = threading.Lock()


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of ``folder`` (an index folder) for the block; re-entrant within a thread."""
    path = folder.with_name(f"{folder.name}.lock")
    with _REGISTRY:
        lock = _LOCKS.setdefault(path, _FolderLock(path))
    with lock.held():
        yield
