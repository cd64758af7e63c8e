"""The import graph, from grimp. grimp reads source files; nothing is imported or executed.

grimp refuses to build a graph when one file cannot be parsed. So that one broken file does
not hide every other violation, the graph is then built from a mirror of the source tree made
of symbolic links, with each unparsable file replaced by an empty module, and the unparsable
files are returned as errors.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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


def _build(source_root: Path, root_package: str, cache_dir: Path | None) -> ImportGraph:
    import grimp

    # grimp finds the package with importlib, which answers from sys.modules first: a
    # package of the same name loaded in this process (archguard checking itself, or a
    # copy of it) must not stand in for the analysed one while the graph is built.
    top = root_package.split(".")[0]
    loaded = sys.modules.pop(top, None)
    try:
        with _on_sys_path(source_root):
            kwargs = {"include_external_packages": True}
            kwargs["cache_dir"] = str(cache_dir) if cache_dir is not None else None
            return grimp.build_graph(root_package, **kwargs)
    finally:
        if loaded is not None:
            sys.modules[top] = loaded


def _mirror(source_root: Path, root_package: str, target: Path, broken: set[Path]) -> None:
    """Link every file of the package into ``target``; broken files become empty modules."""
    package_dir = source_root / root_package.split(".")[0]
    for folder, _dirs, files in os.walk(package_dir):
        relative = Path(folder).relative_to(source_root)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            original = Path(folder) / name
            mirrored = target / relative / name
            if original.resolve() in broken:
                mirrored.write_text("", encoding="utf-8")
            else:
                mirrored.symlink_to(original.resolve())


def build_import_graph(source_root: Path, root_package: str,
                       cache_dir: Path | None = None) -> GraphBuild:
    """Build the graph of ``root_package`` found in ``source_root``, external packages included.

    ``cache_dir`` is grimp's cache; ``None`` disables it.
    """
    import grimp.exceptions

    package_dir = source_root / Path(*root_package.split("."))
    if not (package_dir / "__init__.py").is_file():
        raise ProjectError(f"package '{root_package}' not found: {package_dir / '__init__.py'} "
                           "does not exist")
    try:
        return GraphBuild(_build(source_root, root_package, cache_dir))
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
                graph = _build(mirror, root_package, None)
            except (grimp.exceptions.SourceSyntaxError, UnicodeError) as exc:
                error = _unreadable(exc)
                continue
            return GraphBuild(graph, list(broken.values()))


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
    import ast

    try:
        ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        return SourceSyntaxError(path, exc.lineno or line, exc.msg, exc.text)
    except (OSError, ValueError) as exc:
        return SourceSyntaxError(path, line, str(exc), text)
    return SourceSyntaxError(path, line, "cannot be parsed", text)


def _original_path(reported: Path, mirror: Path, source_root: Path) -> Path:
    try:
        return source_root / reported.relative_to(mirror)
    except ValueError:
        return reported
