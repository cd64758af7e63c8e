"""The ``after`` platform keeps the promise: no core code depends on an optional module in
any way, and the app runs, serves its dashboards and passes its own smoke tests with any
optional module removed. Every run is real: a subprocess on a temporary copy."""

from __future__ import annotations

import pytest

from . import seed_facts
from .conftest import AFTER
from .platform_support import copy_state, drive, run_python, tree_digest
from .source_scan import (
    classes_and_tables,
    cross_imports,
    files_of,
    kernel_files,
    string_references,
)

pytestmark = pytest.mark.platform

NOT_CORE = {"optional", "internal"}
REMOVALS = [(m,) for m in seed_facts.OPTIONAL] + [tuple(seed_facts.OPTIONAL)]


@pytest.fixture(scope="module", autouse=True)
def fixture_tree_is_never_modified():
    digest = tree_digest(AFTER)
    yield
    assert tree_digest(AFTER) == digest, "the after/ fixture tree was modified"


def test_no_core_or_kernel_import_of_an_optional_or_internal_module_of_any_kind():
    files = files_of(AFTER, "core") + kernel_files(AFTER)
    assert cross_imports(AFTER, files, NOT_CORE) == set()


def test_no_string_reference_from_core_or_kernel_to_an_optional_module():
    classes, tables = classes_and_tables(AFTER, NOT_CORE)
    assert "MarketplaceImportJob" in classes and "products" in tables
    files = files_of(AFTER, "core") + kernel_files(AFTER)
    assert string_references(AFTER, files, classes, tables) == set()


def test_optional_modules_import_only_core_and_what_they_declare():
    for module in seed_facts.OPTIONAL:
        files = sorted((AFTER / "app" / "modules" / module).rglob("*.py"))
        allowed = {module} | set(_declared_requires(module))
        for found in cross_imports(AFTER, files, {"optional", "internal"}):
            target = found.module.split(".")[2]
            assert target in allowed or found.kind in {"type_checking", "guarded"}, found


def _declared_requires(module: str) -> list[str]:
    result = run_python(AFTER, "-c",
                        f"from app.modules.{module}.definition import {module}_module as m; "
                        "print(','.join(m.requires))")
    assert result.returncode == 0, result.stderr
    return [r for r in result.stdout.strip().split(",") if r]


def test_marketplace_declares_catalog_for_the_moved_product_operations():
    assert set(_declared_requires("marketplace")) == {"inventory", "catalog"}


def test_serves_both_dashboards_with_every_module(tmp_path):
    project = copy_state(AFTER, tmp_path / "after")
    result = drive(project, "dashboards")
    assert result["admin"]["status"] == 200 and result["store"]["status"] == 200
    assert result["skipped"] == {}
    for dashboard in ("admin", "store"):
        sections = {s["category"]: s for s in result[dashboard]["body"]["sections"]}
        assert sections["tenancy"]["available"] is True
        assert sections["orders"]["available"] is True
    store_sections = {s["category"]: s for s in result["store"]["body"]["sections"]}
    figures = {m["key"]: m["value"] for m in store_sections["customers"]["metrics"]}
    assert figures["customers.total"] == 3


def test_dashboards_say_no_stats_for_absent_modules(tmp_path):
    project = copy_state(AFTER, tmp_path / "after", remove=tuple(seed_facts.OPTIONAL))
    result = drive(project, "dashboards")
    assert result["modules"] == sorted(m.replace("_", "-") for m in
                                       seed_facts.CORE + seed_facts.INTERNAL)
    for dashboard in ("admin", "store"):
        assert result[dashboard]["status"] == 200
        sections = {s["category"]: s for s in result[dashboard]["body"]["sections"]}
        assert sections["tenancy"]["available"] is True
        for absent in ("orders", "inventory", "catalog", "marketplace"):
            assert sections[absent]["available"] is False
            assert "No stats available" in sections[absent]["message"]
            assert absent in sections[absent]["message"]


def test_customer_order_path_degrades_without_orders(tmp_path):
    project = copy_state(AFTER, tmp_path / "after", remove=("orders",))
    outcome = drive(project, "customer-orders")
    orders, stats = outcome.values()
    assert orders["status"] == 200
    assert orders["body"]["items"] == [] and orders["body"]["total"] == 0
    assert stats["status"] == 200


@pytest.mark.parametrize("removed", REMOVALS, ids=lambda r: "+".join(r) if len(r) < 8 else "all")
def test_smoke_tests_pass_with_optional_modules_removed(tmp_path, removed):
    project = copy_state(AFTER, tmp_path / "after", remove=removed)
    imported = run_python(project, "-c", "import app.main")
    assert imported.returncode == 0, imported.stderr
    result = run_python(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
