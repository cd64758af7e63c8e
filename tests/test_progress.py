"""Progress of long runs, through a real pseudo-terminal and through a pipe: ``simulate
--run``'s bar on a terminal and its line a finished scenario on a pipe; a long ``check``'s
phase on a terminal only, gone before its report, while it still forks its readers."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from archguard.adapters import concurrency
from archguard.application import project as project_module
from archguard.application import reading
from archguard.application.check import run_check
from archguard.cli import progress
from archguard.cli.progress import CheckSpinner
from archguard.config import load_config
from tests.bad_input.support import CONFIG, project
from tests.terminal_support import shown_on

ARCHGUARD = str(Path(sys.executable).with_name("archguard"))
ARGS = ("simulate", "--without", "extras", "--matrix", "--run")
GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
#: archguard with the phase of a check shown however soon the check ends.
SHOWN_AT_ONCE = [sys.executable, "-c", "from archguard.cli import progress; "
                 "progress.SHOW_AFTER = 0; from archguard.cli.main import run; run()"]


def through_a_terminal(command: list[str], cwd: Path, stdout, **env: str) -> tuple[str, int]:
    """``command`` run with a pseudo-terminal as standard error (and ``stdout`` as
    standard output): what the terminal showed, and the exit code."""
    master, terminal = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment.update(TERM="xterm-256color", COLUMNS="100", **env)
    running = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=terminal,
                               env=environment)
    os.close(terminal)
    shown = shown_on(master, running)
    return shown.decode("utf-8", errors="replace"), running.wait(timeout=120)


def test_on_a_pipe_each_finished_scenario_is_one_line(tmp_path):
    root = project(tmp_path / "project")
    done = subprocess.run([ARCHGUARD, *ARGS], cwd=root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert [re.fullmatch(r"archguard: scenario (\d) of 2, without extras: predicted runs, "
                         r"observed runs \(\d+\.\d s\)", line)[1] for line in lines] == ["1", "2"]
    assert "\x1b" not in done.stderr


def test_on_a_terminal_a_bar_counts_the_scenarios_and_says_what_runs(tmp_path):
    root = project(tmp_path / "project")
    report = tmp_path / "report.txt"
    with report.open("wb") as stdout:
        text, code = through_a_terminal([ARCHGUARD, *ARGS], root, stdout)
    assert code == 0, report.read_text()
    assert "scenario" in text and "0/2" in text and "2/2" in text
    assert "without extras" in text
    assert "archguard: scenario" not in text  # the lines are for logs, not for a terminal
    assert "2 scenarios: 2 run" in report.read_text()


def generated(root: Path) -> Path:
    """A generated 300-file platform with 12 planted violations, in ``root``, its files
    dated a minute back: old enough for the caches to vouch for them."""
    subprocess.run([sys.executable, str(GENERATOR), str(root), "--files", "300",
                    "--violations", "12", "--seed", "5"], check=True, capture_output=True,
                   timeout=120)
    past = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return root


def cold_check(command: list[str], root: Path, report: Path, **env: str) -> tuple[str, int]:
    """A check of ``root`` without its caches, its report written to ``report``, with a
    terminal as standard error: what the terminal showed, and the exit code."""
    shutil.rmtree(root / reading.CACHE_DIR, ignore_errors=True)
    with report.open("wb") as stdout:
        return through_a_terminal([*command, "check", "."], root, stdout, **env)


def test_on_a_terminal_a_check_shows_each_phase_then_only_its_report(tmp_path):
    root = generated(tmp_path / "platform")
    text, code = cold_check(SHOWN_AT_ONCE, root, tmp_path / "report.txt")
    assert code == 1, text
    assert "building the import graph (300 files)" in text
    assert "judging imports" in text
    assert re.search(r"reading \d+ files for their uses", text)
    assert "reading string references" in text
    assert re.search(r"\d+\.\d s", text)  # the time since the check started
    assert text.endswith("\x1b[2K")  # erased when the check ends
    shutil.rmtree(root / reading.CACHE_DIR)
    piped = subprocess.run([ARCHGUARD, "check", "."], cwd=root, capture_output=True,
                           timeout=120, env={**os.environ, "COLUMNS": "100"})
    assert (tmp_path / "report.txt").read_bytes() == piped.stdout
    assert piped.stderr == b""


def test_on_a_pipe_or_in_ci_a_check_shows_no_phase(tmp_path):
    root = generated(tmp_path / "platform")
    text, code = cold_check(SHOWN_AT_ONCE, root, tmp_path / "report.txt", CI="true")
    assert (text, code) == ("", 1)
    shutil.rmtree(root / reading.CACHE_DIR)
    piped = subprocess.run([*SHOWN_AT_ONCE, "check", "."], cwd=root, capture_output=True,
                           timeout=120)
    assert piped.returncode == 1
    assert piped.stderr == b""


def test_on_a_terminal_a_check_that_ends_soon_shows_nothing(tmp_path):
    root = generated(tmp_path / "platform")
    report = tmp_path / "report.txt"
    assert cold_check([ARCHGUARD], root, report)[1] == 1
    with report.open("wb") as stdout:  # answered from the cache
        assert through_a_terminal([ARCHGUARD, "check", "."], root, stdout) == ("", 1)


def test_a_phase_is_shown_once_the_check_has_run_a_while_or_at_once_when_it_reads_much(
        monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 60)
    shown = io.StringIO()
    spinner = CheckSpinner(_terminal(shown))
    spinner.phase("judging imports")
    spinner.phase("reading 40 files for their uses", files=40)
    spinner.tick()
    assert shown.getvalue() == ""
    spinner.phase("building the import graph", files=progress.SHOW_AT_ONCE_FROM)
    assert "building the import graph" in shown.getvalue()
    monkeypatch.setattr(progress, "SHOW_AFTER", 0)
    spinner.phase("judging imports")
    assert "judging imports" in shown.getvalue()
    spinner.stop()
    assert spinner.bar is None


def test_a_check_forks_its_readers_while_its_phase_is_shown(tmp_path, monkeypatch):
    """The phase is drawn from the check's own calls, by no thread: the strings and the
    violating files are still read in forked processes, and the result is the same."""
    files = {f"app/modules/shop/part{n}.py": (
        "from app.modules.extras.gift import price\n\n\n"
        f"def total{n}():\n    return price()\n") for n in range(4)}
    files["archguard.yaml"] = CONFIG
    root = project(tmp_path / "project", **files)
    architecture = load_config(root / "archguard.yaml")
    alone = run_check(root, architecture, use_cache=False)
    monkeypatch.setattr(reading, "SIDE_BY_SIDE_FROM", 1)
    monkeypatch.setattr(project_module, "USES_SIDE_BY_SIDE_FROM", 2)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0)
    forks: list[bool] = []  # for each fork, whether a phase was shown then
    fork = concurrency.os.fork
    monkeypatch.setattr(concurrency.os, "fork",
                        lambda: forks.append(watched.bar is not None) or fork())
    seen: list[tuple[str, bool, int]] = []

    class Watched(CheckSpinner):
        def phase(self, text: str, files: int = 0) -> None:
            super().phase(text, files)
            seen.append((text, self.bar is not None, threading.active_count()))

    shown = io.StringIO()
    watched = Watched(_terminal(shown))
    try:
        together = run_check(root, architecture, use_cache=False, progress=watched)
    finally:
        watched.stop()
    # The strings are read from the start; the violating files once their phase is shown.
    assert forks == [False, True]
    assert [text for text, _, _ in seen] == [
        "building the import graph (11 files)", "judging imports",
        "reading 4 files for their uses", "reading string references"]
    assert all(drawn and threads == 1 for _, drawn, threads in seen)
    assert "reading 4 files for their uses" in shown.getvalue()
    assert together == alone


def _terminal(file: io.StringIO):
    """A console that draws on ``file`` as on a terminal."""
    from rich.console import Console

    return Console(file=file, force_terminal=True, width=100)
