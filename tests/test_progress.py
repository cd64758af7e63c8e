"""Progress of ``simulate --run``: a progress bar on a terminal (through a real
pseudo-terminal), one line a finished scenario on a pipe, nothing more."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

from tests.bad_input.support import project

ARCHGUARD = str(Path(sys.executable).with_name("archguard"))
ARGS = ("simulate", "--without", "extras", "--matrix", "--run")


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
    master, terminal = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(TERM="xterm-256color", COLUMNS="100")
    running = subprocess.Popen([ARCHGUARD, *ARGS], cwd=root, stdout=subprocess.PIPE,
                               stderr=terminal, env=env)
    os.close(terminal)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is closed once the run ends
                break
            if not chunk:
                break
            shown += chunk
        elif running.poll() is not None:
            break
    report = running.stdout.read().decode() if running.stdout else ""
    assert running.wait(timeout=120) == 0, report
    text = shown.decode("utf-8", errors="replace")
    assert "scenario" in text and "0/2" in text and "2/2" in text
    assert "without extras" in text
    assert "archguard: scenario" not in text  # the lines are for logs, not for a terminal
    assert "2 scenarios: 2 run" in report
