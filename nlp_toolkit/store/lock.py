"""The index's writer lock: one writing command at a time, readers never wait.

SQLite serialises single transactions, but a command that writes for an hour (``ingest``,
``embed``, ``score``) interleaved with another would mix two runs' work and make each
one's skip decisions stale. So every writing command holds an advisory lock on a file
next to the database (``index.sqlite.lock``), taken with ``fcntl.flock``: the kernel drops
it when the process ends, however it ends (``SIGKILL`` included), so a crash never leaves a
stale lock. The file holds the holder's pid and command for the "waiting for ..." message.
Readers (``provisions``, ``search``, ``stats``) never take it: SQLite's WAL lets them read
the last committed state while a writer works.

>>> import tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "index.sqlite"
>>> with write_lock(db, command="ingest") as lock:
...     lock.path.name
'index.sqlite.lock'
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nlp_toolkit.errors import StoreError

__all__ = ["LockBusyError", "LockHolder", "WriteLock", "lock_path", "write_lock"]

#: Seconds between attempts while waiting for the lock.
POLL_S = 0.2

#: ``on_wait(holder, db)`` is called once when a writer has to wait.
WaitFn = Callable[["LockHolder", Path], None]


class LockBusyError(StoreError):
    """Another command holds the index's write lock and waiting was not allowed."""


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds (or last held) a write lock, as recorded in the lock file."""

    pid: int | None
    command: str

    def describe(self) -> str:
        """``"pid 123 (ingest)"``, or ``"another process"`` when unknown."""
        if self.pid is None:
            return "another process"
        return f"pid {self.pid}" + (f" ({self.command})" if self.command else "")


def lock_path(db: str | Path) -> Path:
    """The lock file of a database: ``<db>.lock`` beside it (pure)."""
    p = Path(db)
    return p.with_name(p.name + ".lock")


def read_holder(path: Path) -> LockHolder:
    """The holder recorded in a lock file; unknown fields when it is empty or garbled."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return LockHolder(None, "")
    if not isinstance(data, dict):
        return LockHolder(None, "")
    pid = data.get("pid")
    return LockHolder(pid if isinstance(pid, int) else None, str(data.get("command", ""))[:80])


class WriteLock:
    """An exclusive advisory lock on ``<db>.lock``. Use :func:`write_lock` to take one."""

    def __init__(self, db: str | Path, *, command: str = "") -> None:
        self.db = Path(db)
        self.path = lock_path(db)
        self.command = command
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, *, wait: bool = True, timeout_s: float | None = None,
                on_wait: WaitFn | None = None) -> None:
        """Take the lock, waiting for the holder if allowed.

        Args:
            wait: Wait for another holder to finish; when False fail at once.
            timeout_s: Stop waiting after this many seconds (None: wait as long as needed).
            on_wait: Called once, as ``on_wait(holder, db)``, when the lock is busy and
                this call is going to wait.

        Raises:
            LockBusyError: The lock is held and ``wait`` is False or ``timeout_s`` passed.
            StoreError: The lock file cannot be created (e.g. a read-only folder).
        """
        if self._fd is not None:
            raise StoreError(f"the write lock on {self.db} is already held by this process")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the lock file {self.path} "
                             f"({exc.strerror or exc}); check the folder's permissions") from exc
        start = time.monotonic()
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise StoreError(f"cannot lock {self.path}: {exc}") from exc
                holder = read_holder(self.path)
                waited = time.monotonic() - start
                if not wait or (timeout_s is not None and waited >= timeout_s):
                    after = f" after {waited:.0f} s" if wait else ""
                    raise LockBusyError(
                        f"{holder.describe()} holds the write lock on {self.db}{after}; "
                        "wait for it to finish, or run again with --wait")
                if not told and on_wait is not None:
                    on_wait(holder, self.db)
                told = True
                time.sleep(POLL_S)
        except BaseException:
            os.close(fd)
            raise
        record = json.dumps({"pid": os.getpid(), "command": self.command}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (the file stays: removing it would race with a waiter)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor releases the flock


@contextmanager
def write_lock(db: str | Path, *, command: str = "", wait: bool = True,
               timeout_s: float | None = None,
               on_wait: WaitFn | None = None) -> Iterator[WriteLock]:
    """Hold the write lock of the index at ``db`` for the ``with`` block.

    An in-memory database (``":memory:"``) has nothing to share and takes no lock.

    Args:
        db: The index database path.
        command: What the holder is doing, shown to whoever waits (``"ingest"``).
        wait: Wait for another writer; when False raise :class:`LockBusyError` at once.
        timeout_s: Give up waiting after this many seconds.
        on_wait: Called once with the holder when this call has to wait.

    Raises:
        LockBusyError: Another command holds the lock and waiting was refused or timed out.

    Example:
        >>> with write_lock("corpus/index.sqlite", command="embed"):  # doctest: +SKIP
        ...     embed_everything()
    """
    lock = WriteLock(db, command=command)
    if str(db) != ":memory:":
        lock.acquire(wait=wait, timeout_s=timeout_s, on_wait=on_wait)
    try:
        yield lock
    finally:
        lock.release()
