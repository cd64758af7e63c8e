"""`archguard audit` on the reference platform, compared fact by fact with the seed's own
analysis (tests/seed_facts.py, written from SEED-FACTS.md by hand): the same core → optional
pairs, files and lines, billing → catalog (which the seed's Part 3 table missed), the module
table, and the crash without analytics, catalog and marketplace. On after/, every module is
self-contained and the app runs without each optional module."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from . import seed_facts
from .audit_support import sections, tables
from .conftest import AFTER, BEFORE, REPO, RULES
from .platform_support import tree_digest

pytestmark = pytest.mark.platform


def audit(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", "audit", str(project), "--config",
                           str(RULES), "--no-cache", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def before():
    shipped = tree_digest(BEFORE)
    done = audit(BEFORE)
    assert done.returncode == 0, done.stderr
    assert tree_digest(BEFORE) == shipped
    return sections(done.stdout)


@pytest.fixture(scope="module")
def after():
    done = audit(AFTER)
    assert done.returncode == 0, done.stderr
    return sections(done.stdout)


def test_the_summary_answers_no_to_both_questions_on_before(before):
    summary = before["Executive summary"]
    assert "Are all modules self-contained and respecting the rules? **No**" in summary
    assert "Would the app still run if non-core modules are removed? **No**" in summary
    crash = re.search(r"crash at start-up without ([a-z_, ]+)", summary)
    assert crash and tuple(crash.group(1).split(", ")) == seed_facts.CRASH_WITHOUT
    assert "❌ CRITICAL:" in summary


def test_the_violations_are_the_seeds_pairs_files_and_lines(before):
    part = before["Violations by module pair"]
    pairs = sections(part, "### ")
    found_pairs = sorted(tuple(re.match(r"(\w+) \(core\) → (\w+) \(optional\)", h).groups())
                         for h in pairs)
    assert found_pairs == seed_facts.CORE_OPTIONAL_PAIRS
    assert ("billing", "catalog") in found_pairs
    for file, lines, target in seed_facts.CORE_TO_OPTIONAL:
        source = file.split("/")[0]
        heading = next(h for h in pairs if h.startswith(f"{source} (core) → {target} "))
        per_file = pairs[heading].split("File: `")
        block = next((b for b in per_file if b.startswith(f"app/modules/{file}`")), None)
        assert block is not None, (file, heading)
        listed = {int(row["Line"]) for table in tables(block) for row in table}
        assert set(lines) <= listed, (file, lines, listed)


def test_the_module_table_has_the_seeds_categories_and_optional_dependencies(before):
    part = sections(before["Module categorisation"], "### ")
    assert set(part) == {"Core modules (8)", "Optional modules (8)", "Internal modules (2)"}
    rows = {}
    for heading, text in part.items():
        category = heading.split()[0].lower()
        for row in tables(text)[0]:
            rows[row["Module"]] = (category, row)
    codes = {"dev_tools": "dev-tools"}
    expected_depends = {m: set() for m in seed_facts.CORE}
    for source, target in seed_facts.CORE_OPTIONAL_PAIRS:
        expected_depends[source].add(target)
    for module, category in seed_facts.CATEGORIES.items():
        found_category, row = rows[codes.get(module, module)]
        assert found_category == category, module
        declared = set() if row["Declared dependencies"] == "-" else \
            set(row["Declared dependencies"].split(", "))
        assert declared == seed_facts.REQUIRES.get(module, set()), module
        depends = row["Depends on optional?"]
        if category == "core":
            named = set() if depends == "no" else {
                n.removesuffix(" (breaks a contract)")
                for n in depends.removeprefix("yes: ").split(", ")}
            assert named == expected_depends[module], module
            assert all("(breaks a contract)" in n for n in depends.split(", ")) \
                or depends == "no"


def test_removing_each_optional_module_is_answered_and_three_crash(before):
    rows = {row["Removed"].split(" (+")[0]: row for row in tables(
        before["Runs without optional modules?"])[0]}
    assert set(seed_facts.OPTIONAL) <= set(rows)
    crashing = sorted(m for m in seed_facts.OPTIONAL
                      if rows[m]["Verdict"] == "❌ crashes at import")
    assert tuple(crashing) == seed_facts.CRASH_WITHOUT
    assert ", ".join(seed_facts.OPTIONAL) in rows  # all of them together
    for module in seed_facts.CRASH_WITHOUT:
        assert f"### Without {module}: the app crashes at start-up" in \
            before["Runs without optional modules?"]


def test_what_works_checks_each_aspect_of_the_seeds_part_one(before):
    rows = {row["Aspect"]: row for row in tables(before["What works"])[0]}
    assert tuple(rows) == seed_facts.WORKS
    assert all(row["Status"] == "✅" for row in rows.values()), rows
    assert "PlatformModule.is_enabled" in rows["Module enablement"]["Details"]


def test_what_to_move_where_has_the_seeds_four_recommendations(before):
    rows = tables(before["What to move where"])[0]
    by_group = {row["Dependency"]: row for row in rows}
    assert "MetricsProvider pattern via stats_aggregator" in \
        by_group["tenancy/routes/api/admin_stores.py → analytics"]["Rewrite"]
    assert "to marketplace" in \
        by_group["tenancy/services/store_service.py → catalog, marketplace"]["Rewrite"]
    assert "marketplace side" in by_group["tenancy/* → marketplace"]["Rewrite"]
    assert "ProductCountProvider" in by_group["billing/* → catalog"]["Rewrite"]


def test_on_after_every_module_is_self_contained_and_the_app_runs_without_each(after):
    summary = after["Executive summary"]
    assert "Are all modules self-contained and respecting the rules? **Yes**" in summary
    assert "Would the app still run if non-core modules are removed? **Yes**" in summary
    assert "❌" not in summary
    assert "No import breaks a contract." in after["Violations by module pair"]
    rows = tables(after["Runs without optional modules?"])[0]
    assert len(rows) == len(seed_facts.OPTIONAL) + 1
    assert all(row["Verdict"] == "✅ runs" for row in rows), rows
    for heading, text in sections(after["Module categorisation"], "### ").items():
        if heading.startswith("Core"):
            assert all(row["Depends on optional?"] == "no" for row in tables(text)[0])


def test_compare_shows_each_seed_pair_gone_in_after():
    done = audit(BEFORE, "--compare", str(AFTER))
    assert done.returncode == 0, done.stderr
    part = sections(done.stdout)["Refactoring progress"]
    assert "From commerce_platform/before to commerce_platform/after." in part
    found = tables(part)
    questions, pairs, figures = found[0], found[1], found[2]
    assert [(q["commerce_platform/before"], q["commerce_platform/after"]) for q in questions] \
        == [("❌ no", "✅ yes")] * 2
    listed = {tuple(p["Module pair"].split(" → ")): p for p in pairs}
    assert sorted(listed) == seed_facts.CORE_OPTIONAL_PAIRS
    assert all(p["commerce_platform/after"] == "0" and p["Change"] == "gone"
               for p in listed.values())
    violations = next(f for f in figures if f[""] == "Violations")
    assert violations["commerce_platform/before"] == "27"
    assert violations["commerce_platform/after"] == "0"
    removable = next(f for f in figures if f[""] == "Optional modules whose removal runs")
    assert removable["commerce_platform/after"] == ", ".join(seed_facts.OPTIONAL)
