"""Used-in: where a violating import's names are used, resolved through nested scopes."""

from __future__ import annotations

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
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
}


def violations_of(make_project, source):
    project = make_project({**BASE, "app/modules/shop/service.py": source})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    return sorted(result.violations, key=lambda v: v.line)


def test_a_closure_over_a_lazy_import_is_used_in_the_inner_function(make_project):
    """A name imported lazily in outer() and read by its closure inner() is used in inner."""
    (violation,) = violations_of(make_project, (
        "def outer():\n"
        "    from app.modules.extras.gift import Gift\n"
        "    def inner():\n"
        "        return Gift\n"
        "    return inner\n"
    ))
    assert (violation.line, violation.kind, violation.function) == (2, "lazy", "outer")
    assert [(u.symbol, u.lines) for u in violation.used_in] == [("outer.inner", (4,))]
    assert [u.render() for u in violation.used_in] == ["outer.inner() :4"]


def test_a_closure_is_credited_to_the_enclosing_import_not_a_module_level_one(make_project):
    """With the same name also imported at module level, each use goes to the import it reads."""
    module_level, lazy = violations_of(make_project, (
        "from app.modules.extras.gift import Gift\n"
        "def top():\n"
        "    return Gift\n"
        "def outer():\n"
        "    from app.modules.extras.gift import Gift\n"
        "    def inner():\n"
        "        return Gift\n"
        "    return inner\n"
    ))
    assert (module_level.line, module_level.kind) == (1, "module")
    assert [u.render() for u in module_level.used_in] == ["top() :3"]
    assert (lazy.line, lazy.kind) == (5, "lazy")
    assert [u.render() for u in lazy.used_in] == ["outer.inner() :7"]
