"""Hostile trees: a package folder that holds more than plain, readable files. Each entry is
read as grimp and lint-imports read it, or left out and named with its reason while the rest
is checked: never a hang, a crash, or a file skipped without a word."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_tree

from .support import archguard, assert_refused, project

#: shop (core) imports extras (optional): the violation each case must still find.
BREAKING = {"app__modules__shop__service.py": "import app.modules.extras.gift\n"}
SERVICE = ("app.modules.shop.service", 1)
#: A subpackage of shop whose module breaks the contract too.
SUBPACKAGE = {"__init__.py": "", "deal.py": "import app.modules.extras.gift\n"}
NESTED = "[" * 1000 + "]" * 1000
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
#: A line of lint-imports' report: ``-   importer -> imported (l.3, l.7)``.
EDGE = re.compile(r"-\s+(\S+)\s+->\s+\S+\s+\(([^)]*)\)")
FORBIDDEN = """\
[importlinter]
root_package = app

[importlinter:contract:core-not-optional]
name = core-not-optional
type = forbidden
source_modules =
    app.modules.shop
forbidden_modules =
    app.modules.extras
allow_indirect_imports = True
"""


def check_json(root: Path, *args: str, run=archguard) -> tuple[subprocess.CompletedProcess[str],
                                                                 dict]:
    """``check --format json`` of ``root``, and its report."""
    done = run("check", "--format", "json", *args, cwd=root, timeout=60)
    assert done.stdout.startswith("{"), done.stdout + done.stderr
    return done, json.loads(done.stdout)


def direct(report: dict) -> set[tuple[str, int]]:
    """The importing module and line of each direct violation."""
    return {(v["importer"], v["line"]) for v in report["violations"] if not v["chain"]}


def left_out(report: dict) -> dict[str, str]:
    return {entry["file"]: entry["reason"] for entry in report["files_left_out"]}


def lint_imports(root: Path) -> set[tuple[str, int]]:
    """The importing module and line of each import lint-imports finds breaking the same
    contract, in the same tree."""
    (root / ".importlinter").write_text(FORBIDDEN, encoding="utf-8")
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"})
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return {(importer, int(line)) for importer, lines in EDGE.findall(done.stdout)
            for line in re.findall(r"l\.(\d+)", lines)}


def test_a_fifo_named_like_a_module_is_left_out_and_never_opened(tmp_path):
    root = project(tmp_path, **BREAKING)
    os.mkfifo(root / "app/modules/shop/pipe.py")
    done, report = check_json(root, "--no-cache")
    assert_refused(done, 2, "app/modules/shop/pipe.py")
    assert left_out(report) == {
        "app/modules/shop/pipe.py": "cannot be read: not a regular file (a FIFO)"}
    assert direct(report) == {SERVICE}
    text = archguard("check", "--no-cache", cwd=root, timeout=60)
    output = assert_refused(text, 2, "app/modules/shop/pipe.py")
    assert "; 1 file left out (1 unreadable; see --format json)" in output
    assert "could not be parsed" not in output


def test_a_file_that_cannot_be_read_is_seen_though_a_result_was_kept(tmp_path):
    root = project(tmp_path, **BREAKING)
    first = archguard("check", cwd=root)
    assert first.returncode == 1, first.stdout + first.stderr
    (root / "app/modules/shop/draft.py").symlink_to("nowhere.py")
    done, report = check_json(root)
    assert_refused(done, 2, "app/modules/shop/draft.py")
    assert direct(report) == {SERVICE}


@pytest.mark.parametrize(("target", "reason"), [
    ("gone.py", "cannot be read: broken symbolic link (to gone.py)"),
    ("loop.py", "cannot be read: broken symbolic link (to loop.py)"),
])
def test_a_broken_symbolic_link_is_left_out_with_where_it_leads(tmp_path, target, reason):
    root = project(tmp_path, **BREAKING)
    (root / "app/modules/shop/loop.py").symlink_to(target)
    done, report = check_json(root, "--no-cache")
    assert_refused(done, 2, "app/modules/shop/loop.py")
    assert left_out(report) == {"app/modules/shop/loop.py": reason}
    assert direct(report) == {SERVICE}


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_a_symbolic_link_to_a_folder_is_read_as_grimp_and_lint_imports_read_it(tmp_path,
                                                                               where):
    root = project(tmp_path / "project", **BREAKING)
    target = (root / "app/modules/shop/real" if where == "inside"
              else tmp_path / "elsewhere" / "vendored")
    write_tree(target, SUBPACKAGE)
    (root / "app/modules/shop/linked").symlink_to(target, target_is_directory=True)
    done, report = check_json(root, "--no-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert report["files_left_out"] == []
    assert ("app.modules.shop.linked.deal", 1) in direct(report)
    assert direct(report) == lint_imports(root)


def test_a_symbolic_link_to_a_folder_that_holds_it_is_listed_and_not_followed(tmp_path):
    root = project(tmp_path, **BREAKING)
    write_tree(root / "app/modules/shop/real", SUBPACKAGE)
    (root / "app/modules/shop/real/again").symlink_to("..", target_is_directory=True)
    (root / "app/modules/shop/real/top").symlink_to("/", target_is_directory=True)
    done, report = check_json(root, "--no-cache")
    assert_refused(done, 1, "app/modules/shop/real/again/")
    assert set(left_out(report)) == {"app/modules/shop/real/again/",
                                     "app/modules/shop/real/top/"}
    assert all(reason.startswith("not followed: a symbolic link to a folder that holds it")
               for reason in left_out(report).values())
    assert direct(report) == {SERVICE, ("app.modules.shop.real.deal", 1)}


def bound_by_permissions(*args: str, cwd: Path, timeout: float = 60
                         ) -> subprocess.CompletedProcess[str]:
    """``python -m archguard ARGS`` in a process that file permissions bind. Root reads past
    them, so as root the process runs without the two capabilities that let it (still root,
    so the interpreter under /root stays reachable, which user nobody's would not)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv is not None, "setpriv (util-linux) is needed to run without them"
        dropped = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--bounding-set={dropped}", f"--inh-caps={dropped}"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "archguard", *args], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


@pytest.mark.parametrize(("closed", "reason"), [
    ("app/modules/extras/gift.py", "cannot be read: permission denied"),
    ("app/modules/shop/sub/",
     "cannot be read: permission denied (its files cannot be listed)"),
])
def test_what_permissions_close_is_left_out_and_the_rest_is_checked(tmp_path, closed, reason):
    root = project(tmp_path, **BREAKING)
    write_tree(root / "app/modules/shop/sub", SUBPACKAGE)
    path = root / closed
    mode = path.stat().st_mode & 0o777
    path.chmod(0)
    try:
        for _ in range(2):  # what could not be read is not kept as the project's result
            done, report = check_json(root, run=bound_by_permissions)
            assert_refused(done, 2, closed.rstrip("/"))
            assert left_out(report) == {closed: reason}
            assert SERVICE in direct(report)
            text = bound_by_permissions("check", cwd=root)
            output = assert_refused(text, 2, closed.rstrip("/"))
            assert "1 file left out (1 unreadable; see --format json)" in output
    finally:
        path.chmod(mode)
    done, report = check_json(root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert direct(report) == {SERVICE, ("app.modules.shop.sub.deal", 1)}
    assert report["files_left_out"] == []


@pytest.mark.parametrize("closed", ["app", "app/modules"])
def test_a_package_folder_that_cannot_be_searched_is_named(tmp_path, closed):
    root = project(tmp_path)
    path = root / closed
    path.chmod(0)
    try:
        for command in (("check", "--no-cache"), ("modules",), ("simulate", "--without",
                                                                 "extras", "--no-cache")):
            done = bound_by_permissions(*command, cwd=root)
            output = assert_refused(done, 2, closed)
            assert "permission denied" in output
    finally:
        path.chmod(0o755)


def test_a_byte_that_is_not_utf8_is_named_with_its_line(tmp_path):
    root = project(tmp_path, **BREAKING)
    (root / "app/modules/shop/labels.py").write_bytes(b"RATE = 1\n# caf\xe9\n")
    done, report = check_json(root, "--no-cache")
    assert_refused(done, 2, "app/modules/shop/labels.py", 2)
    assert any("not UTF-8 (byte 0xe9 at line 2)" in error for error in report["errors"])
    assert direct(report) == {SERVICE}


def test_a_file_that_declares_its_encoding_is_read(tmp_path):
    root = project(tmp_path)
    (root / "app/modules/shop/labels.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nimport app.modules.extras.gift\n\nLABEL = 'caf\xe9'\n")
    done, report = check_json(root, "--no-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert report["errors"] == []
    assert direct(report) == {("app.modules.shop.labels", 2)}
