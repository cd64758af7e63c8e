"""The pytest plugin, run by pytest as a user runs it, and ``archguard.testing``."""

from __future__ import annotations

import shutil

import pytest

from archguard.testing import check, predict_without, run_without

from .conftest import AFTER, BEFORE, REPO, RULES
from .platform_support import tree_digest

pytest_plugins = ["pytester"]


@pytest.fixture
def platform(tmp_path):
    """The before platform with the rules as its archguard.yaml."""
    project = tmp_path / "platform"
    shutil.copytree(BEFORE, project, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(RULES, project / "archguard.yaml")
    return project


def run_pytest(pytester, project, *args):
    pytester.chdir()
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--rootdir", str(project),
        "--archguard-project", str(project), *args, str(project / "archtests"))


def test_each_contract_is_a_test_item_and_broken_ones_fail_with_their_violations(
        pytester, platform):
    (platform / "archtests").mkdir()
    (platform / "archtests" / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    result = run_pytest(pytester, platform, "--archguard", "-v")
    result.assert_outcomes(passed=8, failed=1)  # 7 contracts kept, 1 broken, 1 own test
    result.stdout.fnmatch_lines([
        "*archguard.yaml::core-not-optional FAILED*",
        "*archguard.yaml::nothing-depends-on-internal PASSED*",
        "*app/modules/customers/services/customer_service.py:332: customers (core) → orders "
        "(optional): from app.modules.orders.models import Order ?lazy?; used in "
        "CustomerService.get_customer_orders()*",
        "*app/modules/tenancy/models/store.py:51: tenancy (core) → marketplace (optional): "
        "relationship('MarketplaceImportJob') ?string?*",
        "*27 violations*",
    ])


def test_without_the_option_no_contract_is_collected(pytester, platform):
    (platform / "archtests").mkdir()
    (platform / "archtests" / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    result = run_pytest(pytester, platform)
    result.assert_outcomes(passed=1)


def test_the_fixture_gives_the_checked_project(pytester, platform):
    (platform / "archtests").mkdir()
    (platform / "archtests" / "test_arch.py").write_text('''
def test_tenancy_reaches_marketplace_only_through_known_places(archguard_project):
    outcome = archguard_project.contract("core-not-optional")
    assert not outcome.kept
    files = {v.file for v in archguard_project.violations("core-not-optional")
             if v.target_module == "marketplace"}
    assert "app/modules/tenancy/models/__init__.py" in files


def test_graph_and_prediction(archguard_project):
    graph = archguard_project.graph
    assert "app.modules.tenancy.models" in graph.find_modules_that_directly_import(
        "app.modules.marketplace.models.marketplace_import_job")
    prediction = archguard_project.predict_without("orders")
    assert not prediction.import_crash
    assert len(prediction.runtime_failures) == 2


def test_a_contract_that_does_not_exist(archguard_project):
    import pytest
    with pytest.raises(KeyError, match="no contract 'nope'"):
        archguard_project.contract("nope")
''')
    result = run_pytest(pytester, platform)
    result.assert_outcomes(passed=3)


def test_run_without_reports_how_the_copy_ran():
    digest = tree_digest(BEFORE)
    crashed = run_without(BEFORE, ["marketplace"], config=RULES)
    assert not crashed.ok and crashed.exit_code == 1
    assert crashed.first_error == ("ModuleNotFoundError: No module named "
                                   "'app.modules.marketplace' at "
                                   "app/modules/tenancy/models/__init__.py:22")
    runs = run_without(BEFORE, ["orders"], "python -c 'import app.main'", config=RULES)
    assert runs.ok and runs.failures == () and runs.first_error is None
    assert tree_digest(BEFORE) == digest


def test_check_and_predict_helpers():
    assert check(AFTER, config=RULES, use_cache=False).violations == []
    prediction = predict_without(BEFORE, ["catalog"], config=RULES, use_cache=False)
    assert prediction.import_crash
    assert next(c for c in prediction.crashes if c.first).file == "app/modules/cms/models/media.py"


def _worked_example() -> str:
    text = (REPO / "docs" / "pytest-plugin.md").read_text(encoding="utf-8")
    section = text.split("## A worked example", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize(("state", "outcomes"), [
    (AFTER, {"passed": 17}),
    # The contract; the predictions for analytics, catalog, inventory, marketplace and
    # orders; the runs without analytics, catalog and marketplace (without inventory or
    # orders the app still starts, and fails later).
    (BEFORE, {"passed": 8, "failed": 9}),
])
def test_the_documented_worked_example_holds(pytester, tmp_path, state, outcomes):
    project = tmp_path / "platform"
    shutil.copytree(state, project, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(RULES, project / "archguard.yaml")
    (project / "archtests").mkdir()
    (project / "archtests" / "test_architecture.py").write_text(_worked_example())
    result = run_pytest(pytester, project)
    result.assert_outcomes(**outcomes)
    if state == BEFORE:
        result.stdout.fnmatch_lines([
            "*ModuleNotFoundError: No module named 'app.modules.catalog' at "
            "app/modules/cms/models/media.py:9*"])
        result.stdout.fnmatch_lines(["*app/modules/tenancy/routes/api/admin_stores.py:348 "
                                     "export_store_letzshop_feed*"])
