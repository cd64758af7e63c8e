"""simulate's start-up prediction on small projects: the chain from the entry point to the
failing import, the shortest one, and dynamic imports that run only when called."""

from __future__ import annotations

import pytest

from archguard.application.simulate import RemovalModel
from archguard.config import load_config
from archguard.domain.simulation import BREAKS_AT_RUNTIME, CRASHES_AT_IMPORT, Link

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
runtime:
  entry_points: [app.main]
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
}


def predict_without_extras(make_project, files):
    project = make_project({**BASE, **files})
    model = RemovalModel(project, load_config(project / "archguard.yaml"), use_cache=False)
    return model.predict(["extras"])


def test_the_start_up_chain_reads_from_the_entry_point_to_the_failing_import(make_project):
    """A crash's chain starts at the entry point and ends at the importer of the failing module."""
    prediction = predict_without_extras(make_project, {
        "app/main.py": '"""The entry point."""\nimport app.api\n',
        "app/api.py": "import app.services\n",
        "app/services.py": "from app.modules.shop import cart\n",
        "app/modules/shop/cart.py": '"""Carts."""\n\nfrom app.modules.extras.gift import Gift\n',
    })
    assert prediction.verdict == CRASHES_AT_IMPORT
    (crash,) = prediction.crashes
    assert (crash.module, crash.file, crash.line, crash.target, crash.root) == (
        "app.modules.shop.cart", "app/modules/shop/cart.py", 3, "app.modules.extras", "app.main")
    assert crash.chain == (Link("app.main", "app/main.py", 2),
                           Link("app.api", "app/api.py", 1),
                           Link("app.services", "app/services.py", 1))
    assert crash.render_chain(" -> ") == (
        "app.main (app/main.py:2) -> app.api (app/api.py:1) -> "
        "app.services (app/services.py:1) -> "
        "app.modules.shop.cart (app/modules/shop/cart.py:3) -> app.modules.extras")


# Both orders: a search that goes deep first finds the long path whichever of the two
# imports it follows first (the last pushed, or the first in line order).
@pytest.mark.parametrize("first", ["long", "short"])
def test_of_two_paths_to_the_failing_import_the_shortest_is_reported(make_project, first):
    """When the entry point reaches the failing module by two paths, the chain is the shorter."""
    second = "short" if first == "long" else "long"
    prediction = predict_without_extras(make_project, {
        "app/main.py": f"import app.{first}\nimport app.{second}\n",
        "app/long.py": "import app.middle\n",
        "app/middle.py": "import app.services\n",
        "app/short.py": "import app.services\n",
        "app/services.py": "import app.modules.extras.gift\n",
    })
    (crash,) = prediction.crashes
    assert (crash.module, crash.line, crash.target) == ("app.services", 1, "app.modules.extras")
    short_line = 1 if first == "short" else 2
    assert crash.chain == (Link("app.main", "app/main.py", short_line),
                           Link("app.short", "app/short.py", 1))


LOADS_IN_A_FUNCTION = (
    "import importlib\n"
    "\n"
    "\n"
    "def load_gifts():\n"
    '    return importlib.import_module("app.modules.extras.gift")\n'
)


def test_import_module_inside_a_function_fails_when_called_not_at_start_up(make_project):
    """importlib.import_module() in a function is a runtime failure of it, not a start-up crash."""
    prediction = predict_without_extras(make_project, {
        "app/main.py": "import app.services\n",
        "app/services.py": LOADS_IN_A_FUNCTION,
    })
    assert prediction.crashes == ()
    assert prediction.verdict == BREAKS_AT_RUNTIME
    assert [(f.file, f.line, f.function, f.kind, f.target, f.statement)
            for f in prediction.runtime_failures] == [
        ("app/services.py", 5, "load_gifts", "string", "app.modules.extras.gift",
         "importlib.import_module('app.modules.extras.gift')")]


def test_import_module_at_module_level_crashes_start_up_beside_one_in_a_function(make_project):
    """Only the module-level import_module() crashes start-up; the one in a function runs later."""
    prediction = predict_without_extras(make_project, {
        "app/main.py": "import app.services\nimport app.plugins\n",
        "app/services.py": LOADS_IN_A_FUNCTION,
        "app/plugins.py": ("import importlib\n\n"
                           'GIFTS = importlib.import_module("app.modules.extras.gift")\n'),
    })
    assert [(c.module, c.line, c.target, c.chain) for c in prediction.crashes] == [
        ("app.plugins", 3, "app.modules.extras", (Link("app.main", "app/main.py", 2),))]
    assert [(f.file, f.line, f.function) for f in prediction.runtime_failures] == [
        ("app/services.py", 5, "load_gifts")]
