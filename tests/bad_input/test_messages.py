"""Input that once ended in an internal error or a run that could never succeed again: a
cache or a baseline nested past the JSON parser's stack, a write past the file size limit,
a baseline asked for when the run fails. Each is a message naming the file, with its exit
code, or (for the caches) a cache rebuilt without a word."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .support import CONFIG, archguard, assert_refused, project

NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("name", ["result.json", "statements.json", "strings.json",
                                  "imports.json"])
def test_a_cache_file_nested_past_the_parsers_stack_is_rebuilt(tmp_path, name):
    root = project(tmp_path)
    first = archguard("check", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    cache = root / ".archguard_cache"
    (cache / name).write_text(NESTED)
    if name != "result.json":
        (cache / "result.json").unlink()  # else the kept result answers, and nothing is read
    for _ in range(2):
        done = archguard("check", cwd=root)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "Traceback" not in output
        assert "internal error" not in output.lower()


def test_a_baseline_nested_past_the_parsers_stack_names_the_file(tmp_path):
    root = project(tmp_path)
    (root / "old.json").write_text(NESTED)
    done = archguard("check", "--no-cache", "--baseline", "old.json", cwd=root)
    assert_refused(done, 2, "old.json", 1)


@pytest.mark.parametrize("args", [("app/servce.py",), ("app/main.py", "app/servce.py")])
def test_files_that_do_not_exist_are_named(tmp_path, args):
    root = project(tmp_path)
    done = archguard("check", ".", *args, "--no-cache", cwd=root)
    output = assert_refused(done, 2, "app/servce.py")
    assert "no such file: app/servce.py" in output


def test_a_write_past_the_file_size_limit_names_the_file_and_keeps_the_old_one(tmp_path):
    root = project(tmp_path, app__modules__shop__service="import app.modules.extras.gift\n")
    (root / "out.json").write_text("old\n")
    script = (f"trap '' XFSZ; ulimit -f 1; exec {sys.executable} -m archguard check "
              "--no-cache --output out.json --format json")
    done = subprocess.run(["sh", "-c", script], cwd=root, capture_output=True, text=True,
                          timeout=120)
    output = assert_refused(done, 2, "out.json")
    assert "cannot write out.json: File too large" in output
    assert (root / "out.json").read_text() == "old\n"
    assert [p.name for p in root.iterdir() if "archguard-tmp" in p.name] == []


def test_no_baseline_is_written_when_the_configuration_is_broken(tmp_path):
    root = project(tmp_path, **{"archguard.yaml": CONFIG.replace("category: core}",
                                                                 "category: kore}", 1)})
    done = archguard("baseline", cwd=root)
    assert_refused(done, 2, "archguard.yaml", 6)
    assert not (root / "archguard-baseline.json").exists()


def test_a_baseline_of_a_clean_project_reads_back(tmp_path):
    root = project(tmp_path)
    written = archguard("baseline", cwd=root)
    assert written.returncode == 0, written.stderr
    assert json.loads((root / "archguard-baseline.json").read_text())["violations"] == []
