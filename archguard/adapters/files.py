"""Files: written atomically (a reader sees the old content or the new, never half of it),
read when they can be, and a package's Python files found with their signatures."""

from __future__ import annotations

import os
import secrets
import stat
import time
from collections.abc import Sequence
from pathlib import Path

from archguard.errors import ArchguardError

#: What the name of a temporary file holds after the target's: ``.NAME{marker}PID-RANDOM``.
TEMPORARY_MARKER = ".archguard-tmp-"
#: Age past which a temporary file is removed even when its process id is in use again.
STALE_AFTER_S = 3600


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old content or the new.

    A regular file is written through a temporary file beside it, then renamed over it,
    keeping its permissions; a symbolic link is followed, so the file it points to is
    replaced and the link kept; a device or a FIFO (``/dev/null``, ``/dev/stdout``) is not
    a file to replace: it receives the bytes. Any failure (a full disk, a file size limit)
    is an :class:`ArchguardError` naming ``path``, and leaves no temporary file.
    """
    data = text.encode("utf-8")
    target = Path(os.path.realpath(path))
    try:
        status = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise _write_error(path, exc) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise ArchguardError(f"cannot write {path}: it is a folder")
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_in_place(path, target, data)
        return
    folder = target.parent
    if not folder.is_dir():
        raise ArchguardError(f"cannot write {path}: {folder} is not a folder")
    remove_stale_temporaries(target)
    try:
        temporary = _temporary_file(target, data)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _write_error(path, exc) from None


def _write_in_place(path: Path, target: Path, data: bytes) -> None:
    """Send ``data`` to the special file ``target`` (no truncation, no rename)."""
    try:
        descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> ArchguardError:
    return ArchguardError(f"cannot write {path}: {exc.strerror or exc}")


def _temporary_file(target: Path, data: bytes) -> Path:
    """A new file beside ``target`` holding ``data``, flushed to disk, with the
    permissions ``target`` is to have; removed again when writing fails."""
    temporary = target.with_name(
        f".{target.name}{TEMPORARY_MARKER}{os.getpid()}-{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.chmod(temporary, _mode_for(target))
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def remove_stale_temporaries(target: Path) -> None:
    """Remove the temporary files of ``target`` that a killed run left: those of a process
    that no longer exists, or older than :data:`STALE_AFTER_S`."""
    prefix = f".{target.name}{TEMPORARY_MARKER}"
    try:
        entries = [entry for entry in os.scandir(target.parent)
                   if entry.name.startswith(prefix)]
    except OSError:
        return
    now = time.time()
    for entry in entries:
        pid_text = entry.name[len(prefix):].partition("-")[0]
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            if old or not (pid_text.isdigit() and _process_exists(int(pid_text))):
                os.unlink(entry.path)
        except OSError:
            continue


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


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
    staged: list[tuple[Path, Path, bytes | None]] = []
    try:
        for path, text in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(path)
            before = file_bytes(path)
            staged.append((path, _temporary_file(path, text.encode("utf-8")), before))
    except BaseException:
        for _, temporary, _ in staged:
            temporary.unlink(missing_ok=True)
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
            temporary.unlink(missing_ok=True)
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
