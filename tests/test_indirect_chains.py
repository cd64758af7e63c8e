"""A contract's ``indirect`` option: which chains of imports make a module depend on another
(``kernel``, the default: through kernel and uncategorised code; ``any``: through any project
code; ``none``: direct imports only), each reported with every link's file:line."""

from __future__ import annotations

import pytest

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.errors import ConfigError

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  api: {category: optional}
  billing: {category: optional}
  middle: {category: optional}
  store: {category: core}
definitions: {enabled: false}
contracts:
  - id: stack
    type: layers
    layers: [api, middle, store]
"""

FILES = {
    "app/__init__.py": "",
    "app/helpers.py": "from app.modules.api import views\n",
    "app/modules/__init__.py": "",
    "app/modules/api/__init__.py": "",
    "app/modules/api/views.py": "",
    "app/modules/api/forms.py": "",
    "app/modules/billing/__init__.py": "",
    # billing is in no layer: the contract judges none of its imports.
    "app/modules/billing/invoices.py": "import os\nfrom app.modules.api import views\n",
    "app/modules/billing/tax.py": "from app.modules.billing import invoices\n",
    "app/modules/middle/__init__.py": "",
    "app/modules/middle/relay.py": "from app.modules.api import forms\n",
    "app/modules/store/__init__.py": "",
    # store -> billing -> api: a chain through a module outside the stack.
    "app/modules/store/orders.py": "from app.modules.billing import tax\n",
    # store -> middle -> api: through a layer's module, whose own import is the violation.
    "app/modules/store/sync.py": "from app.modules.middle import relay\n",
    # store -> app.helpers -> api: through uncategorised code.
    "app/modules/store/cart.py": "import app.helpers\n",
}


def check(make_project, indirect: str | None = None, config: str = CONFIG):
    option = f"    indirect: {indirect}\n" if indirect else ""
    root = make_project({**FILES, "archguard.yaml": config + option})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    return sorted(result.violations, key=lambda v: (v.file, v.line))


def rows(violations):
    return [(v.file, v.line, v.imported, len(v.chain)) for v in violations]


def test_by_default_chains_pass_kernel_and_uncategorised_code_only(make_project):
    assert rows(check(make_project)) == [
        ("app/modules/middle/relay.py", 1, "app.modules.api", 0),
        ("app/modules/store/cart.py", 1, "app.modules.api.views", 2),
        ("app/modules/store/sync.py", 1, "app.modules.middle", 0),
    ]


def test_any_follows_a_chain_through_a_module_outside_the_contract(make_project):
    found = check(make_project, "any")
    assert rows(found) == [
        ("app/modules/middle/relay.py", 1, "app.modules.api", 0),
        ("app/modules/store/cart.py", 1, "app.modules.api.views", 2),
        ("app/modules/store/orders.py", 1, "app.modules.api.views", 3),
        ("app/modules/store/sync.py", 1, "app.modules.middle", 0),
    ]
    chain = next(v for v in found if v.file.endswith("orders.py"))
    assert chain.chain == (
        "app.modules.store.orders (app/modules/store/orders.py:1) -> app.modules.billing.tax",
        "app.modules.billing.tax (app/modules/billing/tax.py:1) -> app.modules.billing.invoices",
        "app.modules.billing.invoices (app/modules/billing/invoices.py:2) -> "
        "app.modules.api.views",
    )
    assert chain.message == ("store (layer 3: store) depends on api (layer 1: api), which is "
                             "above it, through app.modules.billing.tax -> "
                             "app.modules.billing.invoices")
    assert chain.kind == "module" and chain.names == ()


def test_none_counts_direct_imports_only(make_project):
    assert rows(check(make_project, "none")) == [
        ("app/modules/middle/relay.py", 1, "app.modules.api", 0),
        ("app/modules/store/sync.py", 1, "app.modules.middle", 0),
    ]


def test_a_statement_is_reported_once_for_each_module_it_reaches_by_its_shortest_chain(
        make_project):
    config = CONFIG.replace("layers: [api, middle, store]", "layers: [api, store]")
    files_reaching_twice = {
        "app/modules/billing/tax.py": "from app.modules.billing import invoices\n"
                                      "from app.modules.api import forms\n",
    }
    root = make_project({**FILES, **files_reaching_twice,
                         "archguard.yaml": config + "    indirect: any\n"})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    (orders,) = [v for v in result.violations if v.file.endswith("store/orders.py")]
    assert orders.chain == (
        "app.modules.store.orders (app/modules/store/orders.py:1) -> app.modules.billing.tax",
        "app.modules.billing.tax (app/modules/billing/tax.py:2) -> app.modules.api.forms",
    )
    # middle is outside this stack now: store -> middle -> api is a chain of its own.
    (sync,) = [v for v in result.violations if v.file.endswith("store/sync.py")]
    assert len(sync.chain) == 2


def test_a_statement_with_a_direct_violation_has_no_chain_into_the_same_module(make_project):
    root = make_project({**FILES, "archguard.yaml": CONFIG + "    indirect: any\n",
                         "app/modules/store/orders.py": "from app.modules.billing import tax\n"
                                                        "from app.modules.api import views\n",
                         "app/modules/store/both.py": "from app.modules.api import views, "
                                                      "forms\n"})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    both = [v for v in result.violations if v.file.endswith("both.py")]
    assert [(v.line, v.chain) for v in both] == [(1, ())]


def test_forbidden_contract_follows_chains_through_other_modules_with_any(make_project):
    config = CONFIG.replace(
        "    type: layers\n    layers: [api, middle, store]\n",
        "    type: forbidden\n    source: [store]\n    forbidden: [api]\n")
    assert rows(check(make_project, config=config)) == [
        ("app/modules/store/cart.py", 1, "app.modules.api.views", 2)]
    assert rows(check(make_project, "any", config=config)) == [
        ("app/modules/store/cart.py", 1, "app.modules.api.views", 2),
        ("app/modules/store/orders.py", 1, "app.modules.api.views", 3),
        # A forbidden contract judges only store -> api: middle is passed like any code.
        ("app/modules/store/sync.py", 1, "app.modules.api.forms", 2),
    ]


def test_a_chain_whose_weakest_link_is_type_checking_does_not_count(make_project):
    root = make_project({**FILES, "archguard.yaml": CONFIG + "    indirect: any\n",
                         "app/modules/billing/invoices.py": (
                             "from typing import TYPE_CHECKING\n"
                             "if TYPE_CHECKING:\n"
                             "    from app.modules.api import views\n")})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    assert not [v for v in result.violations if v.file.endswith("orders.py")]


@pytest.mark.parametrize("indirect", ["kernel", "any"])
@pytest.mark.parametrize(("count", "through"), [
    (None, ("app.helpers", "app.relay")),        # runs: the longer chain, at run time
    ("[module, lazy, type_checking]", ("app.helpers",)),   # the shortest, as counted
])
def test_a_chain_is_found_past_an_import_its_contract_does_not_count(make_project, indirect,
                                                                     count, through):
    # store -> app.helpers, which imports api under TYPE_CHECKING (the shortest chain, which
    # never runs) and also app.relay, which imports api at run time.
    option = f"    indirect: {indirect}\n" + (f"    count: {count}\n" if count else "")
    root = make_project({**FILES, "archguard.yaml": CONFIG + option,
                         "app/helpers.py": ("from typing import TYPE_CHECKING\n"
                                            "import app.relay\n"
                                            "if TYPE_CHECKING:\n"
                                            "    from app.modules.api import views\n"),
                         "app/relay.py": "from app.modules.api import forms\n"})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    (cart,) = [v for v in result.violations if v.file.endswith("cart.py")]
    assert tuple(link.split(" ")[0] for link in cart.chain[1:]) == through
    assert cart.kind == ("type_checking" if count else "module")


def test_no_chain_is_reported_when_every_way_passes_an_import_not_counted(make_project):
    root = make_project({**FILES, "archguard.yaml": CONFIG,
                         "app/helpers.py": ("from typing import TYPE_CHECKING\n"
                                            "import app.relay\n"
                                            "if TYPE_CHECKING:\n"
                                            "    from app.modules.api import views\n"),
                         "app/relay.py": ("try:\n    from app.modules.api import forms\n"
                                          "except ImportError:\n    forms = None\n")})
    result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
    assert not [v for v in result.violations if v.file.endswith("cart.py")]


@pytest.mark.parametrize(("extra", "expected"), [
    ("    indirect: sometimes\n", "indirect"),
    ("  - {id: layout, type: structure, indirect: any}\n", "indirect"),
])
def test_a_bad_indirect_value_is_a_configuration_error_with_its_line(make_project, extra,
                                                                     expected):
    root = make_project({**FILES, "archguard.yaml": CONFIG + extra})
    with pytest.raises(ConfigError) as caught:
        load_config(root / "archguard.yaml")
    error = caught.value
    assert expected in str(error)
    assert error.position is not None and error.position.line is not None
    assert error.position.line > CONFIG.count("\n") - 3
