"""A differential test: for the fixture's forbidden-style contracts, archguard and
lint-imports (import-linter) find the same direct imports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.domain.imports import ImportKind

from . import seed_facts
from .conftest import AFTER, BEFORE, RULES

pytestmark = pytest.mark.platform

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
EDGE = re.compile(r"-\s+(\S+)\s+->\s+(\S+)\s+\(([^)]*)\)")


def _packages(names) -> str:
    return "\n".join(f"    app.modules.{name}" for name in sorted(names))


def importlinter_config(path: Path) -> Path:
    """The fixture's layering and forbidden contracts, as import-linter contracts."""
    non_internal = [m for m, c in seed_facts.CATEGORIES.items() if c != "internal"]
    contracts = {
        "core-not-optional": (seed_facts.CORE, seed_facts.OPTIONAL),
        "nothing-depends-on-internal": (non_internal, seed_facts.INTERNAL),
        "payments-below-billing": (["payments"], ["billing"]),
    }
    text = "[importlinter]\nroot_package = app\n"
    for name, (sources, forbidden) in contracts.items():
        text += (f"\n[importlinter:contract:{name}]\nname = {name}\ntype = forbidden\n"
                 f"source_modules =\n{_packages(sources)}\n"
                 f"forbidden_modules =\n{_packages(forbidden)}\n"
                 "allow_indirect_imports = True\n")
    path.write_text(text, encoding="utf-8")
    return path


def lint_imports_edges(project: Path, config: Path) -> set[tuple[str, int]]:
    result = subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
                            cwd=project, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"})
    assert result.returncode in (0, 1), result.stderr
    edges = set()
    for importer, _imported, lines in EDGE.findall(result.stdout):
        for line in re.findall(r"l\.(\d+)", lines):
            edges.add((importer, int(line)))
    return edges, result.returncode


def archguard_edges(project: Path) -> set[tuple[str, int]]:
    config = load_config(RULES)
    wanted = {"core-not-optional", "nothing-depends-on-internal", "payments-below-billing"}
    # import-linter counts every import wherever it sits: count every kind here too.
    contracts = tuple(replace(c, count=tuple(ImportKind)) for c in config.contracts
                      if c.id in wanted)
    result = run_check(project, replace(config, contracts=contracts), use_cache=False)
    return ({(v.importer, v.line) for v in result.violations if v.reference is None},
            {(v.importer, v.line) for v in result.violations if v.reference is not None})


@pytest.mark.parametrize("state", [BEFORE, AFTER], ids=["before", "after"])
def test_same_direct_imports_as_lint_imports(tmp_path, state):
    expected, code = lint_imports_edges(state, importlinter_config(tmp_path / ".importlinter"))
    found, strings = archguard_edges(state)
    assert found == expected
    assert (code == 1) == bool(found)
    # What no import graph shows: lint-imports misses the relationship strings.
    assert not strings & expected
    if state == BEFORE:
        assert len(found) == 25
        assert strings == {("app.modules.tenancy.models.store", 51),
                           ("app.modules.tenancy.models.user", 48)}
    else:
        assert strings == set()
