"""import-linter, both ways: ``archguard init --from-importlinter`` converts an import-linter
configuration into archguard contracts that reach lint-imports' verdicts, and ``archguard
export importlinter`` writes archguard's contracts as ones lint-imports judges as archguard
does, over the import statements the export says it counts.

Each side is judged by the real program: lint-imports (import-linter) and archguard run in
subprocesses on copies of the reference platform, their reports parsed."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from archguard.application.check import run_check
from archguard.application.importlinter import convert
from archguard.application.inventory import build_inventory
from archguard.config import config_from_text, load_config
from archguard.config.writer import render
from archguard.contracts import build_contract
from archguard.domain.architecture import Indirect
from archguard.domain.imports import ImportKind
from archguard.domain.layout import Layout

from .conftest import AFTER, BEFORE, FIXTURES, RULES

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
DJANGO_SHOP = FIXTURES / "django_shop"
STATES = pytest.mark.parametrize("state", [BEFORE, AFTER], ids=["before", "after"])
#: A contract's verdict line: ``name KEPT``, ``name BROKEN (5 ignored imports)``.
VERDICT = re.compile(r"^(.+?) (KEPT|BROKEN)(?: \([^()]*\))?$")
CHAIN_START = re.compile(r"^-\s+(\S+) -> (\S+) \(([^)]*)\)$")


def archguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archguard", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def copy_of(tree: Path, tmp_path: Path) -> Path:
    project = tmp_path / tree.name
    shutil.copytree(tree, project, ignore=shutil.ignore_patterns(
        ".archguard_cache", "__pycache__", "archguard.yaml", ".import_linter_cache"))
    return project


@dataclass(frozen=True)
class Verdict:
    """What one tool says of one contract: kept or not, and the direct imports (importer,
    line) that break it."""

    kept: bool
    direct: frozenset[tuple[str, int]]
    #: The pairs of modules (importer, imported) found to break it, by any import or chain.
    pairs: frozenset[tuple[str, str]] | None = field(default=None, compare=False)


def lint_imports(project: Path, config: Path) -> dict[str, Verdict]:
    """lint-imports' verdicts on ``config``'s contracts, by contract name."""
    parser = configparser.ConfigParser()
    parser.read(config, encoding="utf-8")
    names = [parser[s]["name"].replace("%%", "%") for s in parser.sections()
             if s.startswith("importlinter:")]
    result = subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
                            cwd=project, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"})
    assert result.returncode in (0, 1), result.stdout + result.stderr
    lines = result.stdout.splitlines()
    said = {found[1]: found[2] == "KEPT" for line in lines if (found := VERDICT.match(line))}
    assert set(names) <= set(said), result.stdout
    under = _under_headings(lines, names)
    return {name: Verdict(said[name], frozenset(_direct_imports(under.get(name, []))),
                          frozenset(_pairs(under.get(name, []))))
            for name in names}


def _pairs(lines: list[str]) -> set[tuple[str, str]]:
    """The pairs of modules lint-imports says break a contract: ``a is not allowed to
    import b:``."""
    return {(found[1], found[2]) for line in lines
            if (found := re.fullmatch(r"(\S+) is not allowed to import (\S+):", line))}


def _under_headings(lines: list[str], names: list[str]) -> dict[str, list[str]]:
    """The lines lint-imports prints under each contract's underlined heading."""
    found: dict[str, list[str]] = {}
    current = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line in names and following == "-" * len(line):
            current = line
            found.setdefault(current, [])
        elif current is not None:
            found[current].append(line)
    return found


def _direct_imports(lines: list[str]) -> set[tuple[str, int]]:
    """The (importer, line) of each chain of one import: a paragraph of one line."""
    found = set()
    for paragraph in "\n".join(lines).split("\n\n"):
        chain = paragraph.strip("\n").splitlines()
        if len(chain) == 1 and (link := CHAIN_START.match(chain[0])):
            found |= {(link[1], int(number)) for number in re.findall(r"l\.(\d+)", link[3])}
    return found


def archguard_verdicts(report: dict, contract: str, module: str | None = None) -> Verdict:
    """archguard's verdict on ``contract`` (on the violations of ``module``'s code only)."""
    violations = [v for v in report["violations"] if v["contract"] == contract
                  and (module is None or v["source_module"] == module)]
    return Verdict(not violations, frozenset((v["importer"], v["line"]) for v in violations
                                             if not v["chain"] and v["reference"] is None))


# -- converting an import-linter configuration -------------------------------------------------

def _forbidden_pairs(project: Path, config) -> dict[str, set[tuple[str, str]]]:
    """For each contract, the pairs of modules (source, target) it forbids."""
    layout = Layout(config, build_inventory(project, config))
    owners = list(layout.modules.values())
    pairs = {}
    for spec in config.contracts:
        contract = build_contract(spec, layout)
        pairs[spec.id] = {(s.name, t.name) for s in owners for t in owners
                          if contract.forbids(s, t) is not None}
    return pairs


def test_django_shop_importlinter_converts_to_its_archguard_contracts(tmp_path):
    discovery = convert(DJANGO_SHOP, DJANGO_SHOP / ".importlinter")
    converted = config_from_text(render(discovery.draft), tmp_path / "archguard.yaml",
                                 project_dir=DJANGO_SHOP)
    reference = load_config(DJANGO_SHOP / "archguard.yaml", project_dir=DJANGO_SHOP)
    assert converted.root_package == reference.root_package == "shop"
    assert converted.modules_package == reference.modules_package == "shop.apps"
    assert [c.id for c in converted.contracts] == [c.id for c in reference.contracts]
    kinds = {c.id: c.type for c in converted.contracts}
    assert kinds == {"core-not-optional": "forbidden", "catalogue-independent": "forbidden",
                     "optional-apps-independent": "independence"}
    # archguard.yaml says core-not-optional by categories; the modules are the same.
    assert {c.id: c.type for c in reference.contracts}["core-not-optional"] \
        == "category_layering"
    assert all(kinds[c.id] == c.type for c in reference.contracts
               if c.id != "core-not-optional")
    assert _forbidden_pairs(DJANGO_SHOP, converted) == _forbidden_pairs(DJANGO_SHOP, reference)
    assert {c.indirect for c in converted.contracts} == {Indirect.ANY}
    assert converted.counted_kinds == ("module", "lazy", "type_checking", "guarded")


def test_django_shop_init_from_importlinter_writes_a_configuration_lint_imports_agrees_with(
        tmp_path):
    project = copy_of(DJANGO_SHOP, tmp_path)
    written = archguard("init", ".", "--from-importlinter", ".importlinter", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "found modules package: shop.apps" in written.stdout
    assert "found 3 of the 3 contracts of .importlinter converted" in written.stdout
    report = json.loads(archguard("check", ".", "--format", "json", "--no-cache",
                                  cwd=project).stdout)
    expected = lint_imports(project, project / ".importlinter")
    names = {c["id"]: c["name"] for c in report["contracts"]}
    for contract in report["contracts"]:
        assert archguard_verdicts(report, contract["id"]) == expected[names[contract["id"]]]
    # The .importlinter says it: lint-imports keeps them all (the shop's apps reach each
    # other through strings, which no import graph shows).
    assert all(contract["kept"] for contract in report["contracts"])


PLATFORM_IMPORTLINTER = """\
[importlinter]
root_package = app

[importlinter:contract:core-direct]
name = core-direct
type = forbidden
source_modules =
    app.modules.tenancy
    app.modules.cms
    app.modules.core
    app.modules.customers
    app.modules.billing
forbidden_modules =
    app.modules.catalog
    app.modules.marketplace
    app.modules.analytics
    app.modules.orders
allow_indirect_imports = True
ignore_imports =
    app.modules.tenancy.services.store_service -> app.modules.catalog.exceptions
    app.modules.core.** -> app.modules.analytics.**
unmatched_ignore_imports_alerting = warn

[importlinter:contract:tenancy-chains]
name = tenancy-chains
type = forbidden
source_modules =
    app.modules.tenancy
forbidden_modules =
    app.modules.catalog
    app.modules.marketplace
    app.modules.orders
ignore_imports =
    app.modules.tenancy.routes.api.admin_stores -> app.modules.analytics.services.stats_service
unmatched_ignore_imports_alerting = none

[importlinter:contract:stack]
name = stack
type = layers
containers =
    app.modules
layers =
    analytics
    marketplace | catalog
    tenancy : cms
    (providers_of_nothing)
    contracts
ignore_imports =
    app.modules.billing.services.subscription_service -> app.modules.catalog.models
unmatched_ignore_imports_alerting = none

[importlinter:contract:standalone]
name = standalone
type = independence
modules =
    app.modules.analytics
    app.modules.inventory
    app.modules.orders
    app.modules.tenancy
ignore_imports =
    app.modules.marketplace.services.letzshop_export_service -> app.modules.inventory.**
unmatched_ignore_imports_alerting = none
"""


@pytest.mark.platform
@STATES
@pytest.mark.parametrize("type_checking", ["counted", "excluded"])
def test_converted_contracts_reach_lint_imports_verdicts(tmp_path, state, type_checking):
    project = copy_of(state, tmp_path)
    linter_file = tmp_path / "platform.importlinter"
    # Excluded, TYPE_CHECKING imports are no link of lint-imports' chains, nor of archguard's.
    text = PLATFORM_IMPORTLINTER if type_checking == "counted" else PLATFORM_IMPORTLINTER.replace(
        "root_package = app\n", "root_package = app\nexclude_type_checking_imports = True\n", 1)
    linter_file.write_text(text, encoding="utf-8")
    expected = lint_imports(project, linter_file)

    written = archguard("init", ".", "--from-importlinter", str(linter_file), cwd=project)
    assert written.returncode == 0, written.stderr
    assert "found 4 of the 4 contracts of platform.importlinter converted" in written.stdout
    checked = archguard("check", ".", "--format", "json", "--no-cache", cwd=project)
    assert checked.returncode in (0, 1), checked.stderr
    report = json.loads(checked.stdout)

    assert {c["id"] for c in report["contracts"]} == set(expected)
    for contract in expected:
        assert archguard_verdicts(report, contract) == expected[contract], contract
        # Module pair by module pair, chains included: an ignored import is a link no chain
        # passes, in both.
        assert {(f"app.modules.{v['source_module']}", f"app.modules.{v['target_module']}")
                for v in report["violations"] if v["contract"] == contract} \
            == expected[contract].pairs, contract
    if state == BEFORE:
        # The ignore cuts the one chain by which tenancy reaches inventory.
        assert ("app.modules.tenancy", "app.modules.inventory") \
            not in expected["standalone"].pairs
        assert ("app.modules.analytics", "app.modules.tenancy") in expected["standalone"].pairs
    # The ignores hold (the same statements are reported without them, by tenancy-chains
    # and by the core module's imports of analytics), and not every contract is kept.
    ignored = expected["core-direct"].direct
    assert ("app.modules.tenancy.services.store_service", 18) not in ignored
    assert not any(importer.startswith("app.modules.core.") for importer, _ in ignored)
    assert not expected["standalone"].kept and expected["standalone"].direct
    # after/ took tenancy's imports of the optional modules out; before/ has them.
    assert expected["tenancy-chains"].kept == (state == AFTER)
    if state == BEFORE:
        assert not expected["core-direct"].kept and not expected["stack"].kept


# -- exporting archguard's contracts -------------------------------------------------------------

def _as_exported(config, exported: configparser.ConfigParser):
    """``config``'s contracts counting what lint-imports counts for the export, and
    following the chains the export's contracts follow."""
    exclude = exported["importlinter"].get("exclude_type_checking_imports") == "True"
    kinds = tuple(kind for kind in (ImportKind.MODULE, ImportKind.LAZY, ImportKind.GUARDED,
                                    ImportKind.TYPE_CHECKING)
                  if not (exclude and kind == ImportKind.TYPE_CHECKING))
    follows = {}
    for section in exported.sections():
        if section.startswith("importlinter:contract:"):
            options = exported[section]
            follows[section.split(":")[-1]] = (options["type"] != "forbidden" or
                                               options["allow_indirect_imports"] == "False")
    contracts = []
    for spec in config.contracts:
        mine = [chains for id_, chains in follows.items()
                if id_ == spec.id or id_.startswith(spec.id + ".")]
        indirect = Indirect.ANY if mine and mine[0] else Indirect.NONE
        contracts.append(replace(spec, count=kinds, indirect=indirect))
    # Import statements only: a string under TYPE_CHECKING or in a try is one of those kinds.
    return replace(config, contracts=tuple(contracts),
                   strings=replace(config.strings, enabled=False))


@pytest.mark.platform
@STATES
def test_exported_contracts_get_archguards_verdicts_from_lint_imports(tmp_path, state):
    project = copy_of(state, tmp_path)
    written = archguard("export", "importlinter", ".", "--config", str(RULES), "--output",
                        "exported.importlinter", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "left out (see the comments): contracts-pure, module-structure" in written.stdout
    exported_file = project / "exported.importlinter"
    text = exported_file.read_text(encoding="utf-8")
    assert "# - contracts-pure: purity allows the standard library" in text
    exported = configparser.ConfigParser()
    exported.read_string(text)
    expected = lint_imports(project, exported_file)

    config = load_config(RULES, project_dir=project)
    report = run_check(project, _as_exported(config, exported), use_cache=False)
    as_json = {"violations": [{"contract": v.contract, "source_module": v.source_module,
                               "importer": v.importer, "line": v.line, "chain": v.chain,
                               "reference": v.reference} for v in report.violations]}
    ids = sorted((c.id for c in config.contracts), key=len, reverse=True)
    sections = [s for s in exported.sections() if s.startswith("importlinter:contract:")]
    assert len(sections) == len(expected) > 10
    kinds = set()
    for section in sections:
        exported_id = section.split(":")[-1]
        contract = next(i for i in ids if exported_id == i or exported_id.startswith(i + "."))
        module = exported_id[len(contract) + 1:] or None
        kinds.add(exported[section]["type"])
        assert archguard_verdicts(as_json, contract, module) \
            == expected[exported[section]["name"]], exported_id
    assert kinds == {"forbidden", "independence", "layers"}
    assert {verdict.kept for verdict in expected.values()} == {True, False}
    if state == BEFORE:
        assert not expected["Core modules do not depend on optional modules"].kept


def test_export_writes_standard_output_and_reads_back_with_configparser(make_project):
    project = make_project(SMALL_TREE)
    (project / "archguard.yaml").write_text(textwrap.dedent("""\
        version: 1
        project: {root_package: app, modules_package: app.modules}
        categories: {core: {}, optional: {}}
        definitions: {enabled: false}
        modules:
          shop: {category: core}
          billing: {category: optional}
        policy: {count: [module, lazy, type_checking]}
        ignores:
          - {importer: app.modules.shop.**, imported: app.modules.billing.invoice,
             reason: "100% known"}
          - {importer: app.modules.shop_*, imported: app.modules.billing, reason: partial}
        contracts:
          - {id: core-not-optional, name: "100% core", type: category_layering,
             source: [core], forbidden: [optional], indirect: any}
          - {id: pure, type: purity, modules: [shop]}
        """), encoding="utf-8")
    written = archguard("export", "importlinter", ".", cwd=project)
    assert written.returncode == 0, written.stderr
    parser = configparser.ConfigParser()
    parser.read_string(written.stdout)
    contract = parser["importlinter:contract:core-not-optional"]
    assert contract["name"] == "100% core"
    assert contract["allow_indirect_imports"] == "False"
    assert contract["ignore_imports"].strip().split("\n") == [
        "app.modules.shop.** -> app.modules.billing.invoice",
        "app.modules.shop -> app.modules.billing.invoice"]
    assert "exclude_type_checking_imports" not in parser["importlinter"]
    assert "The ignore app.modules.shop_* -> app.modules.billing is left out" \
        in " ".join(line.lstrip("# ") for line in written.stdout.splitlines())
    assert "- pure: purity allows" in written.stdout
    assert not (project / ".importlinter").exists()


# -- what cannot be converted, and files that are no import-linter configuration ---------------

SMALL_TREE = {
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/helpers.py": "",
    "app/modules/shop/__init__.py": "from app.modules.billing.invoice import total\n",
    "app/modules/shop/deep/__init__.py": "",
    "app/modules/billing/__init__.py": "",
    "app/modules/billing/invoice.py": "import app.modules.shop\n",
}


def _init(project: Path, file: str, text: str) -> subprocess.CompletedProcess[str]:
    (project / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return archguard("init", ".", "--from-importlinter", file, cwd=project)


def _refused(result: subprocess.CompletedProcess[str], project: Path, where: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"archguard: error: {where}"), result.stderr
    assert not (project / "archguard.yaml").exists()
    assert not (project / ".archguard_cache").exists()
    return result.stderr


def test_a_file_that_is_no_import_linter_configuration_is_refused(make_project):
    project = make_project(SMALL_TREE)
    stderr = _refused(_init(project, "setup.cfg", "[flake8]\nmax-line-length = 99\n"),
                      project, "setup.cfg:1: ")
    assert "no [importlinter] section" in stderr
    stderr = _refused(_init(project, "pyproject.toml", "[project]\nname = 'x'\n"), project,
                      "pyproject.toml:1: ")
    assert "no [tool.importlinter] table" in stderr
    _refused(_init(project, "broken.toml", "[tool.importlinter\n"), project, "broken.toml:1:")
    stderr = _refused(_init(project, "broken.ini", "root_package = app\n"), project,
                      "broken.ini:1: ")
    assert "before any [section]" in stderr


def test_an_unknown_or_missing_contract_type_is_refused_at_its_line(make_project):
    project = make_project(SMALL_TREE)
    stderr = _refused(_init(project, ".importlinter", """\
        [importlinter]
        root_package = app

        [importlinter:contract:one]
        name = one
        type = layerz
        layers =
            app.modules.shop
            app.modules.billing
        """), project, ".importlinter:6: one.type: ")
    assert "unknown contract type 'layerz'" in stderr and "did you mean 'layers'" in stderr
    stderr = _refused(_init(project, "pyproject.toml", """\
        [tool.importlinter]
        root_package = "app"

        [[tool.importlinter.contracts]]
        id = "typeless"
        name = "typeless"
        modules = ["app.modules.shop", "app.modules.billing"]
        """), project, "pyproject.toml:4: typeless: ")
    assert "has no type" in stderr


def test_a_module_archguard_cannot_name_leaves_its_contract_out(make_project):
    project = make_project(SMALL_TREE)
    stderr = _refused(_init(project, ".importlinter", """\
        [importlinter]
        root_package = app

        [importlinter:contract:deep]
        name = deep
        type = forbidden
        source_modules = app.modules.shop.deep
        forbidden_modules = app.modules.billing.invoice
        """), project, ".importlinter:4: ")
    assert "no contract of .importlinter can be converted" in stderr
    assert "app.modules.shop.deep is not a package directly in" in stderr

    written = _init(project, ".importlinter", """\
        [importlinter]
        root_package = app

        [importlinter:contract:shop-billing]
        name = shop does not import billing
        type = forbidden
        source_modules = app.modules.shop
        forbidden_modules = app.modules.billing
        allow_indirect_imports = true

        [importlinter:contract:too-deep]
        name = too deep
        type = forbidden
        source_modules = app.modules.shop.deep
        forbidden_modules = app.modules.billing

        [importlinter:contract:helpers]
        name = helpers
        type = layers
        exhaustive = true
        containers = app.modules
        layers =
            shop
            billing
        """)
    assert written.returncode == 0, written.stderr
    assert "found contract too-deep left out: app.modules.shop.deep is not a package " \
           "directly in app.modules" in written.stdout
    assert "found contract helpers left out: exhaustive = True" in written.stdout
    assert "shop-billing: broken by 1 violation" in written.stdout
    text = (project / "archguard.yaml").read_text(encoding="utf-8")
    footer = " ".join(line.lstrip("# ") for line in text.split("Left out of")[1].splitlines())
    assert "- too-deep (.importlinter:11): app.modules.shop.deep is not a package" in footer
    assert "- helpers (.importlinter:17): exhaustive = True" in footer
    assert "indirect: none" in text


def test_several_root_packages_are_refused_unless_one_holds_every_module(make_project):
    project = make_project({**SMALL_TREE, "lib/__init__.py": "", "lib/tools/__init__.py": ""})
    _refused(_init(project, ".importlinter", """\
        [importlinter]
        root_packages =
            app
            lib

        [importlinter:contract:across]
        name = across
        type = forbidden
        source_modules = app.modules.shop
        forbidden_modules = lib.tools
        allow_indirect_imports = True
        """), project, "the contracts of .importlinter name modules of 2 root packages")
    written = _init(project, ".importlinter", """\
        [importlinter]
        root_packages =
            app
            lib

        [importlinter:contract:within]
        name = within
        type = forbidden
        source_modules = app.modules.billing
        forbidden_modules = app.modules.shop
        allow_indirect_imports = True
        """)
    assert written.returncode == 0, written.stderr
    assert "found root package: app (root_packages in .importlinter)" in written.stdout


def test_a_wildcard_of_the_modules_package_becomes_every_module_unless_it_holds_modules(
        make_project):
    tree = {key: value for key, value in SMALL_TREE.items() if key != "app/modules/helpers.py"}
    project = make_project(tree)
    written = _init(project, "pyproject.toml", """\
        [tool.importlinter]
        root_package = "app"

        [[tool.importlinter.contracts]]
        id = "apart"
        name = "Nothing imports billing"
        type = "forbidden"
        source_modules = ["app.modules.*"]
        forbidden_modules = ["app.modules.billing"]
        allow_indirect_imports = true
        ignore_imports = ["app.modules.** -> app.modules.billing.invoice"]
        """)
    assert written.returncode == 0, written.stderr
    text = (project / "archguard.yaml").read_text(encoding="utf-8")
    assert "source: ['*']" in text
    assert "importer: app.modules.*.**" in text
    assert "apart: kept" in written.stdout  # shop's import of billing.invoice is ignored

    (project / "app/modules/helpers.py").write_text("", encoding="utf-8")
    (project / "archguard.yaml").unlink()
    shutil.rmtree(project / ".archguard_cache")
    stderr = _refused(archguard("init", ".", "--from-importlinter", "pyproject.toml",
                                cwd=project), project, "pyproject.toml:4: ")
    assert "app.modules.* also matches app.modules.helpers (a module, not a package)" in stderr
