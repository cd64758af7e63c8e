"""Contract kinds and finding rules are each defined in one place, and every place that
needs them (the schema, the loader, the checker, ``explain``, SARIF) reads that place."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import archguard.contracts
from archguard.config.format import CONTRACT_VARIANTS, json_schema
from archguard.contracts import CONTRACT_KINDS, Contract, OptionType
from archguard.domain.finding_rules import FINDING_RULES
from archguard.rewrites import RECIPES


def _archguard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                          text=True, timeout=60)


def test_every_module_of_the_contracts_package_but_base_defines_one_kind():
    """A kind is registered by its file alone: each module adds exactly one kind."""
    modules = {info.name for info in pkgutil.iter_modules(archguard.contracts.__path__)}
    defined = {kind.__module__.rsplit(".", 1)[-1] for kind in CONTRACT_KINDS.values()}
    assert defined == modules - {"base"}
    assert len(defined) == len(CONTRACT_KINDS)


@pytest.mark.parametrize("kind", sorted(CONTRACT_KINDS))
def test_each_kind_is_documented_and_has_a_schema_from_its_options(kind):
    """The schema variant of a kind holds the common keys and exactly the kind's options."""
    cls = CONTRACT_KINDS[kind]
    assert issubclass(cls, Contract) and cls.type == kind
    for part in (cls.doc.what, cls.doc.why, cls.doc.example, cls.doc.fix, cls.summary):
        assert part.strip()
    variant = CONTRACT_VARIANTS[kind].json_schema()
    chains = {"indirect"} if cls.judges_dependencies else set()
    assert set(variant["properties"]) == {"id", "type", "name", "description", "severity",
                                          "count", "ignore", *chains, *cls.options}
    required = {name for name, option in cls.options.items() if option.required}
    assert set(variant["required"]) == {"id", "type"} | required
    for name, option in cls.options.items():
        assert variant["properties"][name]["description"] == option.description
        if option.min_items:
            assert variant["properties"][name]["minItems"] == option.min_items
    assert json_schema()["properties"]["contracts"]["items"]


@pytest.mark.parametrize("rule", sorted(FINDING_RULES))
def test_each_finding_rule_is_documented(rule):
    found = FINDING_RULES[rule]
    assert found.id == rule and found.severity in ("error", "warning", "info")
    for part in (found.title, found.doc.what, found.doc.why, found.doc.example, found.doc.fix):
        assert part.strip()


def test_explain_prints_a_kind_and_a_rule_and_lists_them_all_with_the_recipes():
    listing = _archguard("explain")
    assert listing.returncode == 0
    listed = {line.split()[0] for line in listing.stdout.splitlines()}
    assert listed == set(CONTRACT_KINDS) | set(FINDING_RULES) | set(RECIPES)

    kind = _archguard("explain", "declared_dependencies")
    assert kind.returncode == 0
    doc = CONTRACT_KINDS["declared_dependencies"].doc
    for heading, body in (("What it checks", doc.what), ("Why", doc.why),
                          ("How to fix", doc.fix)):
        assert f"\n{heading}\n{body}\n" in kind.stdout
    assert "    # app/modules/cart/services.py; cart requires [inventory]" in kind.stdout

    rule = _archguard("explain", "unused-ignore")
    assert rule.returncode == 0 and FINDING_RULES["unused-ignore"].doc.why in rule.stdout


def test_explain_of_an_unknown_rule_suggests_the_nearest_and_exits_2():
    result = _archguard("explain", "categry_layering")
    assert result.returncode == 2
    assert "did you mean 'category_layering'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_loader_checks_every_option_that_names_categories_or_modules(tmp_path):
    """Reference checks follow the option types: a wrong category or module name in any
    kind's option is reported at its key."""
    from archguard.config import load_config
    from archguard.errors import ConfigError

    base = ("version: 1\nproject: {root_package: app, modules_package: app.modules}\n"
            "categories: {core: {}, optional: {}}\n"
            "modules: {shop: {category: core}, extras: {category: optional}}\n"
            "contracts:\n")
    cases = []
    for kind, cls in CONTRACT_KINDS.items():
        for name, option in cls.options.items():
            if option.value_type not in (OptionType.CATEGORIES, OptionType.MODULES):
                continue
            values = {n: (["core"] if o.value_type == OptionType.CATEGORIES else ["shop", "extras"])
                      for n, o in cls.options.items() if o.required}
            values[name] = ["shop", "nowhere"] if option.value_type == OptionType.MODULES \
                else ["core", "nowhere"]
            cases.append((kind, name, values))
    assert len(cases) >= 7
    for kind, name, values in cases:
        options = "".join(f"    {n}: {json.dumps(v)}\n" for n, v in values.items())
        path = tmp_path / f"{kind}-{name}.yaml"
        path.write_text(base + f"  - id: c\n    type: {kind}\n" + options)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert caught.value.key == f"contracts[0].{name}[1]", (kind, name)
        assert "unknown" in str(caught.value) and "'nowhere'" in str(caught.value)


def test_sarif_rules_carry_each_kinds_documentation(make_project):
    project = make_project({
        "archguard.yaml": """
            version: 1
            project: {root_package: app, modules_package: app.modules}
            categories: {core: {}, optional: {}}
            modules: {shop: {category: core}, extras: {category: optional}}
            definitions: {enabled: false}
            contracts:
              - {id: core-not-optional, type: category_layering, source: [core],
                 forbidden: [optional]}
            """,
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/modules/shop/__init__.py": "import app.modules.extras\n",
        "app/modules/extras/__init__.py": "",
        "app/modules/loose/x.py": "",
    })
    result = _archguard("check", str(project), "--format", "sarif", "--no-cache")
    assert result.returncode == 1
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    layering = next(r for r in rules if r["id"] == "core-not-optional")
    doc = CONTRACT_KINDS["category_layering"].doc
    assert layering["fullDescription"]["text"] == doc.what
    assert doc.fix in layering["help"]["text"] and doc.fix in layering["help"]["markdown"]
    missing = next(r for r in rules if r["id"] == "missing-init")
    assert missing["shortDescription"]["text"] == FINDING_RULES["missing-init"].title
    assert missing["fullDescription"]["text"] == FINDING_RULES["missing-init"].doc.what


def test_committed_rules_page_is_current():
    """docs/rules.md is generated from the rules' own text."""
    from archguard.reporting.rule_docs import rules_markdown

    from .conftest import REPO

    assert (REPO / "docs" / "rules.md").read_text() == rules_markdown()


def test_a_doc_block_renders_its_sections_in_order_with_the_example_indented():
    from archguard.reporting.rule_docs import rule_docs

    doc = rule_docs()["forbidden"]
    text = doc.render()
    title = f"forbidden (contract kind): {CONTRACT_KINDS['forbidden'].summary}"
    assert text.startswith(f"{title}\n{'=' * len(title)}\n\nWhat it checks\n")
    positions = [text.index(f"\n{h}\n") for h in ("What it checks", "Why", "Example",
                                                   "How to fix")]
    assert positions == sorted(positions)
    for line in CONTRACT_KINDS["forbidden"].doc.example.splitlines():
        assert f"\n    {line}\n" in text
    assert text.endswith(CONTRACT_KINDS["forbidden"].doc.fix + "\n")
