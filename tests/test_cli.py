"""The command line, run for real in a subprocess as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archguard import __version__

from . import seed_facts
from .conftest import AFTER, BEFORE, REPO, RULES

SCRIPT = Path(sys.executable).with_name("archguard")


def archguard(*args: str, cwd: Path = REPO, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "archguard", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}, timeout=120,
    )


def test_console_script_prints_version():
    result = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"archguard {__version__}"


def test_module_entry_point_help_lists_commands():
    result = archguard("--help")
    assert result.returncode == 0
    for command in ("modules", "schema"):
        assert command in result.stdout


def test_help_shows_brackets_as_written_and_wraps_at_the_terminal():
    """``[tool.archguard]`` is not taken for markup, and a command's summary is wrapped at
    the terminal's width, not where its docstring's lines end."""
    config_help = " ".join(archguard("check", "--help").stdout.replace("│", " ").split())
    assert "else [tool.archguard] in pyproject.toml" in config_help
    listing = archguard("--help", env={"COLUMNS": "320"}).stdout.splitlines()
    (check_line,) = [line for line in listing if "Check the contracts." in line]
    assert "2 for usage or configuration errors and for source that cannot be parsed" \
        in check_line


def test_a_contract_without_a_name_is_headed_by_its_id_once(tmp_path):
    from tests.bad_input.support import project

    root = project(tmp_path / "project",
                   **{"app/modules/shop/cart.py": "from app.modules.extras.gift import price\n"})
    done = archguard("check", str(root), "--no-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "core-not-optional: core-not-optional" not in done.stdout
    assert "core-not-optional ─" in done.stdout
    markdown = archguard("check", str(root), "--no-cache", "--format", "markdown").stdout
    assert "## `core-not-optional`\n" in markdown


@pytest.mark.platform
@pytest.mark.parametrize("state", [BEFORE, AFTER], ids=["before", "after"])
def test_modules_on_the_reference_platform_matches_the_seed(state):
    result = archguard("modules", str(state), "--config", str(RULES), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    found = {m["name"]: m for m in data["modules"]}
    assert {name: m["category"] for name, m in found.items()} == seed_facts.CATEGORIES
    for name, module in found.items():
        expected = seed_facts.REQUIRES.get(name, set())
        if state == AFTER and name == "marketplace":
            expected = expected | {"catalog"}  # it owns the catalog import operations there
        assert set(module["requires"]) == expected, name
        assert module["requires_source"] == "definition.py"
        assert module["category_source"] == "definition.py"
        assert module["definition"] == f"app/modules/{name}/definition.py"
    assert found["dev_tools"]["code"] == "dev-tools"
    # The rules name after/'s provider lookup as kernel, which before/ does not have yet.
    stale = [] if state == AFTER else [("missing-kernel-package", "app.modules.providers")]
    assert [(f["rule"], f["message"].split("'")[1]) for f in data["findings"]] == stale


@pytest.mark.platform
def test_modules_terminal_output_groups_by_category():
    result = archguard("modules", str(BEFORE), "--config", str(RULES))
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # NO_COLOR and not a terminal: no escape codes
    out = result.stdout
    assert out.index("core (8)") < out.index("optional (8)") < out.index("internal (2)")
    assert "18 modules in app.modules: 8 core, 8 optional, 2 internal; 1 finding(s)" in out
    assert "kernel entry 'app.modules.providers' names no module or package" in out


@pytest.mark.platform
def test_config_error_exits_2_with_position_and_no_traceback(tmp_path):
    bad = tmp_path / "archguard.yaml"
    bad.write_text(RULES.read_text().replace("  modules_package:", "  module_package:"))
    result = archguard("modules", str(BEFORE), "--config", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1)
                if "module_package:" in text)
    assert f"{bad}:{line}:3: project.module_package: unknown key" in result.stderr
    assert "did you mean 'modules_package'?" in result.stderr


def test_missing_config_exits_2(tmp_path):
    result = archguard("modules", str(tmp_path))
    assert result.returncode == 2
    assert "no configuration found" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_project_dir_is_a_usage_error(tmp_path):
    result = archguard("modules", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = archguard("--debug", "modules", str(tmp_path))
    assert result.returncode != 0
    assert "ConfigNotFoundError" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [["--version"], pytest.param(["modules", str(BEFORE), "--config", str(RULES), "--format",
                                  "json"], marks=pytest.mark.platform)],
)
def test_static_commands_do_not_import_heavy_libraries(argv):
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['archguard', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('archguard', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('libcst', 'grimp', 'fastapi', 'sqlalchemy', 'app')"
        " if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO)
    assert "HEAVY=\n" in result.stderr + "\n", result.stderr


def test_modules_reports_disagreements_with_file_and_line(make_project):
    project = make_project({
        "archguard.yaml": (
            "version: 1\n"
            "project: {root_package: app, modules_package: app.modules}\n"
            "categories: {core: {}, optional: {}}\n"
            "modules:\n"
            "  billing: {category: optional}\n"
        ),
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/billing/__init__.py": "",
        "app/modules/billing/definition.py": (
            "from app.modules.base import ModuleDefinition\n"
            "billing_module = ModuleDefinition(code='billing', is_core=True)\n"
        ),
    })
    result = archguard("modules", str(project))
    assert result.returncode == 0, result.stderr
    assert ("warning category-mismatch: app/modules/billing/definition.py:2: billing: "
            "definition.py makes it core (is_core=True), archguard.yaml says optional"
            in result.stdout)
    assert "1 module in app.modules: 1 core; 1 finding(s)" in result.stdout


def test_simulate_tables_keep_each_file_and_line_whole_at_80_columns(tmp_path):
    """A terminal or an editor opens `path:line`: on a narrow terminal, simulate's
    tables neither wrap it nor cut it with an ellipsis while it fits the terminal."""
    from tests.bad_input.support import project

    deep = "app/modules/shop/checkout_confirmation/payment_method.py"
    root = project(tmp_path / "project", **{
        "app/main.py": "import app.modules.shop.checkout_confirmation"
                       ".payment_method\n",
        deep: "import app.modules.extras.gift\n"})
    (root / "app/modules/shop/checkout_confirmation/__init__.py").write_text("")
    done = archguard("simulate", str(root), "--without", "extras", "--no-cache",
                     env={"COLUMNS": "80"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{deep}:1 (first)" in done.stdout
    assert "…" not in done.stdout


def test_check_shows_each_violation_as_a_whole_path_and_line_at_80_columns(tmp_path):
    """A violating file's ``path:line``, longer than the terminal is wide, is still one line
    of its own, above a table that fits the terminal."""
    from tests.bad_input.support import project

    deep = ("app/modules/shop/checkout_confirmation_steps/payment_method_selection_"
            "with_saved_cards.py")
    root = project(tmp_path / "project", **{
        deep: "import app.modules.extras.gift\n\n\ndef pay():\n"
              "    from app.modules.extras.gift import price\n    return price()\n"})
    (root / "app/modules/shop/checkout_confirmation_steps/__init__.py").write_text("")
    done = archguard("check", str(root), "--no-cache", env={"COLUMNS": "80"})
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(deep) > 80
    assert [line for line in lines if line.startswith(deep)] == [f"{deep}:1", f"{deep}:5"]
    assert all(len(line) <= 80 for line in lines if line[:1] in "┏┃┡│└")
