"""A differential test on a real installed package: wagtail (1,379 Python files, a Django
CMS whose migrations are named ``0001_initial.py``) under one ``layers`` contract that
follows chains through any code. archguard and lint-imports (import-linter) must find the
same direct imports and the same chains, layer pair by layer pair, and every file archguard
does not read must be listed with its reason."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from archguard.application.check import run_check
from archguard.config import load_config
from archguard.domain.imports import ImportKind

pytestmark = pytest.mark.platform

#: The stack, from the top. The modules it leaves out (actions, sites, locales, models'
#: neighbours at the top level such as wagtail.fields …) are what chains pass through.
LAYERS = ["contrib", "api", "snippets | documents | images | embeds", "admin", "search",
          "models", "blocks", "utils"]

#: Runs lint-imports' own report on the contract and prints, as JSON, each forbidden layer
#: pair with its routes, the number of modules its graph holds, and for each link given on
#: standard input the lines grimp's graph has for it.
LINT_IMPORTS_REPORT = """
import json, sys
from importlinter import configuration
from importlinter.application import use_cases
configuration.configure()
use_cases._register_built_in_contract_types()
report = use_cases.create_report(use_cases.read_user_options(sys.argv[1]), cache_dir=None)
(contract, check), = report.get_contracts_and_checks()
links = json.load(sys.stdin)
print(json.dumps({
    "kept": check.kept,
    "modules": len(report.graph.modules),
    "dependencies": check.metadata["invalid_dependencies"],
    "links": [sorted(d["line_number"] for d in report.graph.get_import_details(
        importer=importer, imported=imported)) for importer, imported in links],
}))
"""

CHAIN_LINK = re.compile(r"^(\S+) \(([^:]+):(\d+)\) -> (\S+)$")


@pytest.fixture(scope="module")
def wagtail_root() -> Path:
    spec = importlib.util.find_spec("wagtail")  # finds the package without importing it
    assert spec is not None and spec.submodule_search_locations, "wagtail is a test extra"
    return Path(next(iter(spec.submodule_search_locations))).parent


@pytest.fixture(scope="module")
def archguard_result(wagtail_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("wagtail")
    layers = "".join(f"      - {layer!r}\n" for layer in LAYERS)
    (folder / "archguard.yaml").write_text(
        "version: 1\n"
        f"project: {{root_package: wagtail, modules_package: wagtail, "
        f"source_root: {json.dumps(str(wagtail_root))}}}\n"
        "categories: {app: {}}\n"
        "definitions: {enabled: false}\n"
        # django-taggit's app, which wagtail's models name as "taggit.Tag".
        "strings: {external_apps: [taggit]}\n"
        "contracts:\n"
        "  - id: stack\n"
        "    type: layers\n"
        "    indirect: any\n"
        # lint-imports counts every import wherever it sits: count every kind here too.
        f"    count: [{', '.join(ImportKind)}]\n"
        f"    layers:\n{layers}", encoding="utf-8")
    config = load_config(folder / "archguard.yaml")
    return run_check(folder, config, use_cache=False)


@pytest.fixture(scope="module")
def lint_imports(archguard_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("importlinter")
    members = "".join(f"    {' | '.join('wagtail.' + m.strip() for m in layer.split('|'))}\n"
                      for layer in LAYERS)
    config = folder / ".importlinter"
    config.write_text("[importlinter]\nroot_package = wagtail\n\n"
                      "[importlinter:contract:stack]\nname = stack\ntype = layers\n"
                      f"layers =\n{members}", encoding="utf-8")
    links = sorted({(importer, imported) for v in archguard_result.violations
                    for importer, _f, _l, imported in map(_link, v.chain)})
    report = subprocess.run([sys.executable, "-c", LINT_IMPORTS_REPORT, str(config)],
                            input=json.dumps(links), capture_output=True, text=True,
                            cwd=folder, timeout=600)
    assert report.returncode == 0, report.stderr
    found = json.loads(report.stdout)
    found["lines_of"] = {link: set(lines) for link, lines in zip(links, found["links"],
                                                                  strict=True)}
    cli = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--config",
                          str(config), "--no-cache"], capture_output=True, text=True,
                         cwd=folder, timeout=600,
                         env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"})
    found["cli"] = cli
    return found


def _link(rendered: str) -> tuple[str, str, int, str]:
    importer, file, line, imported = CHAIN_LINK.match(rendered).groups()
    return importer, file, int(line), imported


def _pair(violation) -> tuple[str, str]:
    return f"wagtail.{violation.source_module}", f"wagtail.{violation.target_module}"


def test_direct_imports_are_lint_imports_pair_by_pair(archguard_result, lint_imports):
    expected = defaultdict(set)
    for dependency in lint_imports["dependencies"]:
        pair = (dependency["importer"], dependency["imported"])
        for route in dependency["routes"]:
            if len(route["chain"]) == 1:
                (link,) = route["chain"]
                expected[pair] |= {(link["importer"], n) for n in link["line_numbers"]}
    found = defaultdict(set)
    for v in archguard_result.violations:
        if not v.chain and v.reference is None:
            found[_pair(v)].add((v.importer, v.line))
    assert dict(found) == dict(expected)
    assert sum(map(len, found.values())) > 100 and len(found) > 10


def test_chains_start_where_lint_imports_routes_start_pair_by_pair(archguard_result,
                                                                     lint_imports):
    expected = defaultdict(set)
    for dependency in lint_imports["dependencies"]:
        for route in dependency["routes"]:
            if len(route["chain"]) > 1:
                heads = [route["chain"][0]] + route["extra_firsts"]
                expected[dependency["importer"], dependency["imported"]] |= {
                    link["importer"] for link in heads}
    found = defaultdict(set)
    for v in archguard_result.violations:
        if v.chain:
            found[_pair(v)].add(v.importer)
    assert dict(found) == dict(expected)
    assert len(found) > 10 and sum(map(len, found.values())) > 100


def test_each_chain_link_is_an_import_of_grimps_graph_outside_the_layers(archguard_result,
                                                                         lint_imports):
    layer_modules = {f"wagtail.{m.strip()}" for layer in LAYERS for m in layer.split("|")}
    chains = [v for v in archguard_result.violations if v.chain]
    for v in chains:
        links = [_link(rendered) for rendered in v.chain]
        assert links[0][0] == v.importer and links[-1][3] == v.imported
        for (importer, file, line, imported), after in zip(links, [*links[1:], None],
                                                           strict=True):
            assert line in lint_imports["lines_of"][importer, imported], (v.chain, importer)
            assert file.endswith(importer.replace(".", "/") + ".py") \
                or file.endswith(importer.replace(".", "/") + "/__init__.py")
            if after is not None:
                assert after[0] == imported
                assert not any(imported == m or imported.startswith(m + ".")
                               for m in layer_modules), v.chain


def test_the_contract_is_broken_for_lint_imports_as_for_archguard(archguard_result,
                                                                   lint_imports):
    (outcome,) = archguard_result.contracts
    assert not outcome.kept and not lint_imports["kept"]
    cli = lint_imports["cli"]
    assert cli.returncode == 1, cli.stderr
    pairs = set(re.findall(r"^(\S+) is not allowed to import (\S+):$", cli.stdout, re.M))
    assert pairs == {_pair(v) for v in outcome.violations if v.reference is None}


def test_every_python_file_is_read_or_left_out_with_its_reason(archguard_result,
                                                               wagtail_root, lint_imports):
    package = wagtail_root / "wagtail"
    files = {p.relative_to(wagtail_root).as_posix() for p in package.rglob("*.py")}
    assert len(files) >= 1000
    left_out = dict(archguard_result.left_out)
    assert archguard_result.modules_checked + len(left_out) == len(files)
    assert set(left_out) <= files
    for file, reason in left_out.items():
        folder = re.fullmatch(r"not in a package: (\S+) has no __init__\.py", reason)
        assert folder, (file, reason)
        assert not (wagtail_root / folder[1] / "__init__.py").exists()
        assert file.startswith(folder[1] + "/")
    # The modules lint-imports' graph holds are the ones archguard read.
    assert archguard_result.modules_checked == lint_imports["modules"]
    # Every other file was read, migrations named 0001_initial.py among them.
    migrations = {f for f in files if re.search(r"/migrations/\d{4}_\w+\.py$", f)}
    assert len(migrations - set(left_out)) > 50


def test_every_app_label_resolves_through_wagtails_app_configs(archguard_result):
    """wagtail labels its apps in their AppConfig classes (``label = "wagtailcore"``):
    each ``ForeignKey("wagtailcore.Site")`` names the app's models, none is unresolved."""
    assert [f.message for f in archguard_result.findings
            if f.rule == "unresolved-reference"] == []
    assert archguard_result.references_checked > 200
