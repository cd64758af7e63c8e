"""When a file's recorded signature still vouches for its content: the one rule every cache
in ``.archguard_cache`` follows.

A file's signature is its modification time in nanoseconds and its size. A record made at
some time holds the signatures the files had then, and what was read from them. A file whose
signature is the recorded one has not changed since, unless it was modified within
:data:`RACY_SECONDS` of the record being written: a second change in the same tick of the
file system's clock keeps the time, and may keep the size, so such a file is never trusted on
its signature alone (git's "racy" rule).
"""

from __future__ import annotations

import os
from pathlib import Path

RACY_SECONDS = 2
_RACY_NS = RACY_SECONDS * 1_000_000_000

#: A file's modification time in nanoseconds and its size in bytes.
Signature = tuple[int, int]


def file_signature(path: Path) -> Signature:
    """The signature ``path`` has now (an ``OSError`` when it cannot be read)."""
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def settled(mtime_ns: int, written_at_ns: int) -> bool:
    """Whether a file modified at ``mtime_ns`` was modified early enough before a record
    written at ``written_at_ns`` for its signature to be trusted: outside the racy window."""
    return mtime_ns < written_at_ns - _RACY_NS


def is_fresh(recorded: object, current: Signature, written_at_ns: int) -> bool:
    """Whether a file whose signature is now ``current`` is unchanged since a record written
    at ``written_at_ns`` gave it the signature ``recorded``, as read back from the record:
    anything but a pair of the same two numbers is stale."""
    return (isinstance(recorded, (list, tuple)) and len(recorded) == 2
            and recorded[0] == current[0] and recorded[1] == current[1]
            and settled(current[0], written_at_ns))
