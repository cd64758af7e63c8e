"""The folders and files of the analysed package, as the inventory and the contracts that
judge files ask for them. Files are read with ``ast``, never imported."""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from archguard.adapters.definitions import read_definition
from archguard.adapters.source_walk import base_names, without_recursion_limit
from archguard.domain.architecture import ArchitectureConfig, DefinitionReading
from archguard.domain.inventory import ClassSite, DefinitionFacts, Module
from archguard.errors import ProjectError, SourceSyntaxError


def modules_folder(project_dir: Path, config: ArchitectureConfig) -> Path:
    """The folder of the modules package; a clear error when it is missing."""
    folder = project_dir / config.source_root / Path(*config.modules_package.split("."))
    try:
        found = folder.is_dir()
        if found:
            os.scandir(folder).close()  # its modules are found by listing it
    except OSError as exc:  # it, or a folder above it, cannot be searched
        raise ProjectError(f"cannot read {exc.filename or folder}: "
                           f"{(exc.strerror or str(exc)).lower()}") from None
    if not found:
        raise ProjectError(
            f"modules package '{config.modules_package}' not found: {folder} is not a folder "
            f"(set project.source_root or project.modules_package in {config.source})"
        )
    return folder


def module_file(source_root: Path, dotted: str) -> Path:
    """The file of a module: ``a/b.py`` or ``a/b/__init__.py``."""
    base = source_root / Path(*dotted.split("."))
    as_file = base.with_suffix(".py")
    return as_file if as_file.is_file() else base / "__init__.py"


def read_source(path: Path) -> bytes | None:
    """The bytes of a source file; None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def definition_file(folder: Path, reading: DefinitionReading) -> Path | None:
    """A module folder's definition file, when it has one."""
    path = folder / reading.file
    try:
        return path if path.is_file() else None
    except OSError:  # a folder that cannot be searched: its files are reported unreadable
        return None


def module_folders(folder: Path) -> list[tuple[Path, bool]]:
    """The candidate module folders of the modules package, in name order, each with
    whether it has an ``__init__.py``; hidden and private (``_``) folders are left out."""
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_dir() and not entry.name.startswith((".", "_")):
            found.append((entry, _has_init(entry)))
    return found


def _has_init(folder: Path) -> bool:
    """Whether ``folder`` has an ``__init__.py``. One that cannot be searched is taken to
    have one: its files are reported unreadable (see
    :func:`~archguard.adapters.files.source_manifest`), never the folder as no package."""
    try:
        return (folder / "__init__.py").is_file()
    except OSError:
        return True


def folders_without_init(package_dir: Path, skip: Callable[[Path], bool],
                         manifest: Sequence[tuple[str, int, int]] | None = None
                         ) -> list[tuple[Path, int]]:
    """Folders below the package ``package_dir`` (reached through folders that have an
    ``__init__.py``) that hold Python files but no ``__init__.py``, each with how many it
    holds, below it however deep; folders ``skip`` accepts are not reported. Read from the
    folder's :func:`~archguard.adapters.files.source_manifest` (given, when the caller has
    it), so the folders are those grimp walks: symbolic links followed, hidden folders and
    caches not."""
    if manifest is None:
        from archguard.adapters.files import source_manifest

        manifest = source_manifest(package_dir)
    with_init: set[str] = set()
    below: dict[str, int] = defaultdict(int)  # each folder: the Python files below it
    for relative, _, _ in manifest:
        folder, _, name = relative.rpartition("/")
        if name == "__init__.py":
            with_init.add(folder)
        while folder:
            below[folder] += 1
            folder = folder.rpartition("/")[0]
    if "" not in with_init:
        return []
    found = []
    for folder, count in below.items():
        parent = folder.rpartition("/")[0]
        if folder in with_init or not _reached(parent, with_init):
            continue
        path = package_dir / folder
        if not skip(path):
            found.append((path, count))
    return sorted(found, key=lambda item: str(item[0]))


def _reached(folder: str, with_init: set[str]) -> bool:
    """Whether ``folder`` and each folder above it (to the package's) has an
    ``__init__.py``."""
    while folder:
        if folder not in with_init:
            return False
        folder = folder.rpartition("/")[0]
    return True


class ModuleFiles:
    """The modules' files, as contracts that judge files read them (see
    :class:`~archguard.domain.inventory.ModuleSources`)."""

    def __init__(self, reading: DefinitionReading) -> None:
        self.reading = reading
        self._definitions: dict[Path, DefinitionFacts | None] = {}

    def has_file(self, module: Module, relative: str) -> bool:
        return (module.path / relative).exists()

    def definition(self, module: Module) -> DefinitionFacts | None:
        path = module.path / self.reading.file
        if path not in self._definitions:
            facts = None
            if definition_file(module.path, self.reading) is not None:
                try:
                    facts = read_definition(path, module.name, self.reading)
                except SourceSyntaxError:
                    facts = None  # reported by the inventory
            self._definitions[path] = facts
        return self._definitions[path]

    def definition_variable(self, module: Module) -> str:
        return self.reading.variable_for(module.name)

    def classes_deriving(self, module: Module, suffixes: Sequence[str],
                         skip_file: str) -> list[ClassSite]:
        # A class statement whose bases mention such a name, possibly over several lines:
        # most files define none, and are not parsed.
        names = "|".join(map(re.escape, suffixes))
        prefilter = re.compile(rf"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*(?:{names})\b".encode(),
                               re.MULTILINE)
        found = []
        for path in sorted(module.path.rglob("*.py")):
            if path.name == skip_file:
                continue
            data = path.read_bytes()
            if not prefilter.search(data):
                continue
            try:
                found += without_recursion_limit(
                    lambda path=path, data=data: _classes_deriving(path, data, suffixes),
                    path, data)
            except (SyntaxError, ValueError, SourceSyntaxError):
                continue  # reported by the check's reading of the file
        return found


def _classes_deriving(path: Path, data: bytes, suffixes: Sequence[str]) -> list[ClassSite]:
    """The classes of a file with a base whose name ends with one of ``suffixes``."""
    return [ClassSite(path, node.lineno, node.name)
            for node in ast.walk(ast.parse(data, filename=str(path)))
            if isinstance(node, ast.ClassDef)
            and any(base.endswith(tuple(suffixes)) for base in base_names(node))]
