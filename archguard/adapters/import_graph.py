"""The import graph, from grimp. grimp reads source files; nothing is imported or executed.

grimp refuses to build a graph when one file cannot be parsed. So that one broken file does
not hide every other violation, the graph is then built from a mirror of the source tree made
of symbolic links, with each unparsable file replaced by an empty module, and the unparsable
files are returned as errors.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from archguard.errors import ProjectError, SourceSyntaxError

if TYPE_CHECKING:
    from grimp import ImportGraph

MAX_BROKEN_FILES = 50


@dataclass
class GraphBuild:
    """The graph and the files that could not be parsed (left out of it)."""

    graph: ImportGraph
    unparsable: list[SourceSyntaxError] = field(default_factory=list)


@contextlib.contextmanager
def _on_sys_path(folder: Path) -> Iterator[None]:
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(folder))
        importlib.invalidate_caches()


@contextlib.contextmanager
def package_found_in(source_root: Path, root_package: str) -> Iterator[None]:
    """While grimp finds the package with importlib: ``source_root`` first on
    ``sys.path``, and no module of the package's name loaded (importlib answers from
    ``sys.modules`` first, and a package of the same name loaded in this process, archguard
    checking itself or a copy of it, must not stand in for the analysed one)."""
    top = root_package.split(".")[0]
    loaded = sys.modules.pop(top, None)
    try:
        with _on_sys_path(source_root):
            yield
    finally:
        if loaded is not None:
            sys.modules[top] = loaded


def grimp_graph(source_root: Path, root_package: str) -> ImportGraph:
    """grimp's graph of the package, external packages included, built without a cache."""
    import grimp

    with package_found_in(source_root, root_package):
        return grimp.build_graph(root_package, include_external_packages=True, cache_dir=None)


def _mirror(source_root: Path, root_package: str, target: Path, broken: set[Path]) -> None:
    """Link every Python file of the package into ``target``, found as archguard finds the
    modules (:func:`~archguard.adapters.files.source_manifest`: symbolic links to folders
    followed, as grimp follows them); broken files become empty modules."""
    from archguard.adapters.files import source_manifest

    top = root_package.split(".")[0]
    for relative, _, _ in source_manifest(source_root / top):
        original = source_root / top / relative
        mirrored = target / top / relative
        mirrored.parent.mkdir(parents=True, exist_ok=True)
        if original.resolve() in broken:
            mirrored.write_text("", encoding="utf-8")
        else:
            mirrored.symlink_to(original.resolve())


def build_import_graph(source_root: Path, root_package: str) -> GraphBuild:
    """grimp's graph of ``root_package`` found in ``source_root``, external packages
    included; files that cannot be parsed are left out and returned as errors."""
    graph, unparsable = build_around_broken_files(
        source_root, root_package, lambda root: grimp_graph(root, root_package))
    return GraphBuild(graph, unparsable)


Built = TypeVar("Built")


def build_around_broken_files(source_root: Path, root_package: str,
                              build: Callable[[Path], Built]
                              ) -> tuple[Built, list[SourceSyntaxError]]:
    """``build(source_root)``; when grimp cannot parse a file, ``build`` again on a mirror
    of the tree in which each such file is empty, and return those files as errors."""
    import grimp.exceptions

    package_dir = source_root / Path(*root_package.split("."))
    if not (package_dir / "__init__.py").is_file():
        raise ProjectError(f"package '{root_package}' not found: {package_dir / '__init__.py'} "
                           "does not exist")
    try:
        return build(source_root), []
    except (grimp.exceptions.SourceSyntaxError, UnicodeError) as exc:
        error = _unreadable(exc)
    broken: dict[Path, SourceSyntaxError] = {}
    with tempfile.TemporaryDirectory(prefix="archguard-mirror-") as temporary:
        mirror = Path(temporary)
        while True:
            original = _original_path(error.path, mirror, source_root)
            broken[original.resolve()] = _syntax_error(original, error.line, error.text)
            if len(broken) > MAX_BROKEN_FILES:
                raise ProjectError(f"more than {MAX_BROKEN_FILES} files cannot be parsed; "
                                   f"the first is {next(iter(broken.values()))}") from None
            shutil.rmtree(mirror)
            mirror.mkdir()
            _mirror(source_root, root_package, mirror, set(broken))
            try:
                built = build(mirror)
            except (grimp.exceptions.SourceSyntaxError, UnicodeError) as exc:
                error = _unreadable(exc)
                continue
            return built, list(broken.values())


_UNDECODABLE = re.compile(r"Failed to decode file (.+?) as UTF-8: (.*)$")


def _unreadable(exc: Exception) -> SourceSyntaxError:
    """grimp's error for a file it cannot read, as ours: the file, the line, the message."""
    if isinstance(exc, UnicodeError):
        match = _UNDECODABLE.search(str(exc))
        if match is None:
            raise exc
        return SourceSyntaxError(Path(match.group(1)), None, f"not UTF-8 ({match.group(2)})")
    return SourceSyntaxError(Path(exc.filename), exc.lineno, "invalid syntax", exc.text)


def _syntax_error(path: Path, line: int | None, text: str | None) -> SourceSyntaxError:
    """The error with Python's own message, which grimp does not keep."""
    from archguard.adapters.source_walk import parse_source

    try:
        parse_source(path)
    except SourceSyntaxError as exc:
        return SourceSyntaxError(path, exc.line or line, exc.message, exc.text)
    except OSError as exc:
        return SourceSyntaxError(path, line, str(exc), text)
    except RecursionError:
        return SourceSyntaxError(path, line, "nested too deeply to parse", text)
    return SourceSyntaxError(path, line, "cannot be parsed", text)


def _original_path(reported: Path, mirror: Path, source_root: Path) -> Path:
    try:
        return source_root / reported.relative_to(mirror)
    except ValueError:
        return reported
