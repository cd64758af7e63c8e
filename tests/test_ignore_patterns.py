"""Configured ignores: dotted patterns (``*`` one segment, ``**`` any number), limited to
some contracts or not, and reported when they match nothing."""

from __future__ import annotations

import pytest

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
  - {id: no-extras, type: forbidden, source: [shop], forbidden: [extras]}
ignores:
"""

FILES = {
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "import app.modules.extras.gift\n",
    "app/modules/shop/orders/__init__.py": "",
    "app/modules/shop/orders/service.py": "import app.modules.extras.gift\n",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "",
}


def check(make_project, importer: str, imported: str, contracts: str = ""):
    ignore = f"  - {{importer: '{importer}', imported: '{imported}', reason: accepted{contracts}}}\n"
    project = make_project({"archguard.yaml": CONFIG + ignore, **FILES})
    return run_check(project, load_config(project / "archguard.yaml"), use_cache=False)


def left(result) -> set[str]:
    return {v.importer for v in result.violations}


SHOP, ORDERS = "app.modules.shop", "app.modules.shop.orders.service"


@pytest.mark.parametrize(("importer", "imported", "reported"), [
    ("app.modules.shop", "app.modules.extras.gift", {ORDERS}),
    ("app.modules.shop.**", "app.modules.extras.gift", set()),        # ** may be no segment
    ("app.modules.*", "app.modules.extras.*", {ORDERS}),              # * is one segment
    ("app.modules.*.orders.*", "app.modules.extras.gift", {SHOP}),
    ("app.modules.sh*.**", "**", set()),
    ("app.modules.shop.orders", "app.modules.extras.gift", {SHOP, ORDERS}),
    ("app.modules.shop.**", "app.modules.extras", {SHOP, ORDERS}),    # the module, not gift
])
def test_ignore_patterns(make_project, importer, imported, reported):
    result = check(make_project, importer, imported)
    assert left(result) == reported


def test_an_ignore_limited_to_one_contract_leaves_the_others(make_project):
    result = check(make_project, "app.modules.shop.**", "app.modules.extras.gift",
                   ", contracts: [no-extras]")
    assert {(v.contract, v.importer) for v in result.violations} == {
        ("core-not-optional", SHOP), ("core-not-optional", ORDERS)}


def test_an_ignore_that_matches_nothing_is_reported(make_project):
    result = check(make_project, "app.modules.extras.**", "app.modules.shop")
    (finding,) = [f for f in result.findings if f.rule == "unused-ignore"]
    assert finding.message == ("ignore of app.modules.extras.** -> app.modules.shop matches "
                               "no violation; remove it")
    assert finding.line == 12  # the ignore's own line


@pytest.mark.parametrize(("imported", "reported"), [
    ("app.modules.extras.gift", set()),      # the submodule `from … import gift` names
    ("app.modules.extras.*", set()),
    ("app.modules.extras", set()),           # the package it is written from
    ("app.modules.extras.wrap", {ORDERS}),   # a name the statement does not import
])
def test_an_ignore_names_the_submodule_a_from_import_imports(make_project, imported, reported):
    # As import-linter reads `from app.modules.extras import gift`: an import of the
    # submodule gift, which an ignore of app.modules.extras.gift accepts.
    files = {**FILES, "app/modules/shop/__init__.py": "",
             "app/modules/shop/orders/service.py": "from app.modules.extras import gift\n"}
    ignore = (f"  - {{importer: '{ORDERS}', imported: '{imported}', reason: accepted, "
              "contracts: [no-extras]}\n")
    project = make_project({"archguard.yaml": CONFIG + ignore, **files})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    no_extras = next(c for c in result.contracts if c.id == "no-extras")
    assert {v.importer for v in no_extras.violations} == reported
    unused = [f for f in result.findings if "matches no violation" in f.message]
    assert bool(unused) == bool(reported)


#: CONFIG's forbidden contract alone, following chains.
CHAIN_CONFIG = CONFIG.replace(
    "  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}\n"
    "  - {id: no-extras, type: forbidden, source: [shop], forbidden: [extras]}\n",
    "  - {id: no-extras, type: forbidden, source: [shop], forbidden: [extras], indirect: INDIRECT}\n")
assert "indirect: INDIRECT" in CHAIN_CONFIG
CHAIN_FILES = {
    "app/__init__.py": "",
    "app/helpers.py": "import app.modules.extras.gift\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "import app.helpers\n",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "",
}


@pytest.mark.parametrize("indirect", ["kernel", "any"])
@pytest.mark.parametrize(("importer", "imported", "chains"), [
    (None, None, 1),                                       # the chain shop -> helpers -> extras
    ("app.helpers", "app.modules.extras.gift", 0),         # its last link is accepted
    ("app.modules.shop", "app.helpers", 0),                # its first link is accepted
    ("app.helpers", "app.modules.extras", 1),              # not an import of the chain
])
def test_an_ignored_import_is_a_link_no_chain_passes(make_project, indirect, importer,
                                                     imported, chains):
    # As lint-imports takes an ignored import out of its graph.
    ignore = (f"  - {{importer: '{importer}', imported: '{imported}', reason: accepted}}\n"
              if importer else "  []\n")
    config = CHAIN_CONFIG.replace("INDIRECT", indirect)
    project = make_project({"archguard.yaml": config + ignore, **CHAIN_FILES})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    assert sum(1 for v in result.violations if v.chain) == chains
    unused = [f for f in result.findings if "matches no violation" in f.message]
    assert bool(unused) == (importer is not None and chains == 1)
