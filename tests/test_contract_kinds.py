"""Each import contract kind on a small project: what it reports, what it lets through, and
the message a user reads for each violation."""

from __future__ import annotations

import pytest

from archguard.application.check import run_check
from archguard.config import load_config

HEADER = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main, app.core]
categories: {core: {}, optional: {}, internal: {}}
modules:
  shop: {category: core}
  people: {category: core}
  extras: {category: optional, requires: [gifts]}
  gifts: {category: optional}
  games: {category: optional}
  admin: {category: internal}
  contracts: {category: core}
definitions: {enabled: false}
contracts:
"""

BASE = {
    "app/__init__.py": "",
    "app/main.py": "",
    "app/core/__init__.py": "",
    "app/core/db.py": "",
    "app/helpers.py": "",
    "app/modules/__init__.py": "",
    **{f"app/modules/{name}/__init__.py": ""
       for name in ("shop", "people", "extras", "gifts", "games", "admin", "contracts")},
    **{f"app/modules/{name}/api.py": ""
       for name in ("shop", "people", "extras", "gifts", "games", "admin", "contracts")},
}


def check(make_project, contracts: str, files: dict[str, str]):
    project = make_project({"archguard.yaml": HEADER + contracts, **BASE, **files})
    return run_check(project, load_config(project / "archguard.yaml"), use_cache=False)


def reported(result):
    """(contract, importing file, imported module, message) of every violation, sorted."""
    return sorted((v.contract, v.file, v.imported, v.message) for v in result.violations)


def imports(**edges: str) -> dict[str, str]:
    """``shop="extras people"``: app/modules/shop/service.py imports those modules' api."""
    return {f"app/modules/{source}/service.py":
            "".join(f"import app.modules.{target}.api\n" for target in targets.split())
            for source, targets in edges.items()}


# -- category_layering ---------------------------------------------------------------------

LAYERING = "  - {id: layering, type: category_layering, source: [core], forbidden: [optional]}\n"


def test_layering_reports_a_core_module_importing_an_optional_one(make_project):
    result = check(make_project, LAYERING, imports(shop="extras people", extras="shop"))
    assert reported(result) == [
        ("layering", "app/modules/shop/service.py", "app.modules.extras.api",
         "core module shop depends on optional module extras")]


def test_layering_allow_lets_the_listed_modules_through(make_project):
    contract = ("  - {id: layering, type: category_layering, source: [core],"
                " forbidden: [optional], allow: [gif*]}\n")
    result = check(make_project, contract, imports(shop="gifts extras"))
    assert [v.target_module for v in result.violations] == ["extras"]


def test_layering_source_star_means_every_category(make_project):
    contract = ("  - {id: no-internal, type: category_layering, source: ['*'],"
                " forbidden: [internal]}\n")
    result = check(make_project, contract, imports(shop="admin", extras="admin",
                                                   admin="shop admin"))
    assert sorted(v.source_module for v in result.violations) == ["extras", "shop"]
    assert {v.message for v in result.violations} == {
        "core module shop depends on internal module admin",
        "optional module extras depends on internal module admin"}


def test_layering_ignores_kernel_and_uncategorised_importers_and_a_modules_own_imports(
        make_project):
    result = check(make_project, LAYERING, {
        "app/helpers.py": "import app.modules.extras.api\n",
        "app/modules/extras/service.py": "import app.modules.extras.api\n",
    })
    assert result.violations == []


# -- declared_dependencies -----------------------------------------------------------------

DECLARED = "  - {id: declared, type: declared_dependencies}\n"


def test_declared_dependencies_allow_core_and_requires_and_report_the_rest(make_project):
    result = check(make_project, DECLARED, imports(extras="shop gifts games admin"))
    assert reported(result) == [
        ("declared", "app/modules/extras/service.py", "app.modules.admin.api",
         "extras imports admin, which it does not declare in requires"),
        ("declared", "app/modules/extras/service.py", "app.modules.games.api",
         "extras imports games, which it does not declare in requires"),
    ]


def test_declared_dependencies_judge_only_the_listed_categories(make_project):
    result = check(make_project, DECLARED, imports(shop="games", admin="games"))
    assert result.violations == []
    everyone = ("  - {id: declared, type: declared_dependencies,"
                " categories: ['*'], allow_categories: [optional]}\n")
    result = check(make_project, everyone, imports(shop="games people", admin="games"))
    assert reported(result) == [
        ("declared", "app/modules/shop/service.py", "app.modules.people.api",
         "shop imports people, which it does not declare in requires")]


# -- forbidden -----------------------------------------------------------------------------

def test_forbidden_reports_only_the_named_direction(make_project):
    contract = "  - {id: no-games, type: forbidden, source: [shop, peo*], forbidden: [games]}\n"
    result = check(make_project, contract, imports(shop="games extras", people="games",
                                                   games="shop", extras="games"))
    assert reported(result) == [
        ("no-games", "app/modules/people/service.py", "app.modules.games.api",
         "people must not depend on games"),
        ("no-games", "app/modules/shop/service.py", "app.modules.games.api",
         "shop must not depend on games"),
    ]


def test_forbidden_does_not_apply_to_kernel_packages(make_project):
    contract = "  - {id: no-games, type: forbidden, source: [shop], forbidden: [games]}\n"
    result = check(make_project, contract, {"app/main.py": "import app.modules.games.api\n"})
    assert result.violations == []


# -- independence --------------------------------------------------------------------------

def test_independence_reports_both_directions_between_listed_modules_only(make_project):
    contract = "  - {id: apart, type: independence, modules: [gifts, games]}\n"
    result = check(make_project, contract, imports(gifts="games shop", games="gifts",
                                                   extras="gifts"))
    assert reported(result) == [
        ("apart", "app/modules/games/service.py", "app.modules.gifts.api",
         "games and gifts must be independent"),
        ("apart", "app/modules/gifts/service.py", "app.modules.games.api",
         "gifts and games must be independent"),
    ]


def test_independence_lets_a_module_import_itself(make_project):
    contract = "  - {id: apart, type: independence, modules: [gifts, games]}\n"
    result = check(make_project, contract, {
        "app/modules/gifts/service.py": "import app.modules.gifts.api\n"})
    assert result.violations == []


# -- purity --------------------------------------------------------------------------------

PURE = "  - {id: pure, type: purity, modules: [contracts], allow: [pydantic, app.core]}\n"


def test_purity_allows_the_standard_library_listed_packages_and_itself(make_project):
    result = check(make_project, PURE, {"app/modules/contracts/service.py": (
        "import os\nimport typing\nimport pydantic\nimport app.core.db\n"
        "import app.modules.contracts.api\n")})
    assert result.violations == []


def test_purity_reports_project_code_and_other_third_party_packages(make_project):
    result = check(make_project, PURE, {"app/modules/contracts/service.py": (
        "import requests\nimport app.main\nimport app.helpers\n"
        "import app.modules.shop.api\n")})
    assert reported(result) == [
        ("pure", "app/modules/contracts/service.py", "app.helpers",
         "contracts must import nothing of the project but itself"),
        ("pure", "app/modules/contracts/service.py", "app.main",
         "contracts must import nothing of the project but itself"),
        ("pure", "app/modules/contracts/service.py", "app.modules.shop.api",
         "contracts must import nothing of the project but itself"),
        ("pure", "app/modules/contracts/service.py", "requests",
         "contracts must not import the third-party package requests"),
    ]


def test_purity_without_the_standard_library(make_project):
    contract = ("  - {id: pure, type: purity, modules: [contracts], allow: [pydantic],"
                " allow_stdlib: false}\n")
    result = check(make_project, contract, {
        "app/modules/contracts/service.py": "import os\nimport pydantic\n"})
    assert [v.imported for v in result.violations] == ["os"]


def test_purity_judges_only_its_modules(make_project):
    result = check(make_project, PURE, {"app/modules/shop/service.py": (
        "import requests\nimport app.modules.people.api\n")})
    assert result.violations == []


# -- kernel_generic ------------------------------------------------------------------------

KERNEL = "  - {id: kernel, type: kernel_generic, forbidden: [optional]}\n"


def test_kernel_generic_reports_kernel_imports_of_forbidden_categories(make_project):
    result = check(make_project, KERNEL, {
        "app/main.py": "import app.modules.games.api\nimport app.modules.shop.api\n",
        "app/core/db.py": "import app.modules.admin.api\n",
        "app/helpers.py": "import app.modules.games.api\n",
        "app/modules/people/service.py": "import app.modules.games.api\n",
    })
    assert reported(result) == [
        ("kernel", "app/main.py", "app.modules.games.api",
         "kernel package app.main depends on optional module games")]


def test_the_longest_kernel_package_owns_a_name(make_project):
    contract = "  - {id: kernel, type: kernel_generic, forbidden: [optional]}\n"
    project = make_project({
        "archguard.yaml": (HEADER + contract).replace("kernel: [app.main, app.core]",
                                                      "kernel: [app.core, app.core.db]"),
        **BASE, "app/core/db.py": "import app.modules.games.api\n"})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (violation,) = result.violations
    assert violation.message == "kernel package app.core.db depends on optional module games"


# -- every kind ----------------------------------------------------------------------------

@pytest.mark.parametrize("contract", [
    LAYERING, DECLARED, PURE, KERNEL,
    "  - {id: c, type: forbidden, source: [shop], forbidden: [games]}\n",
    "  - {id: c, type: independence, modules: [gifts, games]}\n",
])
def test_a_contract_with_nothing_to_report_is_kept(make_project, contract):
    result = check(make_project, contract, imports(games="shop", gifts="shop"))
    (outcome,) = result.contracts
    assert outcome.kept and outcome.violations == ()
