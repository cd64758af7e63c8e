"""Violation fingerprints, which baselines are keyed by: stable across line shifts, distinct
for every violation a reviewer would call different."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from archguard.application.baseline import apply_baseline, baseline_document, read_baseline
from archguard.application.check import run_check
from archguard.config import load_config

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
  - {id: no-extras, type: forbidden, source: [shop], forbidden: [extras]}
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n\n\nclass Card:\n    pass\n",
}

SERVICE = "app/modules/shop/service.py"


def violations(make_project, source: str, contract: str = "core-not-optional"):
    project = make_project({**BASE, SERVICE: source})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    return [v for v in result.violations if v.contract == contract]


def fingerprints(make_project, source: str) -> list[str]:
    return [v.fingerprint for v in violations(make_project, source)]


def test_a_fingerprint_is_sixteen_hex_digits(make_project):
    (fingerprint,) = fingerprints(make_project, "from app.modules.extras.gift import Gift\n")
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0


def test_moving_the_statement_to_another_line_keeps_the_fingerprint(make_project):
    source = "def price():\n    from app.modules.extras.gift import Gift\n    return Gift\n"
    before = fingerprints(make_project, source)
    after = fingerprints(make_project, '"""Prices."""\n\nimport os\n\n\n' + source)
    assert before == after and len(before) == 1


def test_each_contract_broken_by_one_statement_has_its_own_fingerprint(make_project):
    source = "from app.modules.extras.gift import Gift\n"
    (layering,) = violations(make_project, source)
    (forbidden,) = violations(make_project, source, "no-extras")
    assert layering.fingerprint != forbidden.fingerprint


def test_what_is_imported_by_whom_and_how_changes_the_fingerprint(make_project):
    module_level = "from app.modules.extras.gift import Gift\n"
    variants = [
        module_level,
        "from app.modules.extras.gift import Card\n",                         # names
        "from app.modules.extras.gift import Gift, Card\n",
        "import app.modules.extras.gift\n",                                   # statement
        "def price():\n    from app.modules.extras.gift import Gift\n",       # function, kind
        "def cost():\n    from app.modules.extras.gift import Gift\n",
        "try:\n    pass\nfinally:\n    from app.modules.extras.gift import Gift as G\n",
    ]
    found = [fingerprints(make_project, source) for source in variants]
    assert all(len(f) == 1 for f in found)
    assert len({f[0] for f in found}) == len(variants)


def test_identical_statements_in_one_function_are_told_apart(make_project):
    source = ("def price(flag):\n"
              "    if flag:\n"
              "        from app.modules.extras.gift import Gift\n"
              "        return Gift\n"
              "    from app.modules.extras.gift import Gift\n"
              "    return Gift\n")
    first, second = violations(make_project, source)
    assert first.fingerprint != second.fingerprint
    # Shifting both keeps each one's fingerprint: they are numbered in line order.
    shifted = violations(make_project, "\n\n" + source)
    assert [v.fingerprint for v in shifted] == [first.fingerprint, second.fingerprint]


def test_a_baseline_marks_known_violations_and_lists_fixed_ones_as_stale(make_project,
                                                                       tmp_path):
    project = make_project({**BASE, SERVICE: (
        "from app.modules.extras.gift import Gift\n"
        "def price():\n    from app.modules.extras.gift import Card\n    return Card\n")})
    config = load_config(project / "archguard.yaml")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(baseline_document(run_check(project, config, use_cache=False)))
    assert len(read_baseline(baseline)) == 4

    (project / SERVICE).write_text("\n\nfrom app.modules.extras.gift import Gift\n"
                                   "from app.modules.extras.gift import Card\n")
    result = apply_baseline(run_check(project, config, use_cache=False),
                            read_baseline(baseline), baseline)
    marked = sorted((v.contract, v.line, v.baselined) for v in result.violations)
    assert marked == [("core-not-optional", 3, True), ("core-not-optional", 4, False),
                      ("no-extras", 3, True), ("no-extras", 4, False)]
    assert sorted((e["contract"], e["function"]) for e in result.stale) == [
        ("core-not-optional", "price"), ("no-extras", "price")]
    assert all(not c.kept for c in result.contracts)
    assert all(len(c.new_violations) == 1 for c in result.contracts)


STRUCTURE = ("  - id: layout\n    type: structure\n    required_files: [__init__.py, rules.py]\n"
             "    definition_variable: false\n")


def test_a_baseline_does_not_hide_structure_problems(make_project, tmp_path):
    project = make_project({**BASE, "archguard.yaml": CONFIG + STRUCTURE,
                            SERVICE: "from app.modules.extras.gift import Gift\n"})
    config = load_config(project / "archguard.yaml")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(baseline_document(run_check(project, config, use_cache=False)))

    result = apply_baseline(run_check(project, config, use_cache=False),
                            read_baseline(baseline), baseline)
    (layout,) = [c for c in result.contracts if c.id == "layout"]
    assert sorted(p.message for p in layout.problems) == [
        "extras has no rules.py", "shop has no rules.py"]
    assert not layout.kept
    assert all(c.kept for c in result.contracts if c.id != "layout")


def test_check_with_a_baseline_still_fails_on_structure_problems(make_project, tmp_path):
    project = make_project({**BASE, "archguard.yaml": CONFIG + STRUCTURE,
                            SERVICE: "from app.modules.extras.gift import Gift\n"})
    env = {**os.environ, "NO_COLOR": "1"}

    def archguard(*args):
        return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                              text=True, env=env, timeout=300)

    assert archguard("baseline", str(project)).returncode == 0
    checked = archguard("check", str(project), "--no-cache", "--format", "json",
                        "--baseline", str(project / "archguard-baseline.json"))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    (layout,) = [c for c in json.loads(checked.stdout)["contracts"] if c["id"] == "layout"]
    assert not layout["kept"] and len(layout["problems"]) == 2
