"""The module inventory: modules found on disk, categories settled, disagreements reported."""

from __future__ import annotations

import pytest

from archguard.application.inventory import build_inventory
from archguard.config import load_config
from archguard.errors import ProjectError

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}, internal: {}}
modules:
  billing: {category: optional, requires: [payments]}
  payments: {category: core}
  ghost: {category: core}
"""


def definition(code: str, flags: str = "", requires: str = "") -> str:
    return (f"from app.modules.base import ModuleDefinition\n"
            f"{code}_module = ModuleDefinition(code={code!r}, {flags} {requires})\n")


@pytest.fixture
def project(make_project):
    return make_project({
        "archguard.yaml": CONFIG,
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/billing/__init__.py": "",
        "app/modules/billing/definition.py": definition("billing", "is_core=True,",
                                                        "requires=['payments', 'tax']"),
        "app/modules/payments/__init__.py": "",
        "app/modules/payments/definition.py": definition("payments", "is_core=True"),
        "app/modules/reports/__init__.py": "",
        "app/modules/reports/definition.py": definition("reports"),
        "app/modules/nodefs/__init__.py": "",
        "app/modules/legacy/views.py": "x = 1\n",
    })


def inventory_of(project):
    return build_inventory(project, load_config(project / "archguard.yaml"))


def findings(inventory, rule):
    return [f for f in inventory.findings if f.rule == rule]


def test_modules_are_the_direct_subpackages(project):
    inventory = inventory_of(project)
    assert [m.name for m in inventory.modules] == ["billing", "nodefs", "payments", "reports"]


def test_definition_wins_and_disagreement_is_a_finding(project):
    inventory = inventory_of(project)
    billing = inventory.module("billing")
    assert billing.category == "core"
    assert billing.category_source == "definition.py"
    (mismatch,) = findings(inventory, "category-mismatch")
    assert mismatch.path == project / "app/modules/billing/definition.py"
    assert mismatch.line == 2
    assert "makes it core" in mismatch.message and "says optional" in mismatch.message
    (requires,) = findings(inventory, "requires-mismatch")
    assert "[payments, tax]" in requires.message and "[payments]" in requires.message


def test_module_only_in_definition_is_categorised_from_it(project):
    reports = inventory_of(project).module("reports")
    assert reports.category == "optional"
    assert reports.category_source == "definition.py"


def test_uncategorised_module(project):
    inventory = inventory_of(project)
    assert inventory.module("nodefs").category is None
    (finding,) = findings(inventory, "uncategorised-module")
    assert "nodefs" in finding.message


def test_folder_without_init_is_reported(project):
    (finding,) = findings(inventory_of(project), "missing-init")
    assert finding.path == project / "app/modules/legacy"
    assert "no __init__.py" in finding.message


def test_declared_but_missing_module(project):
    (finding,) = findings(inventory_of(project), "declared-module-missing")
    assert "ghost" in finding.message
    assert finding.line == 7


def test_unknown_requirement(project):
    (finding,) = findings(inventory_of(project), "unknown-requirement")
    assert "'tax'" in finding.message


def test_definitions_can_be_switched_off(project):
    config_path = project / "archguard.yaml"
    config_path.write_text(config_path.read_text() + "definitions: {enabled: false}\n")
    inventory = inventory_of(project)
    assert inventory.module("billing").category == "optional"
    assert inventory.module("reports").category is None
    assert not findings(inventory, "category-mismatch")


def test_unparsable_definition_is_an_error_finding_not_a_crash(project):
    (project / "app/modules/reports/definition.py").write_text("reports_module = (\n")
    inventory = inventory_of(project)
    (finding,) = findings(inventory, "unparsable-definition")
    assert finding.severity == "error"
    assert finding.path == project / "app/modules/reports/definition.py"
    assert finding.line is not None


def test_missing_modules_package_is_a_clear_error(make_project):
    project = make_project({"archguard.yaml": CONFIG})
    with pytest.raises(ProjectError, match=r"modules package 'app\.modules' not found"):
        inventory_of(project)
