"""The ``structure`` contract kind: OK and breaking module layouts on a project of its own."""

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
  tidy: {category: optional}
definitions: {enabled: false}
contracts:
  - id: layout
    type: structure
    severity: warning
    required_files: [__init__.py, definition.py, exceptions.py]
    exceptions_module: exceptions.py
    definition_functions: [get_module_with_routers]
"""


def test_structure_reports_each_convention_a_module_breaks(make_project):
    project = make_project({
        "archguard.yaml": CONFIG,
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        # OK: every file, exceptions at home, the variable and the function
        "app/modules/tidy/__init__.py": "",
        "app/modules/tidy/exceptions.py": "class TidyError(Exception):\n    pass\n",
        "app/modules/tidy/definition.py": (
            "tidy_module = ModuleDefinition(code='tidy')\n"
            "def get_module_with_routers():\n    return tidy_module\n"),
        "app/modules/tidy/service.py": "class Helper(object):\n    pass\n",
        # no exceptions.py; an exception class in a service, over two lines
        "app/modules/shop/__init__.py": "",
        "app/modules/shop/definition.py": (
            "shop_module = ModuleDefinition(code='shop')\n"
            "def get_module_with_routers():\n    return shop_module\n"),
        "app/modules/shop/service.py": (
            "import errors\n\n"
            "class OutOfStock(\n        errors.ShopError):\n    pass\n"),
        # no definition.py at all
        "app/modules/extras/__init__.py": "",
        "app/modules/extras/exceptions.py": "",
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (outcome,) = result.contracts
    problems = sorted((p.path.relative_to(project).as_posix(), p.line, p.message, p.severity)
                      for p in outcome.problems)
    assert problems == [
        ("app/modules/extras", None, "extras has no definition.py", "warning"),
        ("app/modules/shop", None, "shop has no exceptions.py", "warning"),
        ("app/modules/shop/service.py", 3,
         "shop: exception class OutOfStock is defined outside exceptions.py", "warning"),
    ]
    assert not outcome.kept


def test_structure_reads_the_definition_variable_and_functions(make_project):
    project = make_project({
        "archguard.yaml": CONFIG.replace(", exceptions.py]", "]"),
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/tidy/__init__.py": "",
        "app/modules/tidy/definition.py": "tidy_module = ModuleDefinition(code='tidy')\n",
        "app/modules/shop/__init__.py": "",
        "app/modules/shop/definition.py": (
            "import os\nmodule = ModuleDefinition(code='shop')\n"
            "def get_module_with_routers():\n    return module\n"),
        "app/modules/extras/__init__.py": "",
        "app/modules/extras/definition.py": "x = 1\n",
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (outcome,) = result.contracts
    problems = sorted((p.path.relative_to(project).as_posix(), p.line, p.message)
                      for p in outcome.problems)
    assert problems == [
        ("app/modules/extras/definition.py", None,
         "extras: definition.py does not define get_module_with_routers()"),
        ("app/modules/extras/definition.py", None,
         "extras: the definition variable is none, the convention is `extras_module`"),
        ("app/modules/shop/definition.py", 2,
         "shop: the definition variable is `module`, the convention is `shop_module`"),
        ("app/modules/tidy/definition.py", None,
         "tidy: definition.py does not define get_module_with_routers()"),
    ]
