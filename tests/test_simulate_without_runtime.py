"""`simulate` on a project whose configuration has no runtime section: every module's own
import is still known, so a core model that imports an optional one at module level is a
crash at import (not a failure "at runtime"), and the report says that entry points are not
configured and what setting them adds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import REPO, write_tree
from .recipe_projects import CONFIG, KERNEL, module

FILES = {
    **KERNEL,
    **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
    **module("shop", core=True, files={
        "models.py": "from app.modules.gifts.models import Gift\n",
        "service.py": "def total():\n    from app.modules.shop.models import Gift\n"
                      "    return Gift\n"}),
}


def simulate(root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", "simulate", str(root),
                           "--without", "gifts", "--no-cache", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def test_a_module_that_fails_to_import_is_a_crash_and_the_missing_settings_are_named(
        tmp_path):
    root = write_tree(tmp_path / "p", {"archguard.yaml": CONFIG, **FILES})
    report = json.loads(simulate(root, "--format", "json").stdout)
    predicted = report["scenarios"][0]["predicted"]
    assert predicted["verdict"] == "crashes at import"
    assert predicted["every_module_started"] is True
    assert [(c["file"], c["line"]) for c in predicted["crashes"]] == \
        [("app/modules/shop/models.py", 1)]
    text = " ".join(simulate(root).stdout.split())
    assert "no runtime.entry_points" in text and "set runtime.entry_points" in text


def test_with_entry_points_only_what_start_up_imports_can_crash(tmp_path):
    config = CONFIG + "runtime: {entry_points: [app.main]}\n"
    root = write_tree(tmp_path / "p", {"archguard.yaml": config, **FILES})
    report = json.loads(simulate(root, "--format", "json").stdout)
    predicted = report["scenarios"][0]["predicted"]
    assert predicted["every_module_started"] is False
    assert predicted["verdict"] == "breaks at runtime"  # app.main imports neither
    assert "no runtime.entry_points" not in simulate(root).stdout
