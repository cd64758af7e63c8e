"""The ``independence`` contract kind: OK and violating cases on a project of its own."""

from __future__ import annotations

from archguard.application.check import run_check
from archguard.config import load_config

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  analytics: {category: optional}
  orders: {category: optional}
  inventory: {category: optional}
  cart: {category: optional}
definitions: {enabled: false}
policy: {count: [module, lazy, string, type_checking, guarded]}
contracts:
  - {id: standalone, type: independence, modules: [analytics, orders, "inv*"]}
"""


def test_independence_reports_imports_between_listed_modules_only(make_project):
    project = make_project({
        "archguard.yaml": CONFIG,
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/analytics/__init__.py": "",
        # violating: a listed module importing another, at module level and lazily
        "app/modules/analytics/report.py": (
            "import json\n"
            "from app.modules.orders.models import Order\n"
            "from app.modules.cart import basket\n"
            "def stock():\n"
            "    from app.modules.inventory import levels\n"
            "    return levels\n"
        ),
        "app/modules/orders/__init__.py": "",
        "app/modules/orders/models.py": "from app.modules.orders import events\nOrder = 1\n",
        "app/modules/orders/events.py": "",
        "app/modules/inventory/__init__.py": "",
        "app/modules/inventory/levels.py": "",
        "app/modules/cart/__init__.py": "",
        # OK: cart is not listed, so it may import listed modules
        "app/modules/cart/basket.py": "from app.modules.orders.models import Order\n",
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (outcome,) = result.contracts
    found = sorted((v.file, v.line, v.source_module, v.target_module, v.kind)
                   for v in outcome.violations)
    assert found == [
        ("app/modules/analytics/report.py", 2, "analytics", "orders", "module"),
        ("app/modules/analytics/report.py", 5, "analytics", "inventory", "lazy"),
    ]
    assert outcome.violations[0].message == "analytics and orders must be independent"
    assert not outcome.kept


def test_a_single_star_makes_every_module_independent_of_every_other(make_project):
    project = make_project({
        "archguard.yaml": CONFIG.replace('modules: [analytics, orders, "inv*"]',
                                         'modules: ["*"]'),
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/analytics/__init__.py": "",
        "app/modules/analytics/report.py": "from app.modules.cart import basket\n",
        "app/modules/orders/__init__.py": "",
        "app/modules/inventory/__init__.py": "",
        "app/modules/cart/__init__.py": "",
        "app/modules/cart/basket.py": "from app.modules.orders import models\n",
        "app/modules/orders/models.py": "",
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (outcome,) = result.contracts
    assert sorted((v.source_module, v.target_module) for v in outcome.violations) == [
        ("analytics", "cart"), ("cart", "orders")]
