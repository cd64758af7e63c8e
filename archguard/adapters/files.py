"""Writing files atomically: a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from archguard.errors import ArchguardError


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    folder = path.parent
    if not folder.is_dir():
        raise ArchguardError(f"cannot write {path}: {folder} is not a folder")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def package_files(source_root: Path, package: str) -> dict[str, Path]:
    """Every module of a regular package, by dotted name, with its file: ``a/b.py`` or
    ``a/b/__init__.py``. Folders without ``__init__.py`` are not part of it (nor is what
    they hold), as for the import system and grimp."""
    import os

    top = source_root / Path(*package.split("."))
    found: dict[str, Path] = {}
    if not (top / "__init__.py").is_file():
        return found
    stack = [(top, package)]
    while stack:
        folder, dotted = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        names = {entry.name for entry in entries}
        if "__init__.py" not in names:
            continue
        found[dotted] = Path(folder) / "__init__.py"
        for entry in entries:
            name = entry.name
            if name.endswith(".py") and name != "__init__.py" and name[:-3].isidentifier():
                found[f"{dotted}.{name[:-3]}"] = Path(entry.path)
            elif name.isidentifier() and entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), f"{dotted}.{name}"))
    return found


def source_manifest(folder: Path) -> list[tuple[str, int, int]]:
    """Every Python file below ``folder`` (caches and hidden folders aside), as
    ``(relative path, modification time in ns, size)``, sorted."""
    import os

    found = []
    prefix = len(str(folder)) + 1
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif name.endswith(".py"):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found.append((entry.path[prefix:], stat.st_mtime_ns, stat.st_size))
    found.sort()
    return found
