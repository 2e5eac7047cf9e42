"""Tag versions shared by every process on the machine: a small memory-mapped file of counters.

A cached page remembers the versions of the tags it was built from ("article:12", "list:home",
"site", ...); a change bumps the versions of the tags it touches, and a page whose remembered
versions differ from the current ones is stale. Each tag maps to one of ``SLOTS`` counters by a
hash, so two tags may share a counter: a bump then also refreshes the other tag's pages, which
costs a render and is never wrong. Counter 0 counts every bump, so a render can tell whether
anything changed while it ran.

Reading is a lookup in shared memory (no system call, no lock), so a cached page is checked in
microseconds by any server process. Bumps take a file lock: they come from stores and edits,
a few per second at most.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import threading
import zlib
from pathlib import Path

SLOTS = 1 << 16
SEQUENCE = 0  # the counter every bump moves


def slot_of(tag: str) -> int:
    """The counter that holds ``tag``'s version (never the sequence counter)."""
    return 1 + zlib.crc32(tag.encode("utf-8", "surrogatepass")) % (SLOTS - 1)


class TagClock:
    """The counters in ``path``, created (zeroed) when missing; safe to share across fork."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * 8
        if os.fstat(self._fd).st_size < size:
            with self._locked():
                if os.fstat(self._fd).st_size < size:
                    os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self.counters = memoryview(self._map).cast("Q")
        self._thread_lock = threading.Lock()

    def _locked(self):
        return _FileLock(self._fd)

    def sequence(self) -> int:
        return self.counters[SEQUENCE]

    def versions(self, slots: tuple[int, ...]) -> tuple[int, ...]:
        counters = self.counters
        return tuple(counters[s] for s in slots)

    def current(self, slots: tuple[int, ...], versions: tuple[int, ...]) -> bool:
        """True when none of ``slots`` moved since ``versions`` were read."""
        counters = self.counters
        for slot, version in zip(slots, versions):
            if counters[slot] != version:
                return False
        return True

    def bump(self, tags) -> None:
        """Move the version of every tag in ``tags`` (and the sequence)."""
        slots = {slot_of(tag) for tag in tags}
        if not slots:
            return
        with self._thread_lock, self._locked():
            counters = self.counters
            for slot in slots:
                counters[slot] += 1
            counters[SEQUENCE] += 1

    def close(self) -> None:
        self.counters.release()
        self._map.close()
        os.close(self._fd)


class _FileLock:
    def __init__(self, fd: int):
        self.fd = fd

    def __enter__(self):
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
