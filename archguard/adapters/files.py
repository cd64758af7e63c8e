"""Files: written atomically (a reader sees the old content or the new, never half of it),
read when they can be, and a package's Python files found with their signatures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from archguard.errors import ArchguardError


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    folder = path.parent
    if not folder.is_dir():
        raise ArchguardError(f"cannot write {path}: {folder} is not a folder")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions the written file gets: those of the file it replaces, else what a
    new file gets under the current umask (a temporary file starts private)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_all(root: Path, texts: dict[str, str]) -> None:
    """Write every ``{relative path: text}`` below ``root``, all or nothing: each file is
    written to a temporary file beside it first; only when all are written are they renamed
    into place, and a rename that fails puts back the files already replaced. A path that
    leaves ``root`` is refused before anything is written."""
    base = root.resolve()
    targets = {}
    for relative, text in texts.items():
        path = (base / relative).resolve()
        if not path.is_relative_to(base):
            raise ArchguardError(f"refusing to write {relative}: it is outside {root}")
        targets[path] = text
    staged: list[tuple[Path, str, bytes | None]] = []
    try:
        for path, text in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((path, temporary, file_bytes(path)))
            os.chmod(temporary, _mode_for(path))
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for _, temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, temporary, before in staged:
            os.replace(temporary, path)
            done.append((path, before))
    except BaseException:
        for path, before in reversed(done):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(before)
        for _, temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise


def file_bytes(path: Path) -> bytes | None:
    """The content of the file at ``path``; None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def package_files(source_root: Path, package: str) -> dict[str, Path]:
    """Every module of a regular package, by dotted name, with its file: ``a/b.py`` or
    ``a/b/__init__.py``. Folders without ``__init__.py`` are not part of it (nor is what
    they hold), as for the import system and grimp."""
    package_dir = source_root / Path(*package.split("."))
    return {module: path for module, (path, _, _) in manifest_modules(
        source_root, package, source_manifest(package_dir)).items()}


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
    if os.sep != "/":
        found = [(path.replace(os.sep, "/"), mtime, size) for path, mtime, size in found]
    found.sort()
    return found


def manifest_modules(source_root: Path, package: str, manifest: list[tuple[str, int, int]],
                     *, exclude: Sequence[str] = (),
                     left_out: list[tuple[str, str]] | None = None,
                     ) -> dict[str, tuple[Path, int, int]]:
    """The modules of a regular package (see :func:`package_files`), from the
    :func:`source_manifest` of its folder: each module's file, with its modification time
    (ns) and size, as read once for the result cache's key and the import table's.

    A file is a module as it is for grimp and for ``importlib``: any ``.py`` file of a
    package, whatever its name (``0001_initial.py``, as Django's migrations are named,
    cannot be named in an ``import`` statement but is imported by importlib all the same).
    ``exclude`` holds globs of paths relative to ``source_root`` to leave out. Each file left
    out is added to ``left_out`` as ``(path relative to source_root, reason)``.
    """
    from archguard.domain.patterns import matches_path

    package_dir = source_root / Path(*package.split("."))
    prefix = package_dir.relative_to(source_root).as_posix() if package_dir != source_root \
        else ""
    packages = {path[:-len("__init__.py")].rstrip("/") for path, _, _ in manifest
                if path == "__init__.py" or path.endswith("/__init__.py")}

    def leave(path: str, reason: str) -> None:
        if left_out is not None:
            left_out.append((f"{prefix}/{path}" if prefix else path, reason))

    if "" not in packages:
        for path, _, _ in manifest:
            leave(path, f"not in a package: {package} has no __init__.py")
        return {}
    found: dict[str, tuple[Path, int, int]] = {}
    for path, mtime, size in manifest:
        relative = f"{prefix}/{path}" if prefix else path
        pattern = next((p for p in exclude if matches_path(p, relative)
                        or any(matches_path(p, folder) for folder in _folders(relative))),
                       None)
        if pattern is not None:
            leave(path, f"excluded by project.exclude: {pattern}")
            continue
        folder, _, name = path.rpartition("/")
        parts = folder.split("/") if folder else []
        bad = next((part for part in parts if not part.isidentifier()), None)
        if bad is not None:
            leave(path, f"folder {bad!r} is not a package name: no import can reach it")
            continue
        missing = next(("/".join(parts[:n]) for n in range(1, len(parts) + 1)
                        if "/".join(parts[:n]) not in packages), None)
        if missing is not None:
            leave(path, f"not in a package: {prefix + '/' if prefix else ''}{missing} has no "
                        "__init__.py")
            continue
        if "." in name[:-3]:
            leave(path, f"file name {name!r} has a dot: it cannot be a module name")
            continue
        dotted = ".".join([package, *parts]) if name == "__init__.py" else \
            ".".join([package, *parts, name[:-3]])
        found[dotted] = (package_dir / path, mtime, size)
    return found


def _folders(relative: str) -> list[str]:
    """The folders a path is in, outermost first: ``a/b/c.py`` → ``a``, ``a/b``."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
