"""The check engine on small projects: how imports reach their targets, and broken files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.errors import ConfigError

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
  - {id: kernel-generic, type: kernel_generic, forbidden: [optional]}
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/main.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "from .gift import Gift\n",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
    "app/modules/extras/wrap.py": "def wrap():\n    return 1\n",
}


def check(make_project, files):
    project = make_project({**BASE, **files})
    return run_check(project, load_config(project / "archguard.yaml"), use_cache=False)


def places(result):
    return sorted((v.contract, v.file, v.line, v.kind, v.imported) for v in result.violations)


@pytest.mark.parametrize("source", [
    "from app.modules.extras.gift import Gift\n",
    "from app.modules.extras import Gift\n",           # re-exported by the package
    "from app.modules import extras\n",
    "import app.modules.extras.gift as g\n",
    "from ..extras import gift\n",                     # relative
    "from app.modules.extras.gift import *\n",         # star
])
def test_each_import_form_reaches_the_optional_module(make_project, source):
    result = check(make_project, {"app/modules/shop/service.py": source})
    (violation,) = result.violations
    assert violation.file == "app/modules/shop/service.py"
    assert violation.line == 1 and violation.kind == "module"
    assert violation.target_module == "extras" and violation.source_module == "shop"


def test_kinds_and_policy(make_project):
    result = check(make_project, {"app/modules/shop/service.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from app.modules.extras.gift import Gift\n"
        "try:\n"
        "    from app.modules.extras import wrap\n"
        "except ImportError:\n"
        "    wrap = None\n"
        "class Basket:\n"
        "    class Line:\n"
        "        def price(self, x=None):\n"
        "            from app.modules.extras.gift import Gift\n"
        "            return Gift\n"
    )})
    assert places(result) == [
        ("core-not-optional", "app/modules/shop/service.py", 11, "lazy",
         "app.modules.extras.gift")]
    (violation,) = result.violations
    assert [(u.symbol, u.lines) for u in violation.used_in] == [("Basket.Line.price", (12,))]


def test_kernel_import_is_reported_by_kernel_contract(make_project):
    result = check(make_project, {"app/main.py": "import app.modules.extras\n"})
    assert places(result) == [("kernel-generic", "app/main.py", 1, "module",
                               "app.modules.extras")]


def test_uses_in_decorators_and_defaults_are_found(make_project):
    result = check(make_project, {"app/modules/shop/api.py": (
        "from app.modules.extras.gift import Gift\n"
        "@register(Gift)\n"
        "def handler(kind=Gift) -> Gift:\n"
        "    return kind()\n"
    )})
    (violation,) = result.violations
    uses = {u.symbol: (u.lines, u.labels) for u in violation.used_in}
    assert uses["<module>"][0] == (2, 3)
    assert "decorator (line 2)" in uses["<module>"][1]
    assert uses["handler"] == ((3,), ("return type (line 3)",))


def test_a_syntax_error_elsewhere_is_reported_and_the_check_goes_on(make_project):
    project = make_project({**BASE,
                            "app/modules/shop/service.py": "from app.modules.extras import wrap\n",
                            "app/modules/shop/broken.py": "def f(:\n    pass\n"})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    assert [v.file for v in result.violations] == ["app/modules/shop/service.py"]
    (error,) = result.errors
    assert "app/modules/shop/broken.py:1" in error
    cli = subprocess.run([sys.executable, "-m", "archguard", "check", str(project),
                          "--format", "json", "--no-cache"], capture_output=True, text=True,
                         env={**os.environ, "NO_COLOR": "1"})
    assert cli.returncode == 2
    assert "Traceback" not in cli.stderr
    data = json.loads(cli.stdout)
    assert data["summary"]["violations"] == 1 and len(data["errors"]) == 1


def test_ignores_with_reason_suppress(make_project):
    project = make_project({**BASE,
                            "archguard.yaml": CONFIG + (
                                "ignores:\n  - importer: app.modules.shop.*\n"
                                "    imported: app.modules.extras.**\n"
                                "    reason: migrating in PLAT-1\n"),
                            "app/modules/shop/service.py": "from app.modules.extras import wrap\n"})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    assert result.violations == []


def test_local_names_shadowing_an_import_are_not_uses(make_project):
    result = check(make_project, {"app/modules/shop/service.py": (
        "from app.modules.extras.gift import Gift\n"
        "def uses():\n"
        "    return Gift\n"
        "def shadows(Gift):\n"
        "    return Gift\n"
        "def rebinds():\n"
        "    Gift = 1\n"
        "    return Gift\n"
        "def nested():\n"
        "    def inner():\n"
        "        return [Gift for _ in range(2)]\n"
        "    return inner\n"
        "class Holder:\n"
        "    kind: Gift = Gift\n"
    )})
    (violation,) = result.violations
    uses = {u.symbol: u for u in violation.used_in}
    assert set(uses) == {"uses", "nested.inner", "<module>"}
    assert uses["<module>"].lines == (14,)
    assert uses["<module>"].labels == ("annotation (line 14)", "class body of Holder (line 14)")


def test_inline_ignore_needs_a_reason_and_unused_ignores_are_reported(make_project):
    project = make_project({**BASE,
                            "archguard.yaml": CONFIG + (
                                "ignores:\n  - importer: app.modules.nothing.*\n"
                                "    imported: app.modules.extras\n"
                                "    reason: kept from an old migration\n"),
                            "app/modules/shop/a.py": (
                                "from app.modules.extras import wrap  "
                                "# archguard: ignore[core-not-optional] PLAT-7 moves it\n"),
                            "app/modules/shop/b.py": (
                                "from app.modules.extras import wrap  # archguard: ignore\n"),
                            "app/modules/shop/c.py": (
                                "import json  # archguard: ignore unused\n"
                                "from app.modules.extras import wrap\n")})
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    assert sorted((v.file, v.line) for v in result.violations) == [
        ("app/modules/shop/b.py", 1), ("app/modules/shop/c.py", 2)]
    rules = sorted((f.rule, f.path.name, f.line) for f in result.findings)
    assert rules == [("ignore-without-reason", "b.py", 1),
                     ("unused-ignore", "archguard.yaml", 13),
                     ("unused-ignore", "c.py", 1)]


def test_indirect_dependency_through_uncategorised_code_has_its_chain(make_project):
    result = check(make_project, {
        "app/helpers/__init__.py": "",
        "app/helpers/tools.py": (
            "import app.helpers.deeper\n"
        ),
        "app/helpers/deeper.py": (
            "def wrapped():\n"
            "    from app.modules.extras.gift import Gift\n"
            "    return Gift\n"
        ),
        "app/modules/shop/service.py": (
            "import os\n"
            "from app.helpers import tools\n"
            "def price():\n"
            "    return tools\n"
        ),
    })
    (violation,) = result.violations
    assert violation.contract == "core-not-optional"
    assert (violation.file, violation.line) == ("app/modules/shop/service.py", 2)
    assert violation.kind == "lazy"  # the last link runs only when wrapped() is called
    assert violation.imported == "app.modules.extras.gift"
    assert violation.chain == (
        "app.modules.shop.service (app/modules/shop/service.py:2) -> app.helpers.tools",
        "app.helpers.tools (app/helpers/tools.py:1) -> app.helpers.deeper",
        "app.helpers.deeper (app/helpers/deeper.py:2) -> app.modules.extras.gift",
    )
    assert "through app.helpers.tools -> app.helpers.deeper" in violation.message
    assert [u.symbol for u in violation.used_in] == ["price"]


def test_chain_through_a_type_checking_link_does_not_count(make_project):
    result = check(make_project, {
        "app/helpers/__init__.py": "",
        "app/helpers/tools.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from app.modules.extras.gift import Gift\n"
        ),
        "app/modules/shop/service.py": "from app.helpers import tools\n",
    })
    assert result.violations == []


def test_structure_contract(make_project):
    project = make_project({
        **BASE,
        "archguard.yaml": CONFIG + (
            "  - id: layout\n    type: structure\n    severity: error\n"
            "    required_files: [__init__.py, exceptions.py]\n"
            "    exceptions_module: exceptions.py\n"
            "    definition_variable: false\n"),
        "app/modules/shop/exceptions.py": "class ShopError(Exception):\n    pass\n",
        "app/modules/shop/service.py": "class PriceError(ValueError):\n    pass\n",
    })
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    (outcome,) = [c for c in result.contracts if c.id == "layout"]
    assert not outcome.kept
    messages = sorted((p.path.name, p.line, p.message) for p in outcome.problems)
    assert messages == [
        ("extras", None, "extras has no exceptions.py"),
        ("service.py", 1, "shop: exception class PriceError is defined outside exceptions.py"),
    ]


def test_unknown_module_in_a_contract_is_a_configuration_error(make_project):
    project = make_project({
        **BASE,
        "archguard.yaml": CONFIG.replace("modules:\n  shop: {category: core}\n"
                                         "  extras: {category: optional}\n",
                                         "modules: {}\n")
        + "  - {id: pair, type: independence, modules: [shop, extrass]}\n",
    })
    with pytest.raises(ConfigError) as caught:
        run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    error = caught.value
    assert "unknown module 'extrass'" in str(error) and error.suggestion == "extras"
    assert error.position.line == 10


def test_a_file_that_is_not_utf8_is_reported_not_a_crash(make_project):
    project = make_project({**BASE,
                            "app/modules/shop/service.py": "from app.modules.extras import wrap\n"})
    (project / "app/modules/shop/legacy.py").write_bytes(b'name = "\xff\xfe"\n')
    result = run_check(project, load_config(project / "archguard.yaml"), use_cache=False)
    assert [v.file for v in result.violations] == ["app/modules/shop/service.py"]
    (error,) = result.errors
    assert "app/modules/shop/legacy.py" in error and "utf-8" in error.lower()
