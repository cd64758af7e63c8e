"""Shell completion, through the shells' own completion protocol: bash itself, given the
script ``--show-completion`` prints, and the zsh and fish protocols those scripts speak.
Commands, options, the project's module names and explain's ids complete; a project that
cannot be read completes nothing, without a word on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import BEFORE, RULES

BIN = str(Path(sys.executable).parent)
RULES_FROM_BEFORE = os.path.relpath(RULES, BEFORE)


def _bash(words: list[str], cwd: Path = BEFORE) -> list[str]:
    """What bash offers for the last of ``words`` (the word being completed)."""
    script = ('source <(archguard --show-completion bash)\n'
              f'COMP_WORDS=({" ".join(repr(w) for w in words)})\n'
              f'COMP_CWORD={len(words) - 1}\n'
              '_archguard_completion archguard\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def _protocol(shell: str, line: str, cwd: Path = BEFORE) -> str:
    env = {**os.environ, "_ARCHGUARD_COMPLETE": f"complete_{shell}",
           "_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = subprocess.run([f"{BIN}/archguard"], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completes_commands_and_options():
    assert _bash(["archguard", "si"]) == ["simulate"]
    assert set(_bash(["archguard", "graph", "--f"])) == {"--format"}
    assert "--without" in _bash(["archguard", "simulate", "--w"])


def test_bash_completes_the_projects_module_names_from_its_configuration():
    offered = _bash(["archguard", "simulate", "--config", RULES_FROM_BEFORE, "--without",
                     "ma"])
    assert offered == ["marketplace"]
    everything = _bash(["archguard", "graph", "--config", RULES_FROM_BEFORE, "--module", ""])
    assert {"tenancy", "marketplace", "dev_tools", "dev-tools"} <= set(everything)


def test_bash_completes_what_explain_documents():
    assert _bash(["archguard", "explain", "missing-i"]) == ["missing-init"]


def test_a_project_that_cannot_be_read_completes_no_module(tmp_path):
    (tmp_path / "archguard.yaml").write_text("version: [\n")
    assert _bash(["archguard", "simulate", "--without", ""], cwd=tmp_path) == []


def test_zsh_and_fish_get_the_same_module_names():
    line = f"archguard simulate --config {RULES_FROM_BEFORE} --without mar"
    assert "marketplace" in _protocol("zsh", line)
    assert "marketplace" in _protocol("fish", line)
    for shell in ("bash", "zsh", "fish"):
        done = subprocess.run([f"{BIN}/archguard", "--show-completion", shell],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "_ARCHGUARD_COMPLETE" in done.stdout, done.stderr
