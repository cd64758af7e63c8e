"""A file of newer syntax than the Python archguard runs on (a ``type`` statement and PEP 695
generics, Python 3.12) keeps its violations: its imports come from grimp's parser, their
kinds are guessed from the layout and a finding says so, the result is cached, and
``simulate`` still sees the crash. A file no parser reads stays an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import REPO, write_tree
from .recipe_projects import CONFIG, KERNEL, module

NEWER = '''\
from app.modules.gifts.models import Gift

type Wrapped = list[Gift]


class Box:
    def wrap[T](self, item: T) -> T:
        from app.modules.gifts import models
        return item
'''
PARSES_HERE = sys.version_info >= (3, 12)


def project(tmp_path, text: str):
    return write_tree(tmp_path / "p", {
        "archguard.yaml": CONFIG + "runtime: {entry_points: [app.main]}\n", **KERNEL,
        "app/main.py": "import app.modules.shop.x\n",
        **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
        **module("shop", core=True, files={"x.py": text})})


def run(root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", *args, str(root)],
                          capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def test_the_violations_are_kept_with_their_kinds_and_the_cause_is_named(tmp_path):
    root = project(tmp_path, NEWER)
    done = run(root, "check", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert [(v["line"], v["kind"]) for v in report["violations"]] == [(1, "module"), (8, "lazy")]
    found = [f for f in report["findings"] if f["rule"] == "newer-syntax"]
    if PARSES_HERE:
        assert found == []
    else:
        assert [(f["file"], f["line"], f["severity"]) for f in found] == \
            [("app/modules/shop/x.py", 3, "warning")]
        assert f"Python {sys.version.split()[0]}, which archguard runs on" in \
            found[0]["message"]
        assert "their kinds guessed from the layout" in found[0]["message"]
    assert (root / ".archguard_cache" / "result.json").is_file()
    again = run(root, "check", "--format", "json")
    assert json.loads(again.stdout)["violations"] == report["violations"]


def test_simulate_still_predicts_the_crash_at_start_up(tmp_path):
    root = project(tmp_path, NEWER)
    done = run(root, "simulate", "--without", "gifts", "--no-cache", "--format", "json")
    scenario = json.loads(done.stdout)["scenarios"][0]
    assert scenario["predicted"]["verdict"] == "crashes at import", done.stdout
    assert [(c["file"], c["line"]) for c in scenario["predicted"]["crashes"]] == \
        [("app/modules/shop/x.py", 1)]


def test_a_file_no_parser_reads_is_still_an_error(tmp_path):
    root = project(tmp_path, "from app.modules.gifts.models import Gift\ndef broken(:\n")
    done = run(root, "check", "--format", "json")
    assert done.returncode == 2
    assert any("app/modules/shop/x.py:2: cannot parse" in e
               for e in json.loads(done.stdout)["errors"])
