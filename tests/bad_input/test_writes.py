"""What archguard writes lands where the user meant, as the user's files are: ``--output``
onto a symbolic link writes the file it points to, a device or a FIFO receives the bytes
and stays what it was, an existing file keeps its mode, a new one gets the umask's, and the
temporary files a killed run left are removed by the next one. Paths that cannot be written
are a message naming them, exit code 2."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from .support import archguard, assert_refused, project

VIOLATION = {"app__modules__shop__service.py": "import app.modules.extras.gift\n"}
VIOLATIONS = 1


def _report(root, output: str, *args: str):
    return archguard("check", "--no-cache", "--format", "json", "--output", output, *args,
                     cwd=root)


def _violations(text: str) -> int:
    return len(json.loads(text)["violations"])


def test_output_onto_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    root = project(tmp_path / "repo", **VIOLATION)
    target = tmp_path / "reports" / "check.json"
    target.parent.mkdir()
    target.write_text("old\n")
    (root / "latest.json").symlink_to(target)
    done = _report(root, "latest.json")
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert (root / "latest.json").is_symlink()
    assert _violations(target.read_text()) == 1


def test_output_onto_a_fifo_sends_the_bytes_and_keeps_the_fifo(tmp_path):
    root = project(tmp_path, **VIOLATION)
    fifo = root / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    done = _report(root, "pipe.json")
    reader.join(timeout=30)
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert _violations(received[0].decode()) == 1


def test_output_onto_a_character_device_writes_to_it_and_keeps_it(tmp_path):
    root = project(tmp_path, **VIOLATION)
    null = root / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    done = _report(root, "null")
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert [p.name for p in root.iterdir() if "archguard-tmp" in p.name] == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    root = project(tmp_path, **VIOLATION)
    report = root / "report.json"
    report.write_text("old\n")
    report.chmod(mode)
    done = _report(root, "report.json")
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert stat.S_IMODE(report.stat().st_mode) == mode
    assert _violations(report.read_text()) == 1


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umasks_mode(tmp_path, umask, mode):
    root = project(tmp_path, **VIOLATION)
    for command in (["check", "--format", "json", "--output", "report.json"],
                    ["baseline", "--output", "baseline.json"]):
        script = f"umask {umask:03o}; exec {sys.executable} -m archguard {' '.join(command)}"
        done = subprocess.run(["sh", "-c", script], cwd=root, capture_output=True, text=True,
                              timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
    assert stat.S_IMODE((root / "report.json").stat().st_mode) == mode
    assert stat.S_IMODE((root / "baseline.json").stat().st_mode) == mode


def test_temporaries_of_a_killed_run_are_removed_and_a_running_ones_kept(tmp_path):
    root = project(tmp_path, **VIOLATION)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = root / f".report.json.archguard-tmp-{dead.stdout.strip()}-0a1b2c3d"
    live = root / f".report.json.archguard-tmp-{os.getpid()}-0a1b2c3d"
    stale.write_text("half")
    live.write_text("half")
    done = _report(root, "report.json")
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert not stale.exists()
    assert live.exists()


def test_output_onto_a_folder_is_refused(tmp_path):
    root = project(tmp_path, **VIOLATION)
    (root / "reports").mkdir()
    output = assert_refused(_report(root, "reports"), 2, "reports")
    assert "folder" in output or "directory" in output


def test_output_into_a_missing_folder_is_refused(tmp_path):
    root = project(tmp_path, **VIOLATION)
    output = assert_refused(_report(root, "nowhere/report.json"), 2, "nowhere/report.json")
    assert "is not a folder" in output
    assert not (root / "nowhere").exists()


def test_output_onto_a_dangling_link_creates_its_target(tmp_path):
    root = project(tmp_path, **VIOLATION)
    (root / "latest.json").symlink_to(root / "made.json")
    done = _report(root, "latest.json")
    assert done.returncode == VIOLATIONS, done.stdout + done.stderr
    assert (root / "latest.json").is_symlink()
    assert _violations((root / "made.json").read_text()) == 1
