"""The ``layers`` contract kind: a stack ``graphql > plugins | webhook > shop_* > category:core``
on a project of its own; each way of breaking it, and what it allows."""

from __future__ import annotations

import pytest

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.contracts.layers import parse_layer
from archguard.errors import ConfigError

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  graphql: {category: optional}
  plugins: {category: optional}
  webhook: {category: optional}
  shop_orders: {category: optional}
  shop_carts: {category: optional}
  accounts: {category: core}
  money: {category: core}
definitions: {enabled: false}
contracts:
  - id: stack
    type: layers
    layers: [graphql, plugins | webhook, "shop_orders : shop_carts", "category:core"]
"""

IMPORTS = {
    # allowed: down the stack, and between the open siblings of one layer
    "graphql/schema.py": "from app.modules.plugins import hooks\nfrom app.modules.money import x\n",
    "shop_orders/models.py": "from app.modules.shop_carts import cart\n"
                             "from app.modules.accounts import user\n",
    "shop_carts/cart.py": "from app.modules.shop_orders import models\n",
    "accounts/user.py": "from app.modules.money import x\n",  # one member: category:core
    # forbidden: up the stack, and between independent siblings
    "accounts/admin.py": "from app.modules.graphql import schema\n",
    "shop_carts/api.py": "def f():\n    from app.modules.webhook import send\n",
    "plugins/hooks.py": "from app.modules.webhook import send\n",
}


def project(make_project, config: str = CONFIG):
    files = {"archguard.yaml": config, "app/__init__.py": "", "app/modules/__init__.py": ""}
    for name in ("graphql", "plugins", "webhook", "shop_orders", "shop_carts", "accounts",
                 "money"):
        files[f"app/modules/{name}/__init__.py"] = ""
    for name in ("plugins/hooks.py", "webhook/send.py", "money/x.py"):
        files[f"app/modules/{name}"] = ""
    for name, text in IMPORTS.items():
        files[f"app/modules/{name}"] = text
    return make_project(files)


def test_up_the_stack_and_between_independent_siblings_is_forbidden(make_project):
    root = project(make_project)
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    (outcome,) = result.contracts
    found = sorted((v.file, v.line, v.kind, v.message) for v in outcome.violations)
    assert found == [
        ("app/modules/accounts/admin.py", 1, "module",
         "accounts (layer 4: category:core) depends on graphql (layer 1: graphql), which is "
         "above it"),
        ("app/modules/plugins/hooks.py", 1, "module",
         "plugins (plugins) depends on webhook (webhook): the members of layer 2 "
         "(plugins | webhook) must be independent"),
        ("app/modules/shop_carts/api.py", 2, "lazy",
         "shop_carts (layer 3: shop_orders : shop_carts) depends on webhook (layer 2: "
         "plugins | webhook), which is above it"),
    ]


@pytest.mark.parametrize(("text", "members", "independent"), [
    ("graphql", ("graphql",), False),
    ("plugins | webhook", ("plugins", "webhook"), True),
    ("shop_orders : shop_carts", ("shop_orders", "shop_carts"), False),
    ("category:core", ("category:core",), False),
    ("category:core|money", ("category:core", "money"), True),
])
def test_a_layer_is_read_as_written(text, members, independent):
    layer = parse_layer(0, text)
    assert (layer.members, layer.independent) == (members, independent)


def test_unknown_names_in_a_layer_are_configuration_errors(make_project):
    for layer, wrong in (("nosuch | plugins", "nosuch"), ("category:nosuch", "nosuch")):
        root = project(make_project, CONFIG.replace('"category:core"]', f'"{layer}"]'))
        with pytest.raises(ConfigError, match=wrong):
            run_check(root, load_config(root / "archguard.yaml"), use_cache=False)


def test_a_long_layer_is_named_by_its_first_members_and_how_many_it_has():
    """A stack of a thousand plugins in one layer: each violation's message names the
    layer in a line, not in a thousand names (it is repeated for every violation)."""
    plugins = [f"plugin_{n:04d}" for n in range(1000)]
    independent = parse_layer(1, " | ".join(plugins))
    assert independent.shown == "plugin_0000 | plugin_0001 | plugin_0002 | … (1,000 members)"
    assert parse_layer(2, " : ".join(plugins)).shown.endswith(
        "plugin_0002 : … (1,000 members)")
    assert parse_layer(0, "plugins | webhook").shown == "plugins | webhook"
