"""A reader that stops reading (``archguard check | head``) ends the command quietly, with
the exit code a shell gives a process that SIGPIPE ended (141), whatever wrote the output."""

from __future__ import annotations

import subprocess
import sys

from .conftest import BEFORE, RULES


def test_a_closed_pipe_ends_the_report_without_an_error():
    process = subprocess.Popen(
        [sys.executable, "-m", "archguard", "check", str(BEFORE), "--config", str(RULES),
         "--no-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes before the report is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert stderr == ""


def test_a_closed_pipe_ends_plain_output_the_same_way(tmp_path):
    (tmp_path / "shop" / "cart").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "cart" / "__init__.py").write_text("")
    process = subprocess.Popen([sys.executable, "-m", "archguard", "init", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert stderr == ""
    # What was to be written is written all the same: the output only says what it was.
    assert (tmp_path / "archguard.yaml").is_file()
