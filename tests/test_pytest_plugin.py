"""The pytest plugin, run by pytest as a user runs it, and ``archguard.testing``."""

from __future__ import annotations

import shutil

import pytest

# pytester's in-process runs forget the modules first imported inside them, while PyYAML's
# libyaml extension loads once per process and keeps building the node classes of that
# first import, which a later run's re-imported yaml no longer recognises.
import yaml  # noqa: F401

from archguard.testing import check, predict_without, run_without

from .conftest import AFTER, BEFORE, REPO, RULES, write_tree
from .platform_support import tree_digest

pytest_plugins = ["pytester"]

# A core module importing an optional one: core-not-optional is broken, kernel-generic kept.
SMALL_CONFIG = """
    version: 1
    project: {root_package: app, modules_package: app.modules}
    kernel: [app.main]
    categories: {core: {}, optional: {}}
    modules:
      shop: {category: core}
      extras: {category: optional}
    definitions: {enabled: false}
    contracts:
      - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
      - {id: kernel-generic, type: kernel_generic, forbidden: [optional]}
    """
SMALL_PROJECT = {
    "app/__init__.py": "",
    "app/main.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/shop/service.py": """
        from app.modules.extras.gift import Gift


        def wrap():
            return Gift()
        """,
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
    "tests/test_app.py": "def test_ok():\n    pass\n\n\ndef test_other():\n    pass\n",
}
TESTPATHS = "[pytest]\ntestpaths = tests\n"


@pytest.fixture
def small(pytester):
    """A small project in pytester's folder, its configuration at the top and its tests in
    ``tests/`` (the only testpath)."""
    return write_tree(pytester.path, {**SMALL_PROJECT, "archguard.yaml": SMALL_CONFIG,
                                      "pytest.ini": TESTPATHS})


def collected(result) -> list[str]:
    """The node ids a ``-v`` run reported, in order."""
    return [line.split(" ")[0] for line in result.outlines
            if line.endswith("]") and (" PASSED " in line or " FAILED " in line)]


@pytest.mark.parametrize("ini", [TESTPATHS, "[pytest]\n"], ids=["testpaths", "cwd"])
def test_without_a_path_every_contract_is_collected_once(pytester, small, ini):
    # With testpaths, pytest walks tests/ only; without, it walks the folder that already
    # holds archguard.yaml. Either way each contract is an item, once.
    (small / "pytest.ini").write_text(ini)
    result = pytester.runpytest("-p", "no:cacheprovider", "--archguard", "-v")
    result.assert_outcomes(passed=3, failed=1)
    assert sorted(collected(result)) == [
        "archguard.yaml::core-not-optional", "archguard.yaml::kernel-generic",
        "tests/test_app.py::test_ok", "tests/test_app.py::test_other"]


def test_a_broken_contract_fails_with_its_violations(pytester, small):
    result = pytester.runpytest("-p", "no:cacheprovider", "--archguard")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*_ archguard contract core-not-optional _*",
        "core-not-optional: core-not-optional",
        "  app/modules/shop/service.py:1: shop (core) → extras (optional): "
        "from app.modules.extras.gift import Gift ?module?; used in wrap() :5",
        "1 violation",
        "*short test summary*",
        "FAILED archguard.yaml::core-not-optional - core-not-optional: core-not-optional",
    ])


@pytest.mark.parametrize(("args", "selected", "deselected"), [
    (["archguard.yaml::core-not-optional"], ["archguard.yaml::core-not-optional"], 0),
    (["archguard.yaml"], ["archguard.yaml::core-not-optional",
                          "archguard.yaml::kernel-generic"], 0),
    (["-k", "core-not-optional"], ["archguard.yaml::core-not-optional"], 3),
    (["-k", "kernel-generic or test_ok"], ["tests/test_app.py::test_ok",
                                           "archguard.yaml::kernel-generic"], 2),
    (["-m", "archguard"], ["archguard.yaml::core-not-optional",
                           "archguard.yaml::kernel-generic"], 2),
    (["tests/test_app.py::test_ok"], ["tests/test_app.py::test_ok"], 0),
    (["tests"], ["tests/test_app.py::test_ok", "tests/test_app.py::test_other"], 0),
], ids=["node-id", "config-file", "k-contract", "k-mixed", "m-archguard", "test-node-id",
        "test-folder"])
def test_node_ids_k_and_m_select_contracts_like_tests(pytester, small, args, selected,
                                                      deselected):
    result = pytester.runpytest("-p", "no:cacheprovider", "--archguard", "-v", *args)
    assert collected(result) == selected
    assert result.parseoutcomes().get("deselected", 0) == deselected


def test_the_project_folder_as_a_path_collects_a_configuration_kept_elsewhere(pytester):
    write_tree(pytester.path / "project", SMALL_PROJECT)
    write_tree(pytester.path, {"rules/architecture.yaml": SMALL_CONFIG,
                               "pytest.ini": "[pytest]\n"})
    options = ["-p", "no:cacheprovider", "--archguard", "-v", "--archguard-project",
               "project", "--archguard-config", "rules/architecture.yaml"]
    result = pytester.runpytest(*options, "project")
    assert sorted(collected(result)) == [
        "project/tests/test_app.py::test_ok", "project/tests/test_app.py::test_other",
        "rules/architecture.yaml::core-not-optional",
        "rules/architecture.yaml::kernel-generic"]
    inside = pytester.runpytest(*options, "project/tests")
    assert collected(inside) == ["project/tests/test_app.py::test_ok",
                                 "project/tests/test_app.py::test_other"]


def test_without_the_option_no_contract_is_collected(pytester, small):
    result = pytester.runpytest("-p", "no:cacheprovider", "-v", ".")
    assert collected(result) == ["tests/test_app.py::test_ok", "tests/test_app.py::test_other"]


def test_an_invalid_configuration_is_a_collection_error_that_names_the_key(pytester, small):
    write_tree(small, {"archguard.yaml": SMALL_CONFIG.replace("shop: {category: core}",
                                                              "shop: {categry: core}")})
    result = pytester.runpytest("-p", "no:cacheprovider", "--archguard")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR collecting archguard.yaml*",
        "archguard: */archguard.yaml:*: modules.shop.categry: unknown key *"
        "(did you mean 'category'?)",
    ])


def test_a_project_without_configuration_is_a_usage_error(pytester, small):
    (small / "archguard.yaml").unlink()
    result = pytester.runpytest("-p", "no:cacheprovider", "--archguard")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --archguard: no configuration found in *"])


@pytest.fixture
def platform(tmp_path):
    """The before platform with the rules as its archguard.yaml."""
    project = tmp_path / "platform"
    shutil.copytree(BEFORE, project, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(RULES, project / "archguard.yaml")
    return project


def run_pytest(pytester, project, *args, path="archtests"):
    pytester.chdir()
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--rootdir", str(project),
        "--archguard-project", str(project), *args, str(project / path))


@pytest.mark.platform
def test_each_contract_is_a_test_item_and_broken_ones_fail_with_their_violations(
        pytester, platform):
    (platform / "archtests").mkdir()
    (platform / "archtests" / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    result = run_pytest(pytester, platform, "--archguard", "-v", path=".")
    result.assert_outcomes(passed=9, failed=1)  # 8 contracts kept, 1 broken, 1 own test
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


@pytest.mark.platform
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


@pytest.mark.platform
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


@pytest.mark.platform
def test_check_and_predict_helpers():
    assert check(AFTER, config=RULES, use_cache=False).violations == []
    prediction = predict_without(BEFORE, ["catalog"], config=RULES, use_cache=False)
    assert prediction.import_crash
    assert next(c for c in prediction.crashes if c.first).file == "app/modules/cms/models/media.py"


def _worked_example() -> str:
    text = (REPO / "docs" / "pytest-plugin.md").read_text(encoding="utf-8")
    section = text.split("## A worked example", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.platform
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
