"""A digest of a folder tree, to tell whether anything in it changed, and what.

``simulate --run`` takes one of the original project before the commands run on its copy
and one after: whatever isolation the platform gives, a command that wrote the original is
seen, and named. Every entry below the root (files, folders, symbolic links, anything; a
link is not followed) is recorded by its kind, size, modification and change times, mode
and inode, and a link by its target. The change time is set by the kernel on every write
and cannot be put back (``os.utime`` sets the modification time only), so a write that
keeps a file's size and modification time is seen as well. Where a timestamp may not have
moved at all (on a file system of coarse timestamps, a file written within
:data:`RACY_SECONDS` of the first digest), the file's bytes are hashed too.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from archguard.domain.simulation import TreeChange

#: A file modified this close to a digest may be modified again without a timestamp moving.
RACY_SECONDS = 2.0


class Entry(NamedTuple):
    kind: str
    size: int
    mtime_ns: int
    ctime_ns: int
    mode: int
    inode: int
    target: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class TreeDigest:
    """Every entry below ``root``, by its path relative to it (``/``-separated)."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    taken_ns: int = 0

    @property
    def hashed(self) -> frozenset[str]:
        return frozenset(path for path, entry in self.entries.items() if entry.sha256)


def digest_tree(root: Path, *, hash_also: frozenset[str] = frozenset(),
                leave_out: frozenset[str] = frozenset()) -> TreeDigest:
    """The digest of ``root``: racy files hashed, and those of ``hash_also`` (the files an
    earlier digest hashed, to be compared); the entries of ``leave_out`` (relative paths)
    and what they hold are not looked at."""
    taken = time.time_ns()
    racy_from = taken - int(RACY_SECONDS * 1e9)
    entries: dict[str, Entry] = {}
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as found:
                children = list(found)
        except OSError:
            continue  # unreadable: the same both times, so no change is made up
        for child in children:
            relative = prefix + child.name
            if relative in leave_out:
                continue
            try:
                status = child.stat(follow_symlinks=False)
            except OSError:
                continue
            kind, target, digest = _kind(status.st_mode), None, None
            if kind == "link":
                try:
                    target = os.readlink(child.path)
                except OSError:
                    target = None
            elif kind == "folder":
                pending.append((Path(child.path), relative + "/"))
            elif kind == "file" and (relative in hash_also
                                     or max(status.st_mtime_ns, status.st_ctime_ns) >= racy_from):
                digest = _sha256(child.path)
            entries[relative] = Entry(kind, status.st_size if kind != "folder" else 0,
                                      status.st_mtime_ns, status.st_ctime_ns, status.st_mode,
                                      status.st_ino, target, digest)
    return TreeDigest(root, entries, taken)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def _sha256(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def tree_changes(before: TreeDigest, after: TreeDigest) -> tuple[TreeChange, ...]:
    """What differs from ``before`` to ``after``, by path: ``created``, ``deleted``,
    ``modified`` (content, size, kind, or a folder's entries), ``metadata`` (mode, links,
    change time only)."""
    changes = []
    for path in sorted(before.entries.keys() | after.entries.keys()):
        old, new = before.entries.get(path), after.entries.get(path)
        if old == new:
            continue
        if old is None or new is None:
            change = "created" if old is None else "deleted"
        elif _content(old) != _content(new) or (old.sha256 and new.sha256
                                                 and old.sha256 != new.sha256):
            change = "modified"
        else:
            change = "metadata"
        folder = any(e is not None and e.kind == "folder" for e in (old, new))
        changes.append(TreeChange(path + ("/" if folder else ""), change))
    return tuple(changes)


def _content(entry: Entry) -> tuple[str, int, int, int, str | None]:
    """What differs when the entry's content does (or the entry was replaced)."""
    return entry.kind, entry.size, entry.mtime_ns, entry.inode, entry.target
