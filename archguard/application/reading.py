"""Reading a project for the checks: its modules' files, their imports and their string
references, kept in ``.archguard_cache`` between runs.

When many files must be read (a first run, a checkout of another branch), the imports and
strings are read side by side on two cores (see :mod:`archguard.adapters.concurrency`):
grimp's scanner here, then the checks of the imports, while the string scanner runs in a
forked process until its references are judged. A few files are read in one process, where
a fork would cost more than it saves.
"""

from __future__ import annotations

import ast
import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from archguard.adapters.files import manifest_modules, source_manifest
from archguard.adapters.import_table import FILE as TABLE_FILE
from archguard.adapters.import_table import TableBuild, build_import_table
from archguard.domain.architecture import ArchitectureConfig

if TYPE_CHECKING:
    from archguard.adapters.concurrency import InBackground
    from archguard.application.strings import StringScan

CACHE_DIR = ".archguard_cache"
#: Files to read (not vouched for by a cache) from which the imports and strings are read
#: side by side: each string scan of a file that names a loader is a parse.
SIDE_BY_SIDE_FROM = 150


class CheckProgress(Protocol):
    """What a long check tells as it goes, always from the process that runs it (never from
    one it forks): each phase as it starts, with ``files``, how many files it reads (0 when
    it reads none of its own), and, at cheap points inside a long phase, that it goes on."""

    def phase(self, text: str, files: int = 0) -> None: ...

    def tick(self) -> None: ...


class NoProgress:
    """The progress of a check no one watches: each call does nothing."""

    def phase(self, text: str, files: int = 0) -> None:
        """Nothing to show."""

    def tick(self) -> None:
        """Nothing to show."""


NO_PROGRESS = NoProgress()


@dataclass
class ProjectReading:
    """``files``: each module's file, by dotted name; ``imports``: the import table and the
    files that could not be parsed; ``strings``: the string scan, which a large project's
    reading goes on computing in a forked process while the imports are judged (None when
    strings are off); ``left_out``: the Python files of the package that are not read, each
    with the reason."""

    files: dict[str, Path]
    imports: TableBuild
    strings: InBackground[StringScan] | None
    left_out: tuple[tuple[str, str], ...] = ()
    #: Files parsed in this process by the time the strings are read here, with the bytes
    #: each was parsed from: the string scanner reads their trees instead of parsing again.
    parsed: dict[Path, tuple[bytes, ast.Module]] = field(default_factory=dict)


def read_project(project_dir: Path, config: ArchitectureConfig, *, use_cache: bool,
                 manifest: list[tuple[str, int, int]] | None = None,
                 progress: CheckProgress = NO_PROGRESS) -> ProjectReading:
    """``manifest``: the package folder's :func:`~archguard.adapters.files.source_manifest`,
    when the caller has read it; ``progress`` is told as the import graph is built.

    Reading allocates hundreds of thousands of small objects that live until the run ends
    (the imports, the parsed strings, the caches' JSON), and none of them in reference
    cycles: Python's cycle collector would walk them again and again for nothing (it took
    40 % of the time of reading 20,000 files), so it is paused meanwhile.
    """
    with cycle_collector_paused():
        return _read(project_dir, config, use_cache, manifest, progress)


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a read that allocates much and frees nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(project_dir: Path, config: ArchitectureConfig, use_cache: bool,
          manifest: list[tuple[str, int, int]] | None,
          progress: CheckProgress) -> ProjectReading:
    source_root = (project_dir / config.source_root).resolve()
    if manifest is None:
        manifest = source_manifest(source_root / Path(*config.root_package.split(".")))
    left_out: list[tuple[str, str]] = []
    modules = manifest_modules(source_root, config.root_package, manifest,
                               exclude=config.exclude, left_out=left_out)
    files = {module: path for module, (path, _, _) in modules.items()}
    signatures = {module: (mtime, size) for module, (_, mtime, size) in modules.items()}
    cache_dir = project_dir.resolve() / CACHE_DIR if use_cache else None

    def imports() -> TableBuild:
        progress.phase(f"building the import graph ({len(files):,} files)",
                       files=_unread(cache_dir, TABLE_FILE, signatures))
        return build_import_table(source_root, config.root_package, cache_dir, files,
                                  signatures)

    if not config.strings.enabled:
        return ProjectReading(files, imports(), None, tuple(left_out))
    from archguard.application.strings import CACHE_FILE as STRINGS_FILE
    from archguard.application.strings import scan_project

    parsed: dict[Path, tuple[bytes, ast.Module]] = {}

    def strings():
        return scan_project(config, files, project_dir.resolve(), cache_dir, signatures,
                            parsed)

    from archguard.adapters.concurrency import InBackground

    scan = InBackground(strings, fork=_unread(cache_dir, STRINGS_FILE, signatures)
                        >= SIDE_BY_SIDE_FROM)
    try:
        table = imports()
    except BaseException:
        scan.cancel()
        raise
    return ProjectReading(files, table, scan, tuple(left_out), parsed)


def _unread(cache_dir: Path | None, name: str, signatures: dict[str, tuple[int, int]]) -> int:
    """How many files the cache ``name`` may not vouch for: those changed since it was
    written, within the window in which a time cannot tell (all, without a cache). An
    estimate for choosing where to read, and for telling a long read; the cache itself
    decides what is read."""
    from archguard.adapters.freshness import settled

    if cache_dir is None:
        return len(signatures)
    try:
        written = (cache_dir / name).stat().st_mtime_ns
    except OSError:
        return len(signatures)
    return sum(1 for mtime, _ in signatures.values() if not settled(mtime, written))
