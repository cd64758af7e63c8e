"""Running the application without some modules, on a temporary copy.

The project is copied into a temporary folder (caches, virtual environments and version
control left out, unless a folder of that name holds Python source), so that nothing in the
copy leads back to the original: a symbolic link into the project is pointed at the same
place in the copy, one out of it is copied as what it points to. The removed modules'
folders (or links) are deleted there, and each command runs under the launcher
(:mod:`archguard.adapters.launcher`, with the isolation :mod:`archguard.adapters.isolation`
chooses), the copy as working directory and on ``PYTHONPATH``, with a timeout that kills
every process it started, those in sessions of their own included. Where the platform has
namespaces the original is read-only to the commands; everywhere, the original tree's
digest is taken before and after, and what changed is named. The :class:`Sandbox` removes
every copy, and stops what still runs, however the run ends (SIGTERM and Ctrl-C included).
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from archguard.adapters.isolation import Isolation, choose_isolation, read_status
from archguard.adapters.tree_digest import digest_tree, tree_changes
from archguard.domain.simulation import CommandResult, Observation, ObservedFailure, TreeChange
from archguard.errors import ProjectError, UsageError

COPY_PREFIX = "archguard-simulate-"
#: Left out of the copy, unless the folder holds Python source: a module may be named so.
IGNORED = (".git", ".hg", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
           ".archguard_cache", ".pytest_cache", ".mypy_cache", ".ruff_cache",
           ".import_linter_cache", ".grimp_cache")
IMPORT_COMMAND = "import"
#: How much of a command's output is kept: this many bytes of its start, as many of its end.
OUTPUT_HEAD_BYTES = 1 << 20
OUTPUT_TAIL_BYTES = 1 << 20
#: How long past its timeout a launcher may take to report before it is stopped.
BACKSTOP_SECONDS = 2.0
#: How long output is still read once the launcher has ended (an escaped process holding
#: the pipe must not hold the run).
DRAIN_SECONDS = 0.5
#: How long a stopped launcher has to kill what it started before it is killed.
STOP_SECONDS = 1.0

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>.+)$')
_MISSING_CLASS = re.compile(r"expression '([A-Za-z_][\w.]*)' failed to locate a name")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit|Warning|"
                        r"Interrupt)\b.*$")


class Sandbox:
    """The temporary folder holding every copy of one run, and the processes running in it.

    Entered in the main thread: SIGTERM then raises SystemExit, and on the way out, however
    it is left, every process still running is stopped and the folder is removed. Copies
    are made inside it, one per removed set, possibly from several threads. The isolation
    of its commands is chosen as it is entered (a usage error where ``ARCHGUARD_ISOLATION``
    asks for one this machine lacks, or on Windows, which has no process groups).
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory | None = None
        self._processes: set[subprocess.Popen] = set()
        self._originals: dict[Path, Path] = {}
        self._lock = threading.Lock()
        self._previous = None
        self.isolation = Isolation("none", reason="not chosen yet")

    @property
    def folder(self) -> Path:
        assert self._folder is not None, "use the sandbox in a with statement"
        return Path(self._folder.name)

    def __enter__(self) -> Sandbox:
        if sys.platform == "win32":
            raise UsageError("running the application (--run) needs POSIX process groups; "
                             "on Windows, run archguard in WSL")
        self.isolation = choose_isolation()
        self._folder = tempfile.TemporaryDirectory(prefix=COPY_PREFIX)
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                raise SystemExit(128 + signum)

            self._previous = signal.signal(signal.SIGTERM, handler)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            running = list(self._processes)
        _stop(running)
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder.name, ignore_errors=True)
            with contextlib.suppress(OSError):
                folder.cleanup()

    def started(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.add(process)

    def ended(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.discard(process)

    def original_of(self, path: Path) -> Path | None:
        """The project whose copy holds ``path``, if one does."""
        with self._lock:
            return next((original for copy, original in self._originals.items()
                         if path == copy or path.is_relative_to(copy)), None)

    @contextlib.contextmanager
    def copy(self, project_dir: Path, remove: list[Path]) -> Iterator[Path]:
        """A copy of ``project_dir`` without the ``remove`` folders (relative paths; a
        folder that is a symbolic link loses the link), deleted when done."""
        holder = Path(tempfile.mkdtemp(dir=self.folder))
        copy = holder / project_dir.name
        try:
            try:
                copy_project(project_dir, copy, leave_out=self.folder)
            except OSError as exc:
                raise ProjectError(f"cannot copy {project_dir} to a temporary folder: "
                                   f"{exc}") from None
            for relative in remove:
                _delete(copy / relative)
            with self._lock:
                self._originals[copy] = Path(os.path.realpath(project_dir))
            yield copy
        finally:
            with self._lock:
                self._originals.pop(copy, None)
            shutil.rmtree(holder, ignore_errors=True)


def _delete(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def copy_project(project_dir: Path, destination: Path, *,
                 leave_out: Path | None = None) -> None:
    """Copy ``project_dir`` to ``destination`` (which must not exist) so that no path in
    the copy leads to the original; ``leave_out`` (the folder of the copies, should it lie
    inside the project) is not copied.

    A symbolic link whose target is inside the project (an absolute path into it, or a
    relative one) points at the same place in the copy; one whose target is outside is
    copied as what it points to, a file or a folder; one to nothing, or to something that
    is neither, is kept as it is (a write through it cannot reach the project). A link to
    a folder holding the project, or back into an outside folder being copied, is refused.
    Sockets, FIFOs and devices are left out; so are the :data:`IGNORED` names, unless the
    folder holds Python source.
    """
    original = os.path.realpath(project_dir)
    left_out = os.path.realpath(leave_out) if leave_out is not None else None
    _ProjectCopy(original, os.path.abspath(destination), left_out).folder(
        original, str(destination), ())


class _ProjectCopy:
    def __init__(self, original: str, copy: str, left_out: str | None) -> None:
        self.original = original
        self.copy = copy
        self.left_out = left_out

    def folder(self, source: str, target: str, outside: tuple[str, ...]) -> None:
        """Copy the folder ``source``; ``outside``: the folders outside the project being
        copied into it through links, a loop among them refused."""
        os.mkdir(target)
        with os.scandir(source) as found:
            entries = sorted(found, key=lambda entry: entry.name)
        for entry in entries:
            destination = os.path.join(target, entry.name)
            if entry.path == self.left_out or (entry.name in IGNORED
                                               and not _holds_source(entry)):
                continue
            if entry.is_symlink():
                self.link(entry.path, destination, outside)
            elif entry.is_dir(follow_symlinks=False):
                self.folder(entry.path, destination, outside)
            elif entry.is_file(follow_symlinks=False):
                shutil.copy2(entry.path, destination, follow_symlinks=False)
        shutil.copystat(source, target, follow_symlinks=False)

    def link(self, link: str, destination: str, outside: tuple[str, ...]) -> None:
        resolved = os.path.realpath(link)
        if _within(resolved, self.original):
            in_copy = os.path.join(self.copy, os.path.relpath(resolved, self.original))
            os.symlink(os.path.relpath(in_copy, os.path.dirname(destination)), destination)
        elif os.path.isdir(resolved):
            shown = os.path.relpath(link, self.original) if _within(link, self.original) \
                else link
            if _within(self.original, resolved):
                raise ProjectError(f"cannot copy {shown}: it links to {resolved}, a folder "
                                   "that holds the project")
            if resolved in outside:
                raise ProjectError(f"cannot copy {shown}: it links back to {resolved}, "
                                   "which is being copied")
            self.folder(resolved, destination, (*outside, resolved))
        elif os.path.isfile(resolved):
            shutil.copy2(resolved, destination)
        else:
            os.symlink(os.readlink(link), destination)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _holds_source(entry: os.DirEntry) -> bool:
    """A real folder with a ``.py`` file in it: a package, whatever its name."""
    if entry.is_symlink() or not entry.is_dir():
        return False
    try:
        return any(name.endswith(".py") for name in os.listdir(entry.path))
    except OSError:
        return False


def module_folders(project_dir: Path, source_root: Path, modules_package: str,
                   names: tuple[str, ...] | list[str]) -> tuple[Path, list[Path]]:
    """The source root and the removed modules' folders, relative to the project."""
    relative_root = source_root.relative_to(project_dir) if source_root.is_relative_to(
        project_dir) else Path(".")
    package_path = relative_root / Path(*modules_package.split("."))
    return relative_root, [package_path / name for name in names]


def command_argv(command: str) -> list[str]:
    """The command's words; a leading ``python`` is the interpreter running archguard.

    A command of no words, or one that cannot be split into words (a quote not closed, a
    trailing backslash), is a ValueError saying so.
    """
    try:
        words = shlex.split(command)
    except ValueError as exc:
        message = str(exc)
        raise ValueError(message[:1].lower() + message[1:]) from None
    if not words:
        raise ValueError("empty command")
    if words[0] in ("python", "python3"):
        words[0] = sys.executable
    return words


class BoundedOutput:
    """What a command printed, kept to its first and last bytes: a command that prints a
    gigabyte costs two megabytes, and the traceback at its end is still read."""

    def __init__(self, head: int = OUTPUT_HEAD_BYTES, tail: int = OUTPUT_TAIL_BYTES) -> None:
        self._head_limit, self._tail_limit = head, tail
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            if len(self._tail) > 2 * self._tail_limit:
                del self._tail[:-self._tail_limit]

    @property
    def cut(self) -> int:
        """The bytes left out between the head and the tail."""
        return self.total - len(self._head) - min(len(self._tail), self._tail_limit)

    def text(self) -> str:
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail[-self._tail_limit:].decode("utf-8", errors="replace") \
            if self._tail else ""
        if not self.cut:
            return head + tail
        return f"{head}\n[… {self.cut:,} bytes of output left out …]\n{tail}"


def run_command(name: str, argv: list[str], cwd: Path, source_root: Path,
                timeout: float, sandbox: Sandbox | None = None, *,
                original: Path | None = None) -> CommandResult:
    """Run one command under the launcher, with the sandbox's isolation (or this
    machine's), ``original`` (by default, the project ``cwd`` is a copy of) read-only.

    Its output is read as it comes, kept to its head and tail; once the launcher has ended,
    what a leftover process still holds open is not waited for. Should the launcher not
    report within :data:`BACKSTOP_SECONDS` of the timeout, it is stopped.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(source_root),
                                                       os.environ.get("PYTHONPATH")]))}
    env.pop("ARCHGUARD_DEBUG", None)
    if original is None and sandbox is not None:
        original = sandbox.original_of(cwd)
    isolation = sandbox.isolation if sandbox is not None else choose_isolation()
    with contextlib.ExitStack() as stack:
        folder = sandbox.folder if sandbox is not None else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix=COPY_PREFIX)))
        handle, status_name = tempfile.mkstemp(prefix="status-", suffix=".json", dir=folder)
        os.close(handle)
        status = Path(status_name)
        stack.callback(status.unlink, missing_ok=True)
        wrapped = isolation.command(argv, cwd=cwd, timeout=timeout, status=status,
                                    original=original, writable=folder)
        return _run(name, argv, wrapped, cwd, env, timeout, status, sandbox)


def _run(name: str, argv: list[str], wrapped: list[str], cwd: Path, env: dict[str, str],
         timeout: float, status: Path, sandbox: Sandbox | None) -> CommandResult:
    shown = shlex.join(argv)
    start = time.perf_counter()
    try:
        process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    except OSError as exc:
        return CommandResult(name, shown, None, 0.0, error=f"cannot run {wrapped[0]}: {exc}")
    if sandbox is not None:
        sandbox.started(process)
    output = BoundedOutput()
    try:
        stopped = _read_until_done(process, output, timeout + BACKSTOP_SECONDS)
    except BaseException:
        _stop([process])
        raise
    finally:
        if sandbox is not None:
            sandbox.ended(process)
    seconds = time.perf_counter() - start
    if stopped:  # past its time, whatever the launcher managed to report
        return CommandResult(name, shown, None, seconds, True, output.text(), None,
                             output.cut)
    report = read_status(status)
    if report is None:  # the launcher was killed
        return CommandResult(name, shown, None, seconds, False, output.text(),
                             f"its launcher ended without reporting (exit code "
                             f"{process.returncode})", output.cut)
    return CommandResult(name, shown, report.exit_code, seconds, report.timed_out,
                         output.text(), report.error, output.cut)


def _read_until_done(process: subprocess.Popen, output: BoundedOutput,
                     backstop: float) -> bool:
    """Read ``process``'s output until it has ended and its pipe is closed (or, once it has
    ended, for :data:`DRAIN_SECONDS` at most); stop it past ``backstop`` seconds. Whether
    it had to be stopped."""
    assert process.stdout is not None
    pipe = process.stdout.fileno()
    give_up = time.monotonic() + backstop
    ended_at = None
    stopped = False
    try:
        while True:
            now = time.monotonic()
            if process.poll() is not None:
                ended_at = ended_at or now
                if now - ended_at > DRAIN_SECONDS:
                    break
            elif now >= give_up and not stopped:
                _stop([process])
                stopped = True
                continue
            ready, _, _ = select.select([pipe], [], [], 0.05)
            if ready:
                chunk = os.read(pipe, 1 << 16)
                if not chunk:
                    break
                output.add(chunk)
        if process.poll() is None:
            try:
                process.wait(timeout=max(give_up - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                _stop([process])
                stopped = True
    finally:
        process.stdout.close()
    return stopped


def _stop(processes: list[subprocess.Popen]) -> None:
    """Ask each launcher (and its wrapper) to stop, which kills what it started; kill what
    has not ended after :data:`STOP_SECONDS`."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    give_up = time.monotonic() + STOP_SECONDS
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(give_up - time.monotonic(), 0.0))
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)


def read_tracebacks(output: str, copy: Path, smoke: str) -> list[ObservedFailure]:
    """Every Python traceback in ``output``: its exception, and its innermost frame inside
    the copied project (as a project-relative path).

    A chain ("The above exception was the direct cause of the following exception", or
    "During handling of the above exception, another exception occurred") is one failure:
    the exception that propagated last, located at the innermost project frame of the
    chain's last block that has one.
    """
    failures: list[ObservedFailure] = []
    lines = output.splitlines()
    index = 0
    prefix = str(copy) + os.sep
    chained: ObservedFailure | None = None
    while index < len(lines):
        if not lines[index].strip().startswith("Traceback (most recent call last):"):
            index += 1
            continue
        index += 1
        frames = []
        while index < len(lines):
            match = _FRAME.match(lines[index])
            if match:
                frames.append(match)
                index += 1
                continue
            text = lines[index].strip()
            if frames and (not lines[index].startswith(" ") or _EXCEPTION.match(text)) and text:
                break
            index += 1
        error = lines[index].strip() if index < len(lines) else "(no exception line)"
        inner = next((f for f in reversed(frames) if f["file"].startswith(prefix)), None)
        named = _MISSING_CLASS.search(error)
        failure = ObservedFailure(
            smoke=smoke, error=error,
            file=inner["file"][len(prefix):].replace(os.sep, "/") if inner else None,
            line=int(inner["line"]) if inner else None,
            function=inner["function"].strip() if inner else None,
            name=named.group(1).rsplit(".", 1)[-1] if named else None,
        )
        if chained is not None:
            if chained in failures:
                failures.remove(chained)
            if failure.file is None:
                failure = ObservedFailure(smoke, error, chained.file, chained.line,
                                          chained.function, failure.name or chained.name)
        if failure not in failures:
            failures.append(failure)
        chained = failure if _continues(lines, index + 1) else None
    return failures


_CHAIN_MARKERS = ("The above exception was the direct cause of the following exception:",
                  "During handling of the above exception, another exception occurred:")


def _continues(lines: list[str], index: int) -> bool:
    """Whether the traceback ending before ``lines[index]`` is chained to the next one."""
    for line in lines[index:index + 40]:
        text = line.strip()
        if text in _CHAIN_MARKERS:
            return True
        if text.startswith("Traceback (most recent call last):"):
            return False
    return False


def watch_original(project_dir: Path,
                   sandbox: Sandbox) -> Callable[[], tuple[TreeChange, ...]]:
    """Take the digest of the original tree now (the sandbox's own folder aside, when it
    lies inside); the function returned tells what changed in it since."""
    copies = sandbox.folder.resolve()
    inside = frozenset([copies.relative_to(project_dir).as_posix()]
                       if copies.is_relative_to(project_dir) else [])
    before = digest_tree(project_dir, leave_out=inside)
    return lambda: tree_changes(before, digest_tree(project_dir, hash_also=before.hashed,
                                                    leave_out=inside))


def observe_without(project_dir: Path, source_root: Path, modules_package: str,
                    removed: tuple[str, ...], entry_points: list[str],
                    commands: list[tuple[str, str]], *, sandbox: Sandbox, timeout: float,
                    timeouts: dict[str, float] | None = None) -> Observation:
    """Delete the removed modules in a copy, import every entry point, then run each
    command (not when the import fails: the application does not start). The original
    tree's digest before and after tells whether anything wrote it meanwhile."""
    relative_root, folders = module_folders(project_dir, source_root, modules_package, removed)
    start = time.perf_counter()
    results: list[CommandResult] = []
    failures: list[ObservedFailure] = []
    original_changes = watch_original(project_dir, sandbox)
    with sandbox.copy(project_dir, folders) as copy:
        copy_root = copy / relative_root
        script = "; ".join(f"import {module}" for module in entry_points) or "pass"
        first = run_command(IMPORT_COMMAND, [sys.executable, "-c", script], copy, copy_root,
                            timeout, sandbox)
        results.append(first)
        failures += read_tracebacks(first.output, copy, IMPORT_COMMAND)
        import_crash = first.exit_code != 0
        if import_crash and not failures and (first.error or first.timed_out):
            # Not the crash a prediction could explain: the import did not run to its end.
            failures.append(ObservedFailure(smoke=IMPORT_COMMAND, error=_ended(first)))
        for name, command in commands:
            if import_crash:  # the application does not start: nothing more to learn
                results.append(CommandResult(name, command, None, 0.0,
                                             output="not run: the application does not import"))
                continue
            result = run_command(name, command_argv(command), copy, copy_root,
                                 (timeouts or {}).get(name) or timeout, sandbox)
            results.append(result)
            if result.exit_code != 0:
                failures += [f for f in read_tracebacks(result.output, copy, name)
                             if f not in failures]
                if not any(f.smoke == name for f in failures):
                    failures.append(ObservedFailure(smoke=name, error=_ended(result)))
    changes = original_changes()
    ok = not import_crash and all(r.exit_code == 0 for r in results) and not changes
    first_error = None
    if failures:
        failure = failures[0]
        where = f" at {failure.file}:{failure.line}" if failure.file else ""
        first_error = f"{failure.error}{where}"
    return Observation(ok=ok, import_crash=import_crash, first_error=first_error,
                       seconds=time.perf_counter() - start, failures=tuple(failures),
                       commands=tuple(results), isolation=sandbox.isolation.describe(),
                       original_changes=changes)


#: The longest last line of output quoted for a command that failed without a traceback.
_LAST_LINE_SHOWN = 200


def _ended(result: CommandResult) -> str:
    """How a command that printed no traceback failed, with its last line of output."""
    if result.error:
        return result.error
    if result.timed_out:
        return "timed out"
    if result.exit_code is not None and result.exit_code < 0:
        try:
            killer = signal.Signals(-result.exit_code).name
        except ValueError:
            killer = f"signal {-result.exit_code}"
        ended = f"killed by {killer}, no traceback"
    else:
        ended = f"exit code {result.exit_code}, no traceback"
    last = next((line.strip() for line in reversed(result.output.splitlines())
                 if line.strip()), None)
    if last is None:
        return ended
    if len(last) > _LAST_LINE_SHOWN:
        last = last[:_LAST_LINE_SHOWN] + "…"
    return f"{ended}; its last output: {last}"
