"""Both states of the reference platform follow the conventions the seed says already work:
definition files, discovery instead of lists, a kernel that names no module."""

from __future__ import annotations

import ast

import pytest

from . import seed_facts
from .conftest import AFTER, BEFORE
from .source_scan import cross_imports, kernel_files

pytestmark = pytest.mark.platform

STATES = [pytest.param(BEFORE, id="before"), pytest.param(AFTER, id="after")]


@pytest.fixture(params=STATES)
def state(request):
    if not request.param.is_dir():
        pytest.fail(f"{request.param} is missing")
    return request.param


def test_exactly_the_seed_modules_exist(state):
    modules = state / "app" / "modules"
    found = {p.name for p in modules.iterdir() if (p / "__init__.py").is_file()}
    assert found == set(seed_facts.CATEGORIES)


@pytest.mark.parametrize("module", sorted(seed_facts.CATEGORIES))
def test_each_definition_follows_the_convention(state, module):
    path = state / "app" / "modules" / module / "definition.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "get_module_with_routers" in functions
    calls = {
        target.id: node.value
        for node in tree.body if isinstance(node, ast.Assign)
        for target in node.targets if isinstance(target, ast.Name)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "ModuleDefinition"
    }
    assert list(calls) == [f"{module}_module"]
    keywords = {k.arg: ast.literal_eval(k.value) for k in calls[f"{module}_module"].keywords
                if k.arg in {"code", "is_core", "is_internal", "requires"}}
    assert keywords["code"] == module.replace("_", "-")
    category = seed_facts.CATEGORIES[module]
    assert keywords.get("is_core", False) is (category == "core")
    assert keywords.get("is_internal", False) is (category == "internal")
    requires = set(keywords.get("requires", []))
    expected = seed_facts.REQUIRES.get(module, set())
    if state == AFTER and module == "marketplace":
        expected = expected | {"catalog"}  # the moved product operations need catalog
    assert requires == expected


def test_modules_with_services_keep_their_exceptions_in_exceptions_py(state):
    for module in seed_facts.CATEGORIES:
        folder = state / "app" / "modules" / module
        if not (folder / "services").is_dir():
            continue
        assert (folder / "exceptions.py").is_file(), module
        for path in folder.rglob("*.py"):
            if path.name == "exceptions.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                    assert not any(b.endswith(("Exception", "Error")) for b in bases), (
                        f"{path.relative_to(state)}: exception class {node.name} outside "
                        "exceptions.py"
                    )


def test_kernel_imports_no_module(state):
    categories = {"core", "optional", "internal"}
    assert cross_imports(state, kernel_files(state), categories) == set()


def test_kernel_lists_no_module_by_name(state):
    for path in kernel_files(state):
        text = path.read_text(encoding="utf-8")
        strings = {n.value for n in ast.walk(ast.parse(text))
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        named = {m for m in seed_facts.CATEGORIES if m in strings or f"'{m}'" in strings}
        assert not named, f"{path.relative_to(state)} names {named}"


def test_services_take_db_per_call_not_in_init(state):
    for path in (state / "app" / "modules").rglob("services/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                params = {a.arg for a in node.args.args}
                assert "db" not in params, f"{path.relative_to(state)}:{node.lineno}"
