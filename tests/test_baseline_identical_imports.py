"""Baselines tell identical import statements apart: by function, then by order in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
}

SERVICE = "app/modules/shop/service.py"
IMPORT = "    from app.modules.extras.gift import Gift\n"


def archguard(*args):
    return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def baseline_then_edit(make_project, before, after):
    """Record a baseline of ``before``, replace the service with ``after``, check again:
    the exit code, and the lines of the new and of the baselined violations."""
    project = make_project({**BASE, SERVICE: before})
    written = archguard("baseline", str(project))
    assert written.returncode == 0, written.stderr
    (project / SERVICE).write_text(after, encoding="utf-8")
    checked = archguard("check", str(project), "--baseline",
                        str(project / "archguard-baseline.json"), "--no-cache",
                        "--format", "json")
    data = json.loads(checked.stdout)
    assert data["stale"] == []
    new = sorted(v["line"] for v in data["violations"] if not v["baselined"])
    kept = sorted(v["line"] for v in data["violations"] if v["baselined"])
    return checked.returncode, new, kept, data


def test_an_identical_import_added_to_the_same_function_is_the_only_new_one(make_project):
    """A third copy of an import in a function with two baselined copies is new; they are not."""
    before = ("def price():\n" + IMPORT + "    first = Gift\n" + IMPORT
              + "    return first, Gift\n")
    after = ("def price():\n" + IMPORT + "    first = Gift\n" + IMPORT + "    second = Gift\n"
             + IMPORT + "    return first, second, Gift\n")
    code, new, kept, _ = baseline_then_edit(make_project, before, after)
    assert (code, new, kept) == (1, [6], [2, 4])


def test_an_identical_import_added_above_in_the_same_function_counts_once(make_project):
    """A copy added above a baselined import in one function makes one new violation, not none."""
    before = "def price():\n" + IMPORT + "    return Gift\n"
    after = "def price():\n" + IMPORT + IMPORT + "    return Gift\n"
    code, new, kept, _ = baseline_then_edit(make_project, before, after)
    # The two statements are identical and line numbers are not fingerprinted, so the
    # copies are told apart by order only: which of the two is reported is not specified.
    assert code == 1
    assert len(new) == 1 and len(kept) == 1 and sorted(new + kept) == [2, 3]


def test_an_identical_import_added_in_another_function_above_is_the_only_new_one(make_project):
    """The same import added in a new function above a baselined one is new, by its own line."""
    before = "def total():\n" + IMPORT + "    return Gift\n"
    after = ("def wrap():\n" + IMPORT + "    return Gift\n"
             "def total():\n" + IMPORT + "    return Gift\n")
    code, new, kept, data = baseline_then_edit(make_project, before, after)
    assert (code, new, kept) == (1, [2], [5])
    (added,) = [v for v in data["violations"] if not v["baselined"]]
    assert added["used_in"] == [{"symbol": "wrap", "lines": [3], "labels": []}]
