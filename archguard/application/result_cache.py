"""A check's result kept between runs: an unchanged project is answered without rebuilding.

The key is everything the result depends on: archguard's version and its own files (a
development checkout or an upgrade without a new version number changes them), the
configuration file's bytes, and every Python file of the package by path, modification
time and size. A result written when a file had been modified too recently for its
signature to vouch for it (see :mod:`archguard.adapters.freshness`) is not trusted. The
result is kept by :class:`~archguard.adapters.result_store.ResultStore`: one that cannot be
read, is of another version or key, or is malformed is ignored and recomputed: never
trusted, never an error.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from archguard import __version__
from archguard.adapters.files import file_bytes, source_manifest
from archguard.adapters.freshness import settled
from archguard.adapters.result_store import FORMAT, ResultStore
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.violations import CheckResult

FILE = "result.json"


@cache
def tool_signature() -> str:
    """archguard's own files by path, modification time and size: a result computed by
    other code is not this code's result."""
    import archguard

    files = source_manifest(Path(archguard.__file__).parent)
    return ";".join(f"{path}|{mtime}|{size}" for path, mtime, size in files)


class ResultCache:
    """The cached result of one project under one configuration."""

    def __init__(self, project_dir: Path, config: ArchitectureConfig, cache_dir: Path) -> None:
        self.store = ResultStore(cache_dir / FILE)
        source_root = (project_dir / config.source_root).resolve()
        package_dir = source_root / Path(*config.root_package.split("."))
        manifest = source_manifest(package_dir)
        #: Every Python file of the package folder: (relative path, mtime in ns, size).
        self.manifest = manifest
        self.newest_ns = max((mtime for _, mtime, _ in manifest), default=0)
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}|{__version__}|{tool_signature()}|{project_dir.resolve()}|"
                      .encode())
        configuration = file_bytes(Path(config.source))
        digest.update(b"<no configuration file>" if configuration is None else configuration)
        for path, mtime, size in manifest:
            digest.update(f"\n{path}|{mtime}|{size}".encode())
        for path, reason in manifest.unread:  # a FIFO or a broken link added is a change
            digest.update(f"\n{path}|{reason}".encode())
        self.key = digest.hexdigest()

    def load(self) -> CheckResult | None:
        """The result kept for this project as it is now; None when there is none to trust."""
        stored = self.store.load(self.key)
        # The key holds every file's signature, so only the racy window is left to judge,
        # and the newest file is the last to leave it.
        if stored is None or not settled(self.newest_ns, stored.written_at_ns):
            return None
        return stored.result

    def save(self, result: CheckResult) -> None:
        """Keep ``result`` for the next run on the project as it is now."""
        self.store.save(self.key, result)
