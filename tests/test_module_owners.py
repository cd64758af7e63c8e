"""Which part of the architecture a dotted name belongs to (module, kernel, other project code,
standard library, third party), and how a module's requirements are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.inventory import Finding, Inventory, Module
from archguard.domain.layout import Layout, Owner


def module(name: str, category: str | None, code: str = "", requires=()) -> Module:
    return Module(name=name, package=f"app.modules.{name}", path=Path("app/modules") / name,
                  code=code or name, category=category, category_source="config",
                  requires=tuple(requires), requires_source="config")


MODULES = (
    module("shop", "core", code="SHOP"),
    module("gifts", "optional", code="GIFT"),
    module("extras", "optional", code="EXTRA", requires=["GIFT", "shop", "ghost"]),
    module("loose", None),
)


@pytest.fixture
def layout() -> Layout:
    config = ArchitectureConfig(source=Path("archguard.yaml"), root_package="app",
                                modules_package="app.modules",
                                kernel=("app.core", "app.core.db", "app.main"))
    inventory = Inventory(project_dir=Path("."), modules_package="app.modules",
                          modules=MODULES, kernel=config.kernel)
    return Layout(config, inventory)


@pytest.mark.parametrize(("dotted", "owner"), [
    ("app.modules.shop", Owner("shop", "module", "core", frozenset())),
    ("app.modules.shop.api.routes", Owner("shop", "module", "core", frozenset())),
    ("app.modules.loose.x", Owner("loose", "module", None, frozenset())),
    ("app.modules.ghost.x", Owner("app.modules.ghost.x", "project")),
    ("app.modules", Owner("app.modules", "project")),
    ("app", Owner("app", "project")),
    ("app.helpers", Owner("app.helpers", "project")),
    ("app.main", Owner("app.main", "kernel", "core")),
    ("app.core.cache", Owner("app.core", "kernel", "core")),
    ("app.core.db", Owner("app.core.db", "kernel", "core")),
    ("app.core.db.session", Owner("app.core.db", "kernel", "core")),
    ("app.coreutils", Owner("app.coreutils", "project")),
    ("os.path", Owner("os", "stdlib")),
    ("typing", Owner("typing", "stdlib")),
    ("sqlalchemy.orm", Owner("sqlalchemy", "external")),
    ("application.views", Owner("application", "external")),
])
def test_the_owner_of_a_dotted_name(layout, dotted, owner):
    assert layout.owner_of(dotted) == owner


def test_requirements_given_by_code_are_named_by_module(layout):
    assert layout.owner_of("app.modules.extras").requires == frozenset(
        {"gifts", "shop", "ghost"})


def test_an_inventory_finds_a_module_by_name_or_code_and_groups_by_category():
    inventory = Inventory(project_dir=Path("."), modules_package="app.modules",
                          modules=MODULES, kernel=())
    assert inventory.module("gifts").name == inventory.module("GIFT").name == "gifts"
    assert inventory.module("nothing") is None
    grouped = inventory.by_category()
    assert {category: [m.name for m in modules] for category, modules in grouped.items()} == {
        "core": ["shop"], "optional": ["gifts", "extras"], None: ["loose"]}
    assert [m.categorised for m in MODULES] == [True, True, True, False]


@pytest.mark.parametrize(("path", "line", "location"), [
    (Path("app/x.py"), 12, "app/x.py:12"),
    (Path("app/x.py"), None, "app/x.py"),
    (None, 3, ""),
])
def test_a_finding_location_is_file_and_line(path, line, location):
    assert Finding("rule", "message", path, line).location == location
