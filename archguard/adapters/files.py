"""Files: written atomically (a reader sees the old content or the new, never half of it),
read when they can be, and a package's Python files found with their signatures."""

from __future__ import annotations

import errno
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


#: How the reason of a file that is in the package but cannot be read begins: such a file is
#: left out, and the check that should have read it is incomplete (see :func:`source_manifest`).
UNREADABLE = "cannot be read: "
#: The reason a symbolic link to a folder that holds it is not followed.
LINK_CYCLE = ("not followed: a symbolic link to a folder that holds it, whose files are read "
              "under their own paths (grimp would read them again at every level)")


class SourceManifest(list[tuple[str, int, int]]):
    """The Python files below a folder, as ``(relative path, modification time in ns,
    size)``, sorted; and, in :attr:`unread`, what the walk found there but did not read, as
    ``(relative path, reason)``, sorted, the path of a folder ending in ``/``."""

    def __init__(self, files: Sequence[tuple[str, int, int]] = (),
                 unread: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(files)
        self.unread: list[tuple[str, str]] = list(unread)


def source_manifest(folder: Path) -> SourceManifest:
    """Every Python file below ``folder`` (caches and hidden folders aside), as
    ``(relative path, modification time in ns, size)``, sorted.

    Symbolic links are followed as grimp follows them (it walks with ``followlinks=True``),
    so that archguard's modules are those of grimp and lint-imports: a linked file is read as
    the file it points to, a linked folder as the folder it points to, inside the project or
    out of it. A link to a folder that holds it is not followed: its files are read under
    their own paths already, and grimp would go round it until the path is too long.

    What is found but must not be read is never opened, and is in the manifest's
    :attr:`~SourceManifest.unread` with the reason: a ``*.py`` that is a FIFO, a socket or a
    device (opening a FIFO waits for a writer for ever), a broken symbolic link, a file or a
    folder its permissions keep closed. Only what the listing does not tell is asked of the
    file system: the status of each ``*.py`` (its signature is needed anyway) and of each
    symbolic link, and ``access()`` for a file that not everyone may read. A ``folder`` that
    cannot be listed is an :class:`ArchguardError`; one that does not exist has no files.
    """
    found: list[tuple[str, int, int]] = []
    unread: list[tuple[str, str]] = []
    prefix = len(str(folder)) + 1
    # Each folder to list, with the real paths of the folders it is in and its own, last:
    # a symbolic link to any of them would lead back into itself.
    stack: list[tuple[str, tuple[str, ...]]] = [(str(folder), (os.path.realpath(folder),))]
    while stack:
        current, within = stack.pop()
        try:
            entries = list(os.scandir(current))
        except PermissionError as error:
            if current == str(folder):
                raise ArchguardError(f"cannot read {folder}: {_strerror(error)}") from None
            unread.append((current[prefix:] + "/",
                           f"{UNREADABLE}{_strerror(error)} (its files cannot be listed)"))
            continue
        except OSError:  # gone meanwhile, or the package does not exist
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, (*within, os.path.join(within[-1], name))))
                continue
            link = entry.is_symlink()
            python = name.endswith(".py")
            if not (link or python):
                continue
            try:
                status = entry.stat()
            except OSError as error:
                if python and (link or error.errno != errno.ENOENT):  # else deleted meanwhile
                    unread.append((entry.path[prefix:], _unreadable(error, entry.path, link)))
                continue
            if stat.S_ISDIR(status.st_mode):  # a symbolic link to a folder
                target = os.path.realpath(entry.path)
                if any(_is_within(real, target) for real in within):
                    unread.append((entry.path[prefix:] + "/", LINK_CYCLE))
                else:
                    stack.append((entry.path, (*within, target)))
            elif not python:
                continue
            elif not stat.S_ISREG(status.st_mode):
                unread.append((entry.path[prefix:],
                               f"{UNREADABLE}not a regular file ({_kind(status.st_mode)})"))
            elif status.st_mode & 0o444 != 0o444 and not os.access(entry.path, os.R_OK):
                unread.append((entry.path[prefix:], f"{UNREADABLE}permission denied"))
            else:
                found.append((entry.path[prefix:], status.st_mtime_ns, status.st_size))
    if os.sep != "/":
        found = [(path.replace(os.sep, "/"), mtime, size) for path, mtime, size in found]
        unread = [(path.replace(os.sep, "/"), reason) for path, reason in unread]
    found.sort()
    unread.sort()
    return SourceManifest(found, unread)


def _is_within(path: str, folder: str) -> bool:
    """Whether the real path ``path`` is ``folder`` or below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _unreadable(error: OSError, path: str, link: bool) -> str:
    """The reason a ``*.py`` whose status cannot be read is left out."""
    if link and error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
        try:
            return f"{UNREADABLE}broken symbolic link (to {os.readlink(path)})"
        except OSError:
            return f"{UNREADABLE}broken symbolic link"
    return UNREADABLE + _strerror(error)


def _strerror(error: OSError) -> str:
    """The system's words for ``error`` as a reason reads them: ``permission denied``."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


def _kind(mode: int) -> str:
    """What a file that is not a regular file is: ``a FIFO``, ``a socket``, ``a device``."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


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
    out is added to ``left_out`` as ``(path relative to source_root, reason)``, in path
    order, with what the manifest could not read (:attr:`SourceManifest.unread`): its reason
    is given unless an exclusion or a folder no import reaches leaves it out anyway.
    """
    from archguard.domain.patterns import matches_path

    package_dir = source_root / Path(*package.split("."))
    prefix = package_dir.relative_to(source_root).as_posix() if package_dir != source_root \
        else ""
    unread = manifest.unread if isinstance(manifest, SourceManifest) else []
    packages = {path[:-len("__init__.py")].rstrip("/") for path, _, _ in manifest
                if path == "__init__.py" or path.endswith("/__init__.py")}
    # A folder whose __init__.py cannot be read is a package all the same: the files in it
    # are not left out for being there.
    packages.update(path[:-len("__init__.py")].rstrip("/") for path, _ in unread
                    if path == "__init__.py" or path.endswith("/__init__.py"))
    leaving: list[tuple[str, str]] = []

    def leave(path: str, reason: str) -> None:
        leaving.append((f"{prefix}/{path}" if prefix else path, reason))

    def unreachable(path: str, folders: list[str], packaged: int) -> str | None:
        """Why no import reaches ``path``, in (or, for a folder, being) the package's
        ``folders``, the first ``packaged`` of which must have an ``__init__.py``; None
        when one does."""
        if exclude:
            relative = (f"{prefix}/{path}" if prefix else path).rstrip("/")
            pattern = next((p for p in exclude if matches_path(p, relative)
                            or any(matches_path(p, folder) for folder in _folders(relative))),
                           None)
            if pattern is not None:
                return f"excluded by project.exclude: {pattern}"
        bad = next((part for part in folders if not part.isidentifier()), None)
        if bad is not None:
            return f"folder {bad!r} is not a package name: no import can reach it"
        missing = next(("/".join(folders[:n]) for n in range(1, packaged + 1)
                        if "/".join(folders[:n]) not in packages), None)
        if missing is not None:
            return (f"not in a package: {prefix + '/' if prefix else ''}{missing} has no "
                    "__init__.py")
        return None

    found: dict[str, tuple[Path, int, int]] = {}
    if "" not in packages:
        for path in [path for path, _, _ in manifest] + [path for path, _ in unread]:
            leave(path, f"not in a package: {package} has no __init__.py")
    else:
        for path, mtime, size in manifest:
            folder, _, name = path.rpartition("/")
            parts = folder.split("/") if folder else []
            reason = unreachable(path, parts, len(parts))
            if reason is None and "." in name[:-3]:
                reason = f"file name {name!r} has a dot: it cannot be a module name"
            if reason is not None:
                leave(path, reason)
                continue
            dotted = ".".join([package, *parts]) if name == "__init__.py" else \
                ".".join([package, *parts, name[:-3]])
            found[dotted] = (package_dir / path, mtime, size)
        for path, reason in unread:
            if path.endswith("/"):  # a folder: whether it is a package cannot be known
                parts = path[:-1].split("/")
                leave(path, unreachable(path, parts, len(parts) - 1) or reason)
            else:
                folder = path.rpartition("/")[0]
                parts = folder.split("/") if folder else []
                leave(path, unreachable(path, parts, len(parts)) or reason)
    if left_out is not None:
        left_out.extend(sorted(leaving))
    return found


def _folders(relative: str) -> list[str]:
    """The folders a path is in, outermost first: ``a/b/c.py`` → ``a``, ``a/b``."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
