"""`archguard check --propose` and `archguard explain RECIPE`, run as a user runs them, on
the reference platform's before/ tree: the Fix lines, the "What to move where" table, and
the same proposals in JSON, SARIF and Markdown."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from .conftest import BEFORE, REPO, RULES

pytestmark = pytest.mark.platform


def _archguard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300, check=False,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "250"})


def _check(*extra: str) -> subprocess.CompletedProcess:
    return _archguard("check", str(BEFORE), "--config", str(RULES), "--propose", "--no-cache",
                      *extra)


@pytest.fixture(scope="module")
def proposals_json() -> dict:
    done = _check("--format", "json")
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def test_every_violation_points_at_a_proposal_and_the_json_matches_its_schema(proposals_json):
    schema = json.loads((REPO / "docs" / "check-output.schema.json").read_text())
    jsonschema.validate(proposals_json, schema)
    proposals = proposals_json["proposals"]
    assert all(v["proposal"] is not None for v in proposals_json["violations"])
    for violation in proposals_json["violations"]:
        proposal = proposals[violation["proposal"]]
        shown = proposal if proposal["chosen"] is None \
            else proposal["alternatives"][proposal["chosen"]]
        assert violation["fingerprint"] in shown["violations"]


def test_the_catalog_move_conflict_is_in_the_json_with_its_alternative(proposals_json):
    move = next(p for p in proposals_json["proposals"]
                if p["group"] == "tenancy/services/store_service.py → catalog, marketplace")
    assert not move["valid"]
    assert move["conflicts"][0]["contract"] == "optional-declared-dependencies"
    assert (move["conflicts"][0]["source"], move["conflicts"][0]["target"]) == \
        ("catalog", "marketplace")
    alternative = move["alternatives"][move["chosen"]]
    assert alternative["valid"]
    assert alternative["changes"]["requires"] == [{"module": "marketplace",
                                                   "requires": "catalog"}]


def test_text_report_has_a_fix_line_under_tables_and_the_move_table():
    done = _check()
    assert done.returncode == 1
    out = done.stdout
    assert "Fix (relationship-other-side, review): declare the relationships to " \
           "MarketplaceImportJob on the marketplace side" in out
    assert "Fix (move-function, review): move add_product_to_catalog()" in out
    assert "breaks optional-declared-dependencies" in out
    table = out[out.index("What to move where"):]
    for group in ("billing/* → catalog", "cms/* → catalog", "tenancy/* → marketplace"):
        assert group in table


def test_markdown_and_sarif_carry_the_same_proposals(proposals_json):
    markdown = _check("--format", "markdown").stdout
    assert "## What to move where" in markdown
    assert markdown.count("**Fix**") >= len({(v["file"]) for v in
                                            proposals_json["violations"]})
    sarif = json.loads(_check("--format", "sarif").stdout)
    # The rules name after/'s provider lookup as kernel: a finding on before/, no violation.
    results = [r for r in sarif["runs"][0]["results"]
               if r["ruleId"] != "missing-kernel-package"]
    with_proposal = [r for r in results if "proposal" in r["properties"]]
    assert len(with_proposal) == len(results) == len(proposals_json["violations"])
    relationship = next(r for r in with_proposal
                        if r["properties"]["proposal"]["recipe"] == "relationship-other-side")
    assert any("marketplace_import_job.py" in loc["physicalLocation"]["artifactLocation"]["uri"]
               or "product_media.py" in loc["physicalLocation"]["artifactLocation"]["uri"]
               for loc in relationship["relatedLocations"])


def test_explain_prints_a_recipe_doc_block_and_lists_the_recipes():
    done = _archguard("explain", "type-checking-only")
    assert done.returncode == 0
    for heading in ("What it does", "When it applies", "Why", "Before", "After",
                    "What can go wrong"):
        assert f"\n{heading}\n" in done.stdout
    listing = _archguard("explain").stdout
    for recipe in ("use-provider", "extract-protocol", "move-function",
                   "relationship-other-side", "guard-optional", "type-checking-only"):
        assert recipe in listing
    unknown = _archguard("explain", "move-functions")
    assert unknown.returncode == 2
    assert "did you mean 'move-function'" in unknown.stderr
