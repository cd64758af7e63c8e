"""A smoke command's timeout holds: a process it leaves behind in a session of its own
(``setsid``), still holding the output pipe, neither stretches the run nor outlives it,
with isolation or without (``ARCHGUARD_ISOLATION=none``); output is kept to its head and
tail however much is printed; a command that does not exist says so. Timeouts that are not
a positive finite number, and commands that are empty or leave a quote open, are refused:
in the configuration with their line, on the command line as usage errors."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .support import (
    CONFIG,
    SMOKE,
    archguard,
    assert_refused,
    project,
    running,
    simulate_run,
    with_smoke,
)

VIOLATIONS = 1
USAGE_ERROR = 2
#: The line of the smoke command in the project's configuration.
SMOKE_LINE = CONFIG.splitlines().index(SMOKE.rstrip("\n")) + 1


def marker() -> str:
    """A unique argument for ``sleep``, to find what a run left behind."""
    return f"86400.{uuid.uuid4().int % 10**9}"


ISOLATIONS = pytest.mark.parametrize("isolation", ["auto", "none"])


@ISOLATIONS
def test_a_session_left_behind_does_not_hold_the_run(tmp_path, monkeypatch, isolation):
    monkeypatch.setenv("ARCHGUARD_ISOLATION", isolation)
    root = project(tmp_path)
    shell, python = marker(), marker()
    spawn = (f"import subprocess; subprocess.Popen(['sleep', '{python}'], "
             "start_new_session=True)")
    with_smoke(root, [("shell", f"sh -c 'setsid sleep {shell} & sleep 1'", 2),
                      ("python", f"python -c {shlex.quote(spawn)}", 2)])
    data, _, seconds, code = simulate_run(root)
    assert running(shell) == [] and running(python) == []
    commands = {c["name"]: c for c in data["scenarios"][0]["observed"]["commands"]}
    assert commands["shell"]["exit_code"] == 0 and commands["python"]["exit_code"] == 0
    assert commands["shell"]["seconds"] < 1 + 2 and commands["python"]["seconds"] < 2
    assert seconds < 2 + 2 + 2 + 2
    assert code == 0


@ISOLATIONS
def test_the_timeout_kills_the_whole_tree(tmp_path, monkeypatch, isolation):
    monkeypatch.setenv("ARCHGUARD_ISOLATION", isolation)
    root = project(tmp_path)
    detached, killer, forked = marker(), marker(), marker()
    script = (f"import os, time\nMARKER = '{forked}'\nif os.fork() == 0:\n    os.setsid()\n"
              "    time.sleep(600)\ntime.sleep(600)\n")
    with_smoke(root, [
        ("detached", f"sh -c 'setsid sleep {detached} & sleep infinity'", 2),
        ("kills-parent", f"sh -c 'setsid sleep {killer} & kill -9 $PPID; sleep 600'", 2),
        ("forks", f"python -c {shlex.quote(script)}", 2),
    ])
    data, _, seconds, code = simulate_run(root)
    assert running(detached) == [] and running(killer) == [] and running(forked) == []
    observed = data["scenarios"][0]["observed"]
    for command in observed["commands"][1:]:
        assert command["timed_out"] is True and command["exit_code"] is None, command
        assert command["seconds"] < 2 + 2, command
    assert {f["smoke"]: f["error"] for f in observed["failures"]} == {
        "detached": "timed out", "kills-parent": "timed out", "forks": "timed out"}
    assert seconds < 3 * (2 + 2)
    assert code == VIOLATIONS


def test_a_gigabyte_of_output_is_kept_to_its_head_and_tail(tmp_path):
    root = project(tmp_path)
    script = ("import sys\nblock = 'x' * (1 << 20)\nfor _ in range(1024):\n"
              "    sys.stdout.write(block)\nprint(flush=True)\n"
              "raise RuntimeError('the last words')\n")
    with_smoke(root, [("loud", f"python -c {shlex.quote(script)}", 120)])
    # The peak memory of archguard, measured by a parent of its own.
    measure = ("import json, resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "print(json.dumps({'peak_kb': peak, 'stdout': done.stdout}))\n")
    done = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "archguard", "simulate", "-w",
         "extras", "--run", "--format", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    report = json.loads(done.stdout)
    observed = json.loads(report["stdout"])["scenarios"][0]["observed"]
    loud = observed["commands"][1]
    kept = 2 * (1 << 20)  # the first and the last megabyte
    assert 0 < loud["output_cut"] - (1024 * (1 << 20) - kept) < 1000  # the traceback's length
    assert [f["error"] for f in observed["failures"]] == ["RuntimeError: the last words"]
    assert report["peak_kb"] < 200 * 1024, report["peak_kb"]


def test_a_command_that_does_not_exist_says_so(tmp_path):
    root = project(tmp_path)
    with_smoke(root, [("missing", "no-such-command-here --help", 10)])
    data, _, _, code = simulate_run(root)
    observed = data["scenarios"][0]["observed"]
    assert observed["commands"][1]["error"] == "command not found: no-such-command-here"
    assert observed["failures"][0]["error"] == "command not found: no-such-command-here"
    assert code == VIOLATIONS
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert "command not found: no-such-command-here" in done.stdout
    assert "exit code None" not in done.stdout


@pytest.mark.parametrize("value", ["0", ".nan", ".inf", "-1", "-.inf"])
@pytest.mark.parametrize("where", ["smoke", "runtime"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(tmp_path, value, where):
    if where == "smoke":
        config = CONFIG.replace("timeout: 20}", f"timeout: {value}}}")
        line = SMOKE_LINE
    else:
        config = CONFIG.replace("  smoke:\n", f"  timeout: {value}\n  smoke:\n")
        line = config.splitlines().index(f"  timeout: {value}") + 1
    root = project(tmp_path, **{"archguard.yaml": config})
    done = archguard("simulate", "-w", "extras", cwd=root)
    output = assert_refused(done, USAGE_ERROR, "archguard.yaml", line)
    assert "timeout" in output


@pytest.mark.parametrize("command", ["", "   ", "python -c 'unbalanced", 'say "hi', "ends in \\"])
def test_a_command_that_is_not_one_is_refused_in_the_configuration(tmp_path, command):
    root = project(tmp_path)
    with_smoke(root, [("broken", command, 10)])
    done = archguard("simulate", "-w", "extras", cwd=root)
    output = assert_refused(done, USAGE_ERROR, "archguard.yaml", SMOKE_LINE)
    assert "runtime.smoke[0].command" in output and "is not a command" in output


@pytest.mark.parametrize(("command", "said"), [
    ("", "empty command"), ("unbalanced 'quote", "no closing quotation"),
    ("ends in \\", "no escaped character")])
def test_a_smoke_option_that_is_not_a_command_is_a_usage_error(tmp_path, command, said):
    root = project(tmp_path)
    done = archguard("simulate", "-w", "extras", "--run", "--smoke", command, cwd=root)
    output = assert_refused(done, USAGE_ERROR, "--smoke")
    assert said in output


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_timeout_option_that_is_not_finite_is_a_usage_error(tmp_path, value):
    root = project(tmp_path)
    done = archguard("simulate", "-w", "extras", "--run", "--timeout", value, cwd=root)
    assert_refused(done, USAGE_ERROR, f"--timeout {value}")


@given(st.text(alphabet="ab \t\n'\"\\#$", max_size=12))
def test_the_configuration_takes_exactly_the_commands_a_shell_splits(text):
    from archguard.config.format import COMMAND

    try:
        splits = bool(shlex.split(text))
    except ValueError:
        splits = False
    assert bool(re.fullmatch(COMMAND, text)) == splits
