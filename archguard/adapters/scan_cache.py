"""A cache of what was read from each file, keyed by the file's content.

An entry is trusted when the file's recorded signature still vouches for it (see
:mod:`archguard.adapters.freshness`); otherwise the file is read and its content hash
compared. The cache is one JSON file, replaced atomically. One that cannot be read, is of
another version or rules, or holds a malformed entry is ignored and rebuilt: it is never
trusted, and never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from archguard.adapters.freshness import file_signature, is_fresh

CACHE_VERSION = 1

Value = TypeVar("Value")


@dataclass(frozen=True)
class Lookup(Generic[Value]):
    """What :meth:`FileScanCache.lookup` found for one file: ``value`` when ``hit``, else
    the ``data`` (and its ``signature`` and ``digest``) to compute it from."""

    key: str
    signature: Any
    data: bytes
    digest: str
    hit: bool
    value: Value | None


class FileScanCache(Generic[Value]):
    """Per-file results of ``compute(data)``, stored as JSON through ``encode``/``decode``.

    ``salt`` names what produced the values (the reader's version and rules): a cache
    written under another salt is ignored. ``path`` None keeps nothing between runs.
    """

    def __init__(self, path: Path | None, salt: str, encode: Callable[[Value], Any],
                 decode: Callable[[Any], Value]) -> None:
        self.path = path
        self.salt = salt
        self.encode = encode
        self.decode = decode
        self.entries: dict[str, list] = {}
        self.written_at_ns = 0
        self.used: set[str] = set()
        self.changed = False
        self.hits = 0
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):  # nested past the parser's stack
            return
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION \
                or data.get("salt") != self.salt or not isinstance(data.get("files"), dict):
            return
        self.entries = data["files"]
        written = data.get("written_at_ns")
        self.written_at_ns = written if isinstance(written, int) else 0

    def fetch(self, key: str, path: Path, compute: Callable[[bytes], Value],
              signature: Any = None) -> Value:
        """The value for the file at ``path`` (``key`` names it in the cache; ``signature``
        its signature, when the caller has just read it)."""
        found = self.lookup(key, path, signature)
        if found.hit:
            return found.value  # type: ignore[return-value]
        value = compute(found.data)
        self.store(found, value)
        return value

    def lookup(self, key: str, path: Path, signature: Any = None) -> Lookup[Value]:
        """What the cache holds for the file at ``path``: a hit, or the file's bytes to
        compute its value from (then :meth:`store` it). Raises :class:`OSError` when the
        file cannot be read. ``signature``: the file's, when the caller has just read it
        (the project's manifest)."""
        self.used.add(key)
        if signature is None:
            signature = file_signature(path)
        entry = self.entries.get(key)
        valid = isinstance(entry, list) and len(entry) == 3
        if valid and is_fresh(entry[0], signature, self.written_at_ns):
            value = self._decoded(entry[2])
            if value is not None:
                self.hits += 1
                return Lookup(key, signature, b"", "", True, value)
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if valid and entry[1] == digest:
            value = self._decoded(entry[2])
            if value is not None:
                self.hits += 1
                self.entries[key] = [list(signature), digest, entry[2]]
                self.changed = True
                return Lookup(key, signature, data, digest, True, value)
        return Lookup(key, signature, data, digest, False, None)

    def store(self, found: Lookup[Value], value: Value) -> None:
        """Keep ``value``, computed from the bytes a missed :meth:`lookup` read."""
        self.entries[found.key] = [list(found.signature), found.digest, self.encode(value)]
        self.changed = True

    def _decoded(self, stored: Any) -> Value | None:
        try:
            return self.decode(stored)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def keep(self, keys) -> None:
        """Keep the entries of ``keys`` at the next save, whether this run used them or not
        (a run that reads only some of the files)."""
        self.used.update(key for key in keys if key in self.entries)

    def save(self) -> None:
        """Write the entries used by this run (others belong to files gone since)."""
        if self.path is None:
            return
        stale = set(self.entries) - self.used
        if not self.changed and not stale:
            return
        for key in stale:
            del self.entries[key]
        document = {"version": CACHE_VERSION, "salt": self.salt,
                    "written_at_ns": time.time_ns(), "files": self.entries}
        from archguard.adapters.cache_folder import make_cache_folder
        from archguard.adapters.files import atomic_write
        from archguard.errors import ArchguardError

        try:
            make_cache_folder(self.path.parent)
            atomic_write(self.path, json.dumps(document, separators=(",", ":")))
        except (OSError, ArchguardError):
            return  # a read-only checkout: the next run reads the files again


def cache_key(path: Path, root: Path) -> str:
    """A file's key: its path relative to ``root`` (or absolute, outside it)."""
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix):
        text = text[len(prefix):]
    return text.replace(os.sep, "/")
