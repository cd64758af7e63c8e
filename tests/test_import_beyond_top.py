"""A relative import that climbs above the top-level package names nothing: it is reported
as a finding with its file, line and text, never read as an edge (grimp names its target
``''``, or panics when it climbs further), and the file's other imports are still read."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO, write_tree
from .recipe_projects import CONFIG, KERNEL, module


def project(tmp_path, statement: str):
    return write_tree(tmp_path / "p", {"archguard.yaml": CONFIG, **KERNEL,
        **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
        **module("shop", core=True, files={"x.py": f"import os\n{statement}\n"
                                                   "import app.modules.gifts.models\n"})})


def check(root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", "check", str(root), "--format",
                           "json", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, check=False, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize(("statement", "levels"), [
    ("from ....models import Gift", 4),       # one level too many: grimp names ''
    ("from ...... import anything", 6),       # more: grimp's scanner panics
])
def test_the_statement_is_a_finding_and_the_files_other_imports_are_still_read(
        tmp_path, statement, levels):
    root = project(tmp_path, statement)
    for args in (("--no-cache",), (), ()):  # and from the caches, twice
        done = check(root, *args)
        assert done.returncode == 1, done.stderr
        assert "panicked" not in done.stderr and "Traceback" not in done.stderr
        report = json.loads(done.stdout)
        found = [f for f in report["findings"] if f["rule"] == "import-beyond-top-level"]
        assert [(f["file"], f["line"], f["severity"]) for f in found] == \
            [("app/modules/shop/x.py", 2, "error")]
        assert found[0]["message"].startswith(
            f"{statement}: {levels} levels up from app.modules.shop.x, which is 3 packages "
            "deep, is above the top-level package app")
        assert [(v["line"], v["imported"]) for v in report["violations"]] == \
            [(3, "app.modules.gifts.models")]
