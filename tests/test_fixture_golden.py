"""``expected_violations.yaml`` stays true to the ``before`` platform's source.

The source is read here with the standard library's ``ast``, independently of archguard, so
the golden file can serve as the expected result for archguard's own checks.
"""

from __future__ import annotations

import ast

import pytest
import yaml

from . import seed_facts
from .conftest import BEFORE, PLATFORM
from .source_scan import (
    FoundImport,
    classes_and_tables,
    cross_imports,
    files_of,
    module_of,
    string_references,
)

pytestmark = pytest.mark.platform

GOLDEN = PLATFORM / "expected_violations.yaml"


def load_golden() -> dict:
    return yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))


def golden_imports(section: str) -> set[FoundImport]:
    return {
        FoundImport(e["file"], e["line"], e["imported"], tuple(sorted(e["names"])), e["kind"])
        for e in load_golden()[section]
    }


def test_golden_lists_exactly_the_core_to_optional_imports():
    found = cross_imports(BEFORE, files_of(BEFORE, "core"), {"optional", "internal"})
    assert golden_imports("violations") == found


def test_golden_lists_the_core_to_core_billing_imports_as_not_violations():
    found = {
        f for f in cross_imports(BEFORE, files_of(BEFORE, "core"), {"core"})
        if module_of(f.module) == "billing"
        and module_of(f.file.replace("/", ".")) in {"tenancy", "cms"}
    }
    assert golden_imports("not_violations") == found
    for entry in load_golden()["not_violations"]:
        assert "2026-02-03" in entry["reason"]


def test_every_seed_listed_import_is_in_the_golden_file_at_its_line():
    """The seed's table (SEED-FACTS.md) written down independently of the golden file."""
    seed = {
        ("tenancy/models/__init__.py", 22, "MarketplaceImportJob"),
        ("tenancy/services/admin_service.py", 36, "MarketplaceImportJob"),
        ("tenancy/services/admin_service.py", 40, "MarketplaceImportJobResponse"),
        ("tenancy/services/store_service.py", 18, "ProductAlreadyExistsException"),
        ("tenancy/services/store_service.py", 19, "MarketplaceProductNotFoundException"),
        ("tenancy/services/store_service.py", 26, "MarketplaceProduct"),
        ("tenancy/services/store_service.py", 27, "Product"),
        ("tenancy/services/store_service.py", 30, "ProductCreate"),
        ("tenancy/routes/api/admin_stores.py", 20, "stats_service"),
        ("tenancy/routes/api/admin_stores.py", 23, "StoreStatsResponse"),
        ("tenancy/routes/api/admin_stores.py", 348, "letzshop_export_service"),
        ("tenancy/routes/api/admin_stores.py", 399, "letzshop_export_service"),
        ("tenancy/routes/api/admin_platform_users.py", 18, "stats_service"),
        ("core/routes/api/admin_dashboard.py", 14, "stats_service"),
        ("core/routes/api/admin_dashboard.py", 16, "StoreStatsResponse"),
        ("core/routes/api/store_dashboard.py", 17, "stats_service"),
        ("core/routes/api/store_dashboard.py", 20, "StoreStatsResponse"),
        ("cms/models/__init__.py", 14, "ProductMedia"),
        ("cms/models/media.py", 9, "ProductMedia"),
        ("cms/services/media_service.py", 31, "ProductMedia"),
        ("customers/services/customer_service.py", 332, "Order"),
        ("customers/services/customer_service.py", 368, "Order"),
        ("billing/services/subscription_service.py", 48, "Product"),
        ("billing/services/admin_subscription_service.py", 30, "Product"),
        ("billing/services/capacity_forecast_service.py", 19, "Product"),
    }
    listed = {
        (e["file"].removeprefix("app/modules/"), e["line"], name)
        for e in load_golden()["violations"]
        for name in e["names"]
    }
    assert seed <= listed
    lazy = {(e["file"], e["line"]) for e in load_golden()["violations"] if e["kind"] == "lazy"}
    assert lazy == {
        ("app/modules/customers/services/customer_service.py", 332),
        ("app/modules/customers/services/customer_service.py", 368),
        ("app/modules/tenancy/routes/api/admin_stores.py", 348),
        ("app/modules/tenancy/routes/api/admin_stores.py", 399),
    }


def _functions(tree: ast.Module) -> dict[str, ast.AST]:
    """Qualified name (``Class.method``) → function node, at any depth."""
    result: dict[str, ast.AST] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                result[f"{prefix}{child.name}"] = child
                walk(child, f"{prefix}{child.name}.")

    walk(tree, "")
    return result


def _name_lines(node: ast.AST, names: set[str]) -> set[int]:
    """Lines where one of ``names`` is read (``Name`` loads, and names inside string
    annotations are not counted)."""
    return {
        n.lineno for n in ast.walk(node)
        if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)
    }


def _innermost_function(functions: dict[str, ast.AST], line: int) -> str | None:
    best = None
    for qualname, fn in functions.items():
        if fn.lineno <= line <= fn.end_lineno and (
            best is None or fn.lineno >= functions[best].lineno
        ):
            best = qualname
    return best


@pytest.mark.parametrize("section", ["violations", "not_violations"])
def test_used_in_names_every_use_with_its_function_and_line(section):
    """Each ``used_in`` entry's lines are real uses inside that function, and every use of
    the imported names in the file appears in ``used_in``."""
    for entry in load_golden()[section]:
        path = BEFORE / entry["file"]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = _functions(tree)
        names = set(entry.get("bound_as") or entry["names"])
        expected: set[tuple[str, int]] = set()
        for use in entry["used_in"]:
            where = use["function"]
            for line in use["lines"]:
                expected.add((where, line))
        scope = tree
        if entry["kind"] == "lazy":  # a lazy import binds its names in its own function only
            scope = functions[entry["function"]]
        actual: set[tuple[str, int]] = set()
        for line in _name_lines(scope, names):
            actual.add((_innermost_function(functions, line) or "<module>", line))
        assert actual == expected, f"{entry['file']}:{entry['line']}"


def test_lazy_imports_sit_in_the_function_the_golden_file_names():
    for entry in load_golden()["violations"]:
        if entry["kind"] != "lazy":
            continue
        tree = ast.parse((BEFORE / entry["file"]).read_text(encoding="utf-8"))
        assert _innermost_function(_functions(tree), entry["line"]) == entry["function"]


def test_string_references_are_the_relationships_to_optional_classes():
    classes, tables = classes_and_tables(BEFORE, {"optional", "internal"})
    found = string_references(BEFORE, files_of(BEFORE, "core"), classes, tables)
    golden = {(e["file"], e["line"], e["reference"], e["target"])
              for e in load_golden()["string_references"]}
    assert golden == found
    holders = {e["holder"] for e in load_golden()["string_references"]}
    assert holders == {"User", "Store"}


def test_golden_targets_and_categories_agree_with_the_seed():
    for entry in load_golden()["violations"]:
        source = module_of(entry["file"].replace("/", "."))
        assert entry["source"] == source
        assert seed_facts.CATEGORIES[source] == "core"
        assert entry["target"] == module_of(entry["imported"])
        assert seed_facts.CATEGORIES[entry["target"]] == "optional"
