"""Time archguard, lint-imports and tach side by side on generated platforms.

    python benchmarks/run.py [--sizes 1000,2000,5000,10000,20000,50000] [--runs 5]
        [--violations 0,50] [--tools archguard,lint-imports,tach] [--tach PATH]
        [--lint-imports PATH] [--archguard PATH] [--out benchmarks/RESULTS.md]
        [--workdir DIR] [--keep] [--seed S] [--timeout S] [--settle S]

For each size (Python files) and planted violation count, ``generate.py`` writes a platform
with the same contract for the three tools. Each tool is then measured in three states,
``--runs`` times each:

- cold: the tool's cache removed (``.archguard_cache/``, ``.import_linter_cache``, ``.tach``);
- warm: run again, with the cache as the cold run left it;
- one file changed: a harmless line appended to one file that has imports (the file is
  restored, bytes and modification time, afterwards).

A fresh tree is first checked, and the file changed, only ``--settle`` seconds (default 3)
after the last write or run, as in real use, so that no cache distrusts a file for its too
recent modification time.

Within a repetition every tool runs in one state before any runs in the next, and the order
of the tools rotates from one repetition to the next, so that the noise of a shared machine
hits all of them alike. Each run records its wall time, its peak resident memory, its exit
code and the number of violations it reports. The peak memory is the larger of the tool
process's own peak resident set (from ``wait4``) and the peak, sampled every 5 ms, of the
summed proportional set sizes of the process and every process it started (archguard reads
a large tree in two processes, which share the pages they had at the fork). The medians
go into a Markdown table, printed and written to ``--out`` as this script's section of it
(the other sections of the file stay as they are). The exit code is 1 when a run
failed (an exit code other than 0 or 1, or a time-out), 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "benchmarks" / "generate.py"
DEFAULT_OUT = REPO / "benchmarks" / "RESULTS.md"
DEFAULT_SIZES = "1000,2000,5000,10000,20000,50000"
DEFAULT_VIOLATIONS = "0,50"
TOOL_NAMES = ("archguard", "lint-imports", "tach")
STATES = ("cold", "warm", "changed")
STATE_LABELS = {"cold": "cold", "warm": "warm, unchanged", "changed": "warm, 1 file changed"}
TOUCH_LINE = "_benchmark_touch = 1\n"
# Caches keyed by modification time distrust a file saved within a second or two of the
# cache being written (archguard: 2 s). An edit never follows a run that closely in real use,
# so a file is changed, and a fresh tree first checked, only this long after the last write.
DEFAULT_SETTLE = 3.0
# The tools run as users run them: with their bytecode caches.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "COLUMNS": "1000", "NO_COLOR": "1", "TERM": "dumb"}
LINT_IMPORTS_EDGE = re.compile(r"-\s+(\S+)\s+->\s+(\S+)\s+\(([^)]*)\)")


class BenchmarkError(Exception):
    """The benchmark cannot be run as asked."""


# -- tools ---------------------------------------------------------------------------------------


def count_archguard(stdout: str, stderr: str) -> int | None:
    try:
        return int(json.loads(stdout)["summary"]["violations"])
    except (ValueError, KeyError, TypeError):
        return None


def count_lint_imports(stdout: str, stderr: str) -> int | None:
    """Import lines of the broken contracts: one per ``l.N`` of each listed import."""
    if not re.search(r"Contracts: \d+ kept, \d+ broken\.", stdout):
        return None
    return sum(len(re.findall(r"l\.(\d+)", lines))
               for _, _, lines in LINT_IMPORTS_EDGE.findall(stdout))


def count_tach(stdout: str, stderr: str) -> int | None:
    return sum(1 for line in (stdout + "\n" + stderr).splitlines()
               if line.lstrip().startswith("[FAIL]"))


@dataclass
class Tool:
    """One tool: how to run it in a tree, what cache it keeps there, how to read its report."""

    name: str
    executable: Path | None
    arguments: tuple[str, ...]
    caches: tuple[str, ...]
    counter: Callable[[str, str], int | None]
    package: str
    version: str = ""
    sources: Path | None = None
    digest_start: str = ""

    @property
    def installed(self) -> bool:
        return self.executable is not None

    def argv(self) -> list[str]:
        return [str(self.executable), *self.arguments]

    def count(self, stdout: str, stderr: str) -> int | None:
        return self.counter(stdout, stderr)

    def clear_cache(self, tree: Path) -> None:
        for name in self.caches:
            path = tree / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()


TOOL_SPECS = {
    "archguard": (("check", ".", "--format", "json"), (".archguard_cache",), count_archguard,
                  "archguard"),
    "lint-imports": ((), (".import_linter_cache",), count_lint_imports, "importlinter"),
    "tach": (("check",), (".tach",), count_tach, "tach"),
}


def find_executable(name: str, given: str | None) -> Path | None:
    """``given`` if it is an executable file; else ``name`` next to this interpreter (its
    virtualenv), else on PATH; None when there is none."""
    if given is not None:
        path = Path(given).expanduser()
        if path.is_dir():
            path = path / name
        return path.resolve() if path.is_file() and os.access(path, os.X_OK) else None
    beside = Path(sys.executable).with_name(name)
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def interpreter_of(executable: Path) -> str | None:
    """The Python interpreter named by a console script's ``#!`` line, if any."""
    try:
        with executable.open("rb") as handle:
            first = handle.readline(400).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    parts = shlex.split(first[2:])
    if parts and Path(parts[0]).name == "env":
        parts = parts[1:]
    return parts[0] if parts and "python" in Path(parts[0]).name else None


def sources_digest(folder: Path | None) -> str:
    """A short hash of the Python sources under ``folder``: shows whether a tool's code
    changed while the benchmark ran (an editable install follows its working tree)."""
    if folder is None or not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        try:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0"
                          + path.read_bytes() + b"\0")
        except OSError:
            continue
    return digest.hexdigest()[:12]


def describe(tool: Tool) -> str:
    """``lint-imports 2.17 (grimp 3.20, Python 3.11.7)``, as far as it can be found; sets
    ``tool.sources`` to the folder of the tool's package."""
    assert tool.executable is not None
    text = ""
    try:
        result = subprocess.run([str(tool.executable), "--version"], capture_output=True,
                                text=True, timeout=60, env=ENV)
        lines = (result.stdout or result.stderr).strip().splitlines()
        text = lines[0].strip() if result.returncode == 0 and lines else ""
    except (OSError, subprocess.SubprocessError):
        pass
    extras = []
    interpreter = interpreter_of(tool.executable)
    if interpreter:
        script = ("import os, sys, importlib.metadata as m\n"
                  "try: print('grimp ' + m.version('grimp'))\n"
                  "except Exception: pass\n"
                  "print('Python ' + sys.version.split()[0])\n"
                  "try:\n"
                  f"    import {tool.package} as p\n"
                  "    print('sources=' + os.path.dirname(os.path.abspath(p.__file__)))\n"
                  "except Exception: pass\n")
        try:
            result = subprocess.run([interpreter, "-c", script], capture_output=True,
                                    text=True, timeout=60, env=ENV)
            if result.returncode == 0:
                for line in filter(None, map(str.strip, result.stdout.splitlines())):
                    if line.startswith("sources="):
                        tool.sources = Path(line.removeprefix("sources="))
                    else:
                        extras.append(line)
        except (OSError, subprocess.SubprocessError):
            pass
    text = text or f"{tool.name} (version unknown)"
    return f"{text} ({', '.join(extras)})" if extras else text


def make_tools(names: list[str], paths: dict[str, str | None]) -> list[Tool]:
    tools = []
    for name in names:
        arguments, caches, counter, package = TOOL_SPECS[name]
        tool = Tool(name, find_executable(name, paths.get(name)), arguments, caches, counter,
                    package)
        tool.version = describe(tool) if tool.installed else "not installed"
        tool.digest_start = sources_digest(tool.sources)
        tools.append(tool)
    return tools


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of one tool."""

    tool: str
    state: str
    repetition: int
    wall: float
    rss_kib: int
    returncode: int
    found: int | None
    timed_out: bool = False
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode in (0, 1)


def rss_kib(usage: object) -> int:
    """``ru_maxrss`` in KiB (Linux reports KiB, macOS bytes)."""
    value = int(usage.ru_maxrss)  # type: ignore[attr-defined]
    return value // 1024 if sys.platform == "darwin" else value


def measure(argv: list[str], cwd: Path, logs: Path, timeout: float) -> tuple[
        float, int, int, bool, str, str]:
    """Run ``argv`` in ``cwd``: wall time, peak memory (KiB), exit code, whether it timed
    out, stdout and stderr. The command is started by the ``Launcher``, and its output read
    here from the files it went to."""
    wall, rss, returncode, timed_out = LAUNCHER.measure(argv, cwd, logs, timeout)
    stdout = (logs / "stdout.txt").read_text(encoding="utf-8", errors="replace")
    stderr = (logs / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    return wall, rss, returncode, timed_out, stdout, stderr


def measure_here(argv: list[str], cwd: Path, logs: Path, timeout: float) -> tuple[
        float, int, int, bool]:
    """Run ``argv`` in ``cwd`` from this process: wall time, peak memory of the process
    (KiB), exit code and whether it timed out. The process is reaped with ``wait4``, which
    gives its own resource usage (and that of any children it waited for) with no wrapper
    process in the measured time; its output goes to ``stdout.txt`` and ``stderr.txt`` in
    ``logs``, so nothing has to be read while it runs."""
    logs.mkdir(parents=True, exist_ok=True)
    timed_out = threading.Event()
    with (logs / "stdout.txt").open("wb") as out, (logs / "stderr.txt").open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=err, env=ENV)
        sampler = TreeMemory(process.pid)
        sampler.start()

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            while True:
                try:
                    _, status, usage = os.wait4(process.pid, 0)
                    break
                except InterruptedError:
                    continue
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            timer.cancel()
            sampler.stop()
        wall = time.perf_counter() - started
    returncode = os.waitstatus_to_exitcode(status)
    process.returncode = returncode
    return wall, max(rss_kib(usage), sampler.peak_kib), returncode, timed_out.is_set()


class Launcher:
    """Starts the measured commands from a process forked before the benchmark has read
    any report. Linux counts in a process's peak resident set the peak of the process it
    was forked from, up to its ``exec``: a tool started by a benchmark that has read a
    large report (archguard's JSON for 20,000 violations is 160 MB) would report at least
    that much. The launcher reads nothing, so it stays small; it is forked on first use,
    and ends with the benchmark."""

    def __init__(self) -> None:
        self._connection: Connection | None = None

    def start(self) -> Connection:
        """Fork the launcher, unless it runs already: the sooner, the smaller it is."""
        if self._connection is None:
            context = multiprocessing.get_context("fork")
            ours, theirs = context.Pipe()
            context.Process(target=self._serve, args=(theirs,), daemon=True).start()
            theirs.close()
            self._connection = ours
        return self._connection

    def measure(self, argv: list[str], cwd: Path, logs: Path, timeout: float) -> tuple[
            float, int, int, bool]:
        connection = self.start()
        connection.send((argv, cwd, logs, timeout))
        outcome, value = connection.recv()
        if outcome != "measured":
            raise BenchmarkError(f"could not run {shlex.join(argv)}: {value}")
        return value

    @staticmethod
    def _serve(connection: Connection) -> None:
        while True:
            try:
                argv, cwd, logs, timeout = connection.recv()
            except EOFError:
                return
            try:
                connection.send(("measured", measure_here(argv, cwd, logs, timeout)))
            except Exception as exc:
                connection.send(("failed", f"{type(exc).__name__}: {exc}"))


LAUNCHER = Launcher()


class TreeMemory(threading.Thread):
    """The peak of the summed memory of a process and its descendants, sampled from
    ``/proc``: proportional set sizes, so that the pages a forked process shares with its
    parent are counted once (Linux; elsewhere it stays 0 and ``wait4``'s figure stands
    alone)."""

    INTERVAL = 0.005

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

    def run(self) -> None:
        if not Path(f"/proc/{self.pid}").exists():
            return
        while not self._done.is_set():
            self.peak_kib = max(self.peak_kib, self.sample())
            self._done.wait(self.INTERVAL)

    def sample(self) -> int:
        total, pending = 0, [self.pid]
        while pending:
            pid = pending.pop()
            try:
                total += self._resident_kib(pid)
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                        pending.extend(int(child) for child in children.read().split())
            except (OSError, ValueError, IndexError):
                continue
        return total

    def _resident_kib(self, pid: int) -> int:
        """The process's proportional set size (each page shared with other processes
        counted in part), else its resident set size."""
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * self._page_kib

    def stop(self) -> None:
        self._done.set()
        self.join()


# -- trees ---------------------------------------------------------------------------------------


@dataclass
class Tree:
    """A generated platform and what was planted in it."""

    path: Path
    size: int
    violations: int
    manifest: dict
    changed_file: Path
    runs: list[Run] = field(default_factory=list)
    generation: float = 0.0
    written_at: float = 0.0

    @property
    def planted(self) -> int:
        return len(self.manifest["violations"])

    @property
    def planted_imports(self) -> int:
        return sum(1 for v in self.manifest["violations"] if v["kind"] in ("module", "lazy"))

    def expected(self, tool: str) -> int:
        return self.planted if tool == "archguard" else self.planted_imports


def generate(path: Path, size: int, violations: int, seed: int) -> tuple[dict, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(path), "--files", str(size), "--violations",
         str(violations), "--seed", str(seed), "--force"],
        capture_output=True, text=True, env=ENV)
    if result.returncode != 0:
        raise BenchmarkError(f"generate.py failed for {size} files, {violations} violations: "
                             f"{(result.stderr or result.stdout).strip()}")
    elapsed = time.perf_counter() - started
    return json.loads((path / "manifest.json").read_text(encoding="utf-8")), elapsed


def choose_changed_file(tree: Path) -> Path:
    """A leaf file with module-level imports of other modules' files: the middle one of them
    in path order, so the choice depends only on the tree."""
    candidates = []
    for path in sorted((tree / "app" / "modules").rglob("*.py")):
        if path.name in ("__init__.py", "definition.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^from app\.modules\.\S+ import ", text, re.MULTILINE):
            candidates.append(path)
    if not candidates:
        raise BenchmarkError(f"{tree}: no file with module-level imports to change")
    return candidates[len(candidates) // 2]


class Touched:
    """Appends a harmless line to a file; on exit restores its bytes and modification time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Touched:
        self.original = self.path.read_bytes()
        stat = self.path.stat()
        self.times = (stat.st_atime_ns, stat.st_mtime_ns)
        text = self.original if self.original.endswith(b"\n") else self.original + b"\n"
        self.path.write_bytes(text + TOUCH_LINE.encode())
        return self

    def __exit__(self, *exc: object) -> None:
        self.path.write_bytes(self.original)
        os.utime(self.path, ns=self.times)


# -- the benchmark -------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def time_tool(tool: Tool, folder: Path, label: str, state: str, repetition: int, logs: Path,
              timeout: float) -> Run:
    """One measured run of ``tool`` in ``folder``, reported on stderr under ``label``."""
    wall, rss, returncode, timed_out, stdout, stderr = measure(
        tool.argv(), folder, logs / tool.name, timeout)
    found = tool.count(stdout, stderr) if not timed_out else None
    tail = ""
    if timed_out or returncode not in (0, 1):
        tail = " | ".join((stderr.strip() or stdout.strip()).splitlines()[-3:])[:300]
    run = Run(tool.name, state, repetition, wall, rss, returncode, found, timed_out, tail)
    progress(f"  {label}, run {repetition + 1}, "
             f"{state:<7} {tool.name:<12} {wall:7.3f} s {rss / 1024:7.1f} MB "
             f"exit {returncode} found {found}" + (" (timed out)" if timed_out else ""))
    return run


def run_once(tool: Tool, tree: Tree, state: str, repetition: int, logs: Path,
             timeout: float) -> Run:
    return time_tool(tool, tree.path, f"{tree.size} files, {tree.violations} violations",
                     state, repetition, logs, timeout)


def settle(since: float, seconds: float) -> None:
    """Wait until ``seconds`` have passed since ``since`` (a ``perf_counter`` time)."""
    remaining = seconds - (time.perf_counter() - since)
    if remaining > 0:
        time.sleep(remaining)


def benchmark_tree(tree: Tree, tools: list[Tool], runs: int, logs: Path, timeout: float,
                   settle_seconds: float) -> None:
    installed = [t for t in tools if t.installed]
    settle(tree.written_at, settle_seconds)
    for repetition in range(runs):
        shift = repetition % len(installed) if installed else 0
        order = installed[shift:] + installed[:shift]
        for tool in order:
            tool.clear_cache(tree.path)
        for tool in order:
            tree.runs.append(run_once(tool, tree, "cold", repetition, logs, timeout))
        for tool in order:
            tree.runs.append(run_once(tool, tree, "warm", repetition, logs, timeout))
        settle(time.perf_counter(), settle_seconds)
        with Touched(tree.changed_file):
            for tool in order:
                tree.runs.append(run_once(tool, tree, "changed", repetition, logs, timeout))


# -- the report ----------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def git_revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True, timeout=30)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def cell_time(runs: list[Run]) -> str:
    good = [r.wall for r in runs if r.ok]
    if not runs:
        return "–"
    if not good:
        return "error"
    return f"{median(good):.2f}" + ("*" if len(good) < len(runs) else "")


def cell_memory(runs: list[Run]) -> str:
    good = [r.rss_kib / 1024 for r in runs if r.ok]
    if not runs:
        return "–"
    return f"{median(good):.0f}" if good else "error"


def tool_cells(tool: Tool, runs: list[Run]) -> list[str]:
    """The median time and memory cells of one tool's runs in one state."""
    if not tool.installed:
        return ["not installed", "not installed"]
    return [cell_time(runs), cell_memory(runs)]


def ratio_cell(ours: list[Run], theirs: list[Run], installed: bool) -> str:
    """archguard's median time over a peer's: below 1, archguard is faster."""
    if not installed:
        return "–"
    mine = median([r.wall for r in ours if r.ok])
    peer = median([r.wall for r in theirs if r.ok])
    if mine is None or peer is None or peer == 0:
        return "?"
    return f"{mine / peer:.2f}"


def series_cells(runs: list[Run]) -> list[str]:
    """Every run's wall time, peak memory and exit code, in repetition order."""
    runs = sorted(runs, key=lambda r: r.repetition)
    return [", ".join(f"{r.wall:.3f}" for r in runs),
            ", ".join(f"{r.rss_kib / 1024:.0f}" for r in runs),
            ", ".join(str(r.returncode) for r in runs)]


def cell_found(runs: list[Run]) -> str:
    values = sorted({r.found for r in runs if r.ok and r.found is not None})
    if not values:
        return "?"
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


#: The cells that start the rows of one tree or package (with their alignments in the
#: header: ``("files", "---:")``), and its runs.
Columns = list[tuple[str, str]]
Group = tuple[list[str], list[Run]]


def medians_table(columns: Columns, groups: list[Group], tools: list[Tool],
                  states: dict[str, str]) -> list[str]:
    """A row for each group and state: each tool's median time and memory, archguard's
    time over each peer's, and the violations each tool found."""
    header = [name for name, _ in columns] + ["state"]
    align = [alignment for _, alignment in columns] + ["---"]
    for tool in tools:
        header += [f"{tool.name} s", f"{tool.name} MB"]
        align += ["---:", "---:"]
    archguard = next((t for t in tools if t.name == "archguard"), None)
    peers = [t for t in tools if t.name != "archguard"] if archguard is not None else []
    ours_installed = archguard is not None and archguard.installed
    for peer in peers:
        header.append(f"archguard / {peer.name}")
        align.append("---:")
    header.append("found (" + " / ".join(t.name for t in tools) + ")")
    align.append("---:")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for cells, runs in groups:
        for state, label in states.items():
            row = [*cells, label]
            by_tool = {t.name: [r for r in runs if r.tool == t.name and r.state == state]
                       for t in tools}
            for tool in tools:
                row += tool_cells(tool, by_tool[tool.name])
            for peer in peers:
                row.append(ratio_cell(by_tool["archguard"], by_tool[peer.name],
                                      ours_installed and peer.installed))
            row.append(" / ".join(cell_found(by_tool[t.name]) if t.installed else "–"
                                  for t in tools))
            lines.append("| " + " | ".join(row) + " |")
    return lines


def every_run_table(columns: Columns, groups: list[Group], tools: list[Tool],
                    states: dict[str, str]) -> list[str]:
    """A row for each group, state and tool: every run's time, memory and exit code."""
    header = [name for name, _ in columns] + ["state", "tool", "wall s per run",
                                              "peak MB per run", "exit codes"]
    align = [alignment for _, alignment in columns] + ["---"] * 5
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for cells, runs in groups:
        for state, label in states.items():
            for tool in tools:
                mine = [r for r in runs if r.tool == tool.name and r.state == state]
                if mine:
                    lines.append("| " + " | ".join([*cells, label, tool.name,
                                                    *series_cells(mine)]) + " |")
    return lines


def failure(run: Run) -> str | None:
    """Why a run failed, with the end of what it printed; None when it did not."""
    if run.ok:
        return None
    why = "timed out" if run.timed_out else f"exit code {run.returncode}"
    return f"{why}: {run.stderr_tail or 'no output'}"


def table(trees: list[Tree], tools: list[Tool]) -> list[str]:
    return medians_table(
        [("files", "---:"), ("planted (imports)", "---:")],
        [([f"{tree.size:,}", f"{tree.planted} ({tree.planted_imports})"], tree.runs)
         for tree in trees], tools, STATE_LABELS)


def mismatches(trees: list[Tree], tools: list[Tool]) -> list[str]:
    notes = []
    for tree in trees:
        for tool in tools:
            if not tool.installed:
                continue
            expected = tree.expected(tool.name)
            for run in tree.runs:
                if run.tool != tool.name:
                    continue
                where = (f"- {tree.size:,} files, {tree.violations} violations, "
                         f"{STATE_LABELS[run.state]}, run {run.repetition + 1}: {tool.name}")
                if not run.ok:
                    notes.append(f"{where} {failure(run)}")
                elif run.found is not None and run.found != expected:
                    notes.append(f"{where} reported {run.found}, {expected} planted")
    return notes


def raw_runs(trees: list[Tree], tools: list[Tool]) -> list[str]:
    return every_run_table(
        [("files", "---:"), ("planted", "---:")],
        [([f"{tree.size:,}", str(tree.planted)], tree.runs) for tree in trees], tools,
        STATE_LABELS)


def environment_lines(tools: list[Tool], command: str, started: datetime.datetime,
                      load_start: str, elapsed: float, *facts: str) -> list[str]:
    """The facts a reader needs to weigh the numbers, as a Markdown list: command, date,
    machine, load, the runner, each tool's version and sources, then ``facts``; after it, a
    warning in bold when a tool's sources changed while the benchmark ran."""
    tool_lines, moved = [], []
    for tool in tools:
        line = f"- {tool.name}: {tool.version}"
        if tool.installed:
            line += f" — `{tool.executable}`"
        if tool.digest_start:
            digest_end = sources_digest(tool.sources)
            line += f"; sources `{tool.sources}`, sha256 {tool.digest_start}"
            if digest_end != tool.digest_start:
                line += f" at the start, {digest_end or 'gone'} at the end"
                moved.append(tool.name)
        tool_lines.append(line)
    warning = []
    if moved:
        warning = [f"**The sources of {' and '.join(moved)} changed while the benchmark ran: "
                   "runs before and after the change measured different code.**", ""]
    return [
        f"- Command: `{command}`",
        f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}, {elapsed / 60:.1f} min in all",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores ({usable_cores()} usable), "
        f"{memory_total()} memory, {platform.system()} {platform.release()}",
        f"- Load average (1 / 5 / 15 min): {load_start} at the start, {load_average()} at "
        "the end (the machine may be shared)",
        f"- Runner: Python {platform.python_version()}; archguard repository at "
        f"{git_revision()}",
        *tool_lines,
        *(f"- {fact}" for fact in facts),
        "",
        *warning,
    ]


def report(trees: list[Tree], tools: list[Tool], args: argparse.Namespace, command: str,
           started: datetime.datetime, load_start: str, elapsed: float) -> str:
    out = [
        "# Benchmark: archguard, lint-imports and tach",
        "",
        "Written by `benchmarks/run.py`; do not edit by hand. How to run it: "
        "[README.md](README.md).",
        "",
        *environment_lines(tools, command, started, load_start, elapsed,
                           f"Runs: {args.runs} of each tool in each state; generator seed "
                           f"{args.seed}"),
        "Each row is one generated platform (`generate.py --files N --violations V --seed "
        f"{args.seed}`) in one state. *cold*: the tool's cache removed; *warm, unchanged*: "
        "run again on the cache the cold run left; *warm, 1 file changed*: a line appended "
        f"to one file with imports, {args.settle:g} s after the last run. Times are "
        "median wall seconds of the whole command, start-up included; memory is the median "
        "peak memory, in MB of 1,024 KiB: the larger of the tool process's peak resident "
        "set and the peak of the proportional set sizes of it and the processes it started, "
        "summed. *archguard / peer* is "
        "the ratio of median times: below 1, archguard is faster. *planted (imports)*: "
        "planted violations, and how many of them are imports (module-level or lazy) rather "
        "than `relationship(\"...\")` strings; *found*: violations each tool reported "
        "(archguard should report all of them, lint-imports and tach the imports). A time "
        "marked * leaves out runs that failed.",
        "",
        *table(trees, tools),
        "",
    ]
    notes = mismatches(trees, tools)
    if notes:
        out += ["## Runs that failed or disagreed with the manifest", "", *notes, ""]
    out += ["## Platforms", "",
            "| files | planted | modules | lines | imports | generated in s | changed file |",
            "|---:|---:|---:|---:|---:|---:|---|"]
    for tree in trees:
        counts = tree.manifest["counts"]
        out.append(f"| {tree.size:,} | {tree.planted} | {counts['modules']} | "
                   f"{counts['lines']:,} | {counts['imports']:,} | {tree.generation:.1f} | "
                   f"`{tree.changed_file.relative_to(tree.path).as_posix()}` |")
    out += ["", "## Every run", "", *raw_runs(trees, tools), ""]
    return "\n".join(out)


def section_markers(owner: str) -> tuple[str, str]:
    return (f"<!-- {owner}: begin, written by benchmarks/{owner} -->",
            f"<!-- {owner}: end -->")


def write_section(path: Path, owner: str, text: str) -> None:
    """Put ``text`` in the file at ``path`` as ``owner``'s section, between its markers:
    in place of the section it had, else at the end. Several scripts write one results
    file, each its own section, and the others' stay as they are. The file is replaced
    atomically."""
    begin, end = section_markers(owner)
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start = old.find(begin)
    stop = old.find(end, start) if start >= 0 else -1
    if start >= 0 and stop >= 0:
        new = old[:start] + block + old[stop + len(end):].lstrip("\n")
    else:
        new = old.rstrip() + ("\n\n" if old.strip() else "") + block
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(new, encoding="utf-8")
    os.replace(temporary, path)


# -- command line --------------------------------------------------------------------------------


def command_line(script: str, arguments: list[str]) -> str:
    """How the benchmark was started, with its script relative to the working folder
    (``script`` when it is not below it)."""
    with contextlib.suppress(ValueError):
        script = Path(sys.argv[0]).resolve().relative_to(Path.cwd().resolve()).as_posix()
    return shlex.join(["python", script, *arguments])


def int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of integers: {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("empty list")
    return values


def tool_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in TOOL_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"tools are a comma-separated list of {', '.join(TOOL_NAMES)}; got {text!r}")
    return list(dict.fromkeys(names))


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark script takes: repetitions, the tools, where the results
    go, the time-out of a run."""
    parser.add_argument("--runs", type=int, default=5,
                        help="repetitions of each state (default 5)")
    parser.add_argument("--tools", type=tool_list, default=list(TOOL_NAMES),
                        help="tools to run (default archguard,lint-imports,tach)")
    parser.add_argument("--archguard", metavar="PATH", default=None,
                        help="archguard executable (default: next to this Python, else PATH)")
    parser.add_argument("--lint-imports", dest="lint_imports", metavar="PATH", default=None,
                        help="lint-imports executable (default: next to this Python, "
                             "else PATH)")
    parser.add_argument("--tach", metavar="PATH", default=None,
                        help="tach executable (default: next to this Python, else PATH)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="Markdown file to write (default benchmarks/RESULTS.md)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before one run is killed (default 1800)")


def check_common_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.settle < 0:
        parser.error("--settle must not be negative")


def tool_paths(args: argparse.Namespace) -> dict[str, str | None]:
    return {"archguard": args.archguard, "lint-imports": args.lint_imports, "tach": args.tach}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time archguard, lint-imports and tach (cold, warm, one file changed) "
                    "on platforms written by benchmarks/generate.py, and write a Markdown "
                    "table.")
    parser.add_argument("--sizes", type=int_list, default=int_list(DEFAULT_SIZES),
                        help=f"Python files per platform (default {DEFAULT_SIZES})")
    parser.add_argument("--violations", type=int_list, default=int_list(DEFAULT_VIOLATIONS),
                        help=f"planted violations per platform (default {DEFAULT_VIOLATIONS})")
    add_common_arguments(parser)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to generate the platforms (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated platforms (with the tools' caches)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--settle", type=float, default=DEFAULT_SETTLE,
                        help="seconds between generating a tree or the last run and the next "
                             "cold run or file change (default 3)")
    args = parser.parse_args(argv)
    check_common_arguments(parser, args)
    if any(v < 0 for v in args.violations):
        parser.error("--violations must not be negative")
    return args


def announce(tools: list[Tool]) -> None:
    for tool in tools:
        progress(f"{tool.name}: {tool.version}"
                 + (f" ({tool.executable})" if tool.installed else ""))


def working_folder(given: Path | None, prefix: str) -> tuple[Path, bool]:
    """``given``, made if missing, else a new temporary folder; and whether it is new."""
    if given is None:
        return Path(tempfile.mkdtemp(prefix=prefix)), True
    folder = given.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder, False


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = parse_args(raw)
    LAUNCHER.start()
    started_at = datetime.datetime.now(datetime.UTC)
    started, load_start = time.perf_counter(), load_average()
    command = command_line("benchmarks/run.py", raw)
    tools = make_tools(args.tools, tool_paths(args))
    announce(tools)
    workdir, created_workdir = working_folder(args.workdir, "archguard-bench-")
    logs = workdir / "_logs"
    trees: list[Tree] = []
    made: list[Path] = []
    try:
        for size in args.sizes:
            for violations in args.violations:
                path = workdir / f"files-{size}-violations-{violations}"
                made.append(path)
                progress(f"generating {size} files, {violations} violations in {path}")
                manifest, generation = generate(path, size, violations, args.seed)
                tree = Tree(path, size, violations, manifest, choose_changed_file(path),
                            generation=generation, written_at=time.perf_counter())
                progress(f"  changed file: {tree.changed_file.relative_to(path).as_posix()}")
                benchmark_tree(tree, tools, args.runs, logs, args.timeout, args.settle)
                trees.append(tree)
                if not args.keep:
                    shutil.rmtree(path, ignore_errors=True)
    except BenchmarkError as exc:
        print(f"run.py: error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(logs, ignore_errors=True)
        if not args.keep:
            for path in made:
                shutil.rmtree(path, ignore_errors=True)
            if created_workdir:
                shutil.rmtree(workdir, ignore_errors=True)

    text = report(trees, tools, args, command, started_at, load_start,
                  time.perf_counter() - started)
    print(text)
    write_section(args.out, "run.py", text)
    progress(f"written: {args.out}")
    return 1 if any(not run.ok for tree in trees for run in tree.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
