"""Reports on a real terminal 80 columns wide (a pseudo-terminal whose window size says so,
no COLUMNS): every line fits, every ``path:line`` is whole on one line, no cell is cut
short with an ellipsis, and no name is broken inside a word.

Run on the reference platform: ``check`` (27 violations), ``simulate --without
marketplace`` (crashes, runtime failures) and ``simulate --matrix``."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest
from rich.cells import cell_len

from .conftest import BEFORE, RULES
from .terminal_support import shown_on

pytestmark = pytest.mark.platform

WIDTH = 80
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def on_a_terminal(*args: str) -> list[str]:
    """The lines archguard shows on a terminal of :data:`WIDTH` columns."""
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, WIDTH, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "CI")}
    running = subprocess.Popen([sys.executable, "-m", "archguard", *args], cwd=BEFORE,
                               stdin=terminal, stdout=terminal, stderr=terminal,
                               env={**environment, "TERM": "xterm-256color"})
    os.close(terminal)
    shown = shown_on(master, running)
    running.wait(timeout=120)
    text = ANSI.sub("", shown.decode("utf-8")).replace("\r\n", "\n")
    return [line.rstrip() for line in text.split("\n")]


def as_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "archguard", *args, "--format", "json"],
                          cwd=BEFORE, capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)


def no_name_broken(lines: list[str], source: str) -> None:
    """No two lines of a table cell split a name of ``source``: where a cell's line ends in
    a letter or digit and its next line goes on with one, the two together are no name."""
    rows = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    for upper, lower in itertools.pairwise(rows):
        if len(upper) != len(lower):
            continue
        for first, second in zip(upper, lower, strict=True):
            above, below = first.strip(), second.strip()
            if above and below and above[-1].isalnum() and below[0].isalnum():
                joined = above.split()[-1] + below.split()[0]
                # Numbers of two rows, one above the other, are no word cut in two.
                if not joined.isdigit():
                    assert joined not in source, (above, below)


def fits(lines: list[str]) -> None:
    assert all(cell_len(line) <= WIDTH for line in lines), max(lines, key=cell_len)
    assert not [line for line in lines if "…" in line and "more (--format json" not in line]


def test_check_at_80_columns():
    lines = on_a_terminal("check", "--config", str(RULES), "--no-cache")
    fits(lines)
    report = as_json("check", "--config", str(RULES), "--no-cache")
    assert len(report["violations"]) == 27
    for violation in report["violations"]:
        assert f"{violation['file']}:{violation['line']}" in lines
    no_name_broken(lines, json.dumps(report))


def test_simulate_at_80_columns():
    args = ("simulate", "--config", str(RULES), "--without", "marketplace")
    lines = on_a_terminal(*args)
    fits(lines)
    report = as_json(*args)
    (scenario,) = report["scenarios"]
    crashes = scenario["predicted"]["crashes"]
    failures = scenario["predicted"]["runtime_failures"]
    assert crashes and failures
    shown = "\n".join(lines)
    for crash in crashes[:15]:
        assert re.search(rf"(^|│ ){re.escape(crash['file'])}:{crash['line']}\b", shown, re.M)
    for failure in failures[:15]:
        assert f"{failure['file']}:{failure['line']}" in lines
    no_name_broken(lines, json.dumps(report))


def test_the_removal_matrix_at_80_columns():
    args = ("simulate", "--config", str(RULES), "--matrix")
    lines = on_a_terminal(*args)
    fits(lines)
    report = as_json(*args)
    for scenario in report["scenarios"]:
        first = next((c for c in scenario["predicted"]["crashes"] if c["first"]), None)
        if first is not None:
            assert any(line.endswith(f": {first['file']}:{first['line']}") for line in lines)
    no_name_broken(lines, json.dumps(report))
