"""Running the application without some modules, on a temporary copy.

The project is copied into a temporary folder (caches, virtual environments and version
control left out), the removed modules' folders are deleted there, and each command runs in
its own process group with a timeout, the copy as working directory and on ``PYTHONPATH``.
The original tree is only read. A timeout kills the command's whole process group; the
:class:`Sandbox` removes every copy, and kills what still runs, however the run ends
(SIGTERM and Ctrl-C included).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from archguard.domain.simulation import CommandResult, Observation, ObservedFailure

COPY_PREFIX = "archguard-simulate-"
IGNORED = (".git", ".hg", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
           ".archguard_cache", ".pytest_cache", ".mypy_cache", ".ruff_cache",
           ".import_linter_cache", ".grimp_cache")
IMPORT_COMMAND = "import"

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>.+)$')
_MISSING_CLASS = re.compile(r"expression '([A-Za-z_][\w.]*)' failed to locate a name")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit|Warning|"
                        r"Interrupt)\b.*$")


class Sandbox:
    """The temporary folder holding every copy of one run, and the processes running in it.

    Entered in the main thread: SIGTERM then raises SystemExit, and on the way out, however
    it is left, every process still running is killed (its whole group) and the folder is
    removed. Copies are made inside it, one per removed set, possibly from several threads.
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory | None = None
        self._processes: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._previous = None

    @property
    def folder(self) -> Path:
        assert self._folder is not None, "use the sandbox in a with statement"
        return Path(self._folder.name)

    def __enter__(self) -> Sandbox:
        self._folder = tempfile.TemporaryDirectory(prefix=COPY_PREFIX)
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                raise SystemExit(128 + signum)

            self._previous = signal.signal(signal.SIGTERM, handler)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            running = list(self._processes)
        for process in running:
            _kill_group(process)
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

    @contextlib.contextmanager
    def copy(self, project_dir: Path, remove: list[Path]) -> Iterator[Path]:
        """A copy of ``project_dir`` without the ``remove`` folders (relative paths),
        deleted when done."""
        holder = Path(tempfile.mkdtemp(dir=self.folder))
        try:
            copy = holder / project_dir.name
            shutil.copytree(project_dir, copy, symlinks=True,
                            ignore=shutil.ignore_patterns(*IGNORED))
            for relative in remove:
                target = copy / relative
                if target.is_dir():
                    shutil.rmtree(target)
            yield copy
        finally:
            shutil.rmtree(holder, ignore_errors=True)


def module_folders(project_dir: Path, source_root: Path, modules_package: str,
                   names: tuple[str, ...] | list[str]) -> tuple[Path, list[Path]]:
    """The source root and the removed modules' folders, relative to the project."""
    relative_root = source_root.relative_to(project_dir) if source_root.is_relative_to(
        project_dir) else Path(".")
    package_path = relative_root / Path(*modules_package.split("."))
    return relative_root, [package_path / name for name in names]


def command_argv(command: str) -> list[str]:
    """The command's words; a leading ``python`` is the interpreter running archguard."""
    words = shlex.split(command)
    if words and words[0] in ("python", "python3"):
        words[0] = sys.executable
    return words


def run_command(name: str, argv: list[str], cwd: Path, source_root: Path,
                timeout: float, sandbox: Sandbox | None = None) -> CommandResult:
    """Run one command in its own process group; kill the group on timeout."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(source_root),
                                                       os.environ.get("PYTHONPATH")]))}
    env.pop("ARCHGUARD_DEBUG", None)
    start = time.perf_counter()
    try:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        return CommandResult(name, shlex.join(argv), None, 0.0,
                             output=f"cannot run {argv[0]}: {exc}")
    if sandbox is not None:
        sandbox.started(process)
    try:
        output, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        timed_out = True
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    finally:
        if sandbox is not None:
            sandbox.ended(process)
    return CommandResult(name, shlex.join(argv), None if timed_out else process.returncode,
                         time.perf_counter() - start, timed_out,
                         output.decode("utf-8", errors="replace"))


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


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


def observe_without(project_dir: Path, source_root: Path, modules_package: str,
                    removed: tuple[str, ...], entry_points: list[str],
                    commands: list[tuple[str, str]], *, sandbox: Sandbox, timeout: float,
                    timeouts: dict[str, float] | None = None) -> Observation:
    """Delete the removed modules in a copy, import every entry point, then run each
    command (not when the import fails: the application does not start)."""
    relative_root, folders = module_folders(project_dir, source_root, modules_package, removed)
    start = time.perf_counter()
    results: list[CommandResult] = []
    failures: list[ObservedFailure] = []
    with sandbox.copy(project_dir, folders) as copy:
        copy_root = copy / relative_root
        script = "; ".join(f"import {module}" for module in entry_points) or "pass"
        first = run_command(IMPORT_COMMAND, [sys.executable, "-c", script], copy, copy_root,
                            timeout, sandbox)
        results.append(first)
        failures += read_tracebacks(first.output, copy, IMPORT_COMMAND)
        import_crash = first.exit_code != 0
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
                    failures.append(ObservedFailure(
                        smoke=name, error=("timed out" if result.timed_out else
                                           f"exit code {result.exit_code}, no traceback")))
    ok = not import_crash and all(r.exit_code == 0 for r in results)
    first_error = None
    if failures:
        failure = failures[0]
        where = f" at {failure.file}:{failure.line}" if failure.file else ""
        first_error = f"{failure.error}{where}"
    return Observation(ok=ok, import_crash=import_crash, first_error=first_error,
                       seconds=time.perf_counter() - start, failures=tuple(failures),
                       commands=tuple(results))
