"""The "Used in" column: each use site of a violating import rendered as a reader sees it."""

from __future__ import annotations

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.domain.imports import UseSite

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


def test_use_sites_render_function_lines_and_labels(make_project):
    project = make_project({
        "archguard.yaml": CONFIG,
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/shop/__init__.py": "",
        "app/modules/extras/__init__.py": "",
        "app/modules/extras/gift.py": "class Gift:\n    pass\n",
        "app/modules/shop/service.py": (
            "from app.modules.extras.gift import Gift\n"
            "@register(Gift)\n"
            "def handler(kind=Gift) -> Gift:\n"
            "    first = Gift()\n"
            "    return Gift(first)\n"
        ),
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (violation,) = result.violations
    assert [use.render() for use in violation.used_in] == [
        "module level :2, :3 (decorator (line 2))",
        "handler() :3, :4, :5 (return type (line 3))",
    ]


def test_a_use_site_without_labels_has_no_parentheses():
    assert UseSite("Basket.price", (7,)).render() == "Basket.price() :7"
    assert UseSite("<module>", (1, 9)).render() == "module level :1, :9"
