"""``archguard check PROJECT FILES``: what FILES limit, and the files that change what every
file is judged by (the configuration, ``pyproject.toml``, a module's definition or
``__init__.py``), with which every violation is reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from .conftest import write_tree
from .recipe_projects import CONFIG, KERNEL, module

SUMMARY = "app/modules/reports/summary.py"
CHECKOUT = "app/modules/shop/checkout.py"


def project(root: Path, *, config: str = CONFIG, reports_core: bool = True) -> Path:
    """shop (core) imports nothing optional; reports imports gifts (optional), which breaks
    core-not-optional while reports is core."""
    return write_tree(root, {
        "archguard.yaml": config,
        **KERNEL,
        **module("shop", core=True, files={"checkout.py": "from app.core.database import Base\n"}),
        **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
        **module("reports", core=reports_core, requires=("gifts",),
                 files={"summary.py": "from app.modules.gifts.models import Gift\n"}),
    })


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archguard", "check", *args, "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


@pytest.mark.parametrize(("given", "reason"), [
    ("archguard.yaml", "archguard.yaml is the configuration"),
    ("app/modules/reports/definition.py", "app/modules/reports/definition.py declares modules"),
    ("app/modules/shop/__init__.py", "app/modules/shop/__init__.py makes a module"),
    ("app/modules/__init__.py", "app/modules/__init__.py makes the modules package"),
])
def test_a_declaring_file_among_files_reports_every_violation(tmp_path, given, reason):
    root = project(tmp_path)
    done = check(root, ".", CHECKOUT, given, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert [(v["file"], v["line"]) for v in json.loads(done.stdout)["violations"]] == [
        (SUMMARY, 1)]
    assert done.stderr == f"archguard: {reason}: checking every file\n"


def test_a_pyproject_among_files_reports_every_violation(tmp_path):
    root = project(tmp_path)
    (root / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    done = check(root, ".", "pyproject.toml", CHECKOUT)
    assert done.returncode == 1
    assert f"\n{SUMMARY}:1\n" in done.stdout
    assert done.stderr == ("archguard: pyproject.toml may hold the configuration: "
                           "checking every file\n")


def test_the_configuration_given_with_config_is_recognised(tmp_path):
    root = project(tmp_path / "project")
    rules = tmp_path / "rules" / "app.yaml"
    rules.parent.mkdir()
    (root / "archguard.yaml").rename(rules)
    done = check(root, ".", "../rules/app.yaml", "--config", str(rules), "--format", "json")
    assert done.returncode == 1
    assert [v["file"] for v in json.loads(done.stdout)["violations"]] == [SUMMARY]
    assert "../rules/app.yaml is the configuration: checking every file" in done.stderr


def test_the_configured_definition_file_name_is_the_one_that_declares(tmp_path):
    config = CONFIG.replace("definitions: {read: [category, requires]}",
                            "definitions: {file: module.py, read: [category, requires]}")
    root = project(tmp_path, config=config)
    for name in ("shop", "gifts", "reports"):
        folder = root / "app/modules" / name
        (folder / "definition.py").rename(folder / "module.py")
    (root / "app/modules/shop/definition.py").write_text("", encoding="utf-8")
    ordinary = check(root, ".", "app/modules/shop/definition.py", "--format", "json")
    assert ordinary.returncode == 0
    assert ordinary.stderr == ""
    declaring = check(root, ".", "app/modules/reports/module.py", "--format", "json")
    assert declaring.returncode == 1
    assert "app/modules/reports/module.py declares modules" in declaring.stderr


def test_a_definition_file_declares_nothing_when_definitions_are_off(tmp_path):
    config = CONFIG.replace("definitions: {read: [category, requires]}",
                            "definitions: {enabled: false}\n"
                            "modules: {shop: {category: core}, gifts: {category: optional}, "
                            "reports: {category: core}}")
    root = project(tmp_path, config=config)
    ordinary = check(root, ".", "app/modules/reports/definition.py")
    assert (ordinary.returncode, ordinary.stderr) == (0, "")
    making = check(root, ".", "app/modules/reports/__init__.py")
    assert making.returncode == 1
    assert making.stderr == ("archguard: app/modules/reports/__init__.py makes a module: "
                             "checking every file\n")


def test_other_files_limit_the_report_and_the_summary_counts_what_was_left_out(tmp_path):
    root = project(tmp_path)
    done = check(root, ".", CHECKOUT, "app/modules/gifts/models.py")
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert "kept" not in done.stdout
    assert last.endswith(": 0 violations in the 2 files given; 1 more in other files "
                         "(run without FILES to see them)")
    assert done.stderr == ""
    whole = check(root, ".")
    assert whole.stdout.strip().splitlines()[-1].startswith(
        "2 contracts: 1 kept, 1 broken; 1 violation in ")


def test_the_summary_says_none_were_left_out(tmp_path):
    root = project(tmp_path)
    done = check(root, ".", SUMMARY)
    assert done.returncode == 1
    assert done.stdout.strip().splitlines()[-1].endswith(
        ": 1 violation in the 1 file given; none in other files")


def test_markdown_junit_github_and_sarif_say_what_was_left_out(tmp_path):
    root = project(tmp_path / "project")
    left_out = ("1 more violation in files other than the given ones "
                "(run without FILES to see them)")
    markdown = check(root, ".", CHECKOUT, "--format", "markdown").stdout
    assert ("2 contracts: 0 violations in the 1 file given; 1 more in other files "
            "(run without FILES to see them).") in markdown
    assert "| kept |" not in markdown
    assert "| `core-not-optional` | category_layering | error | none in the files given |" \
        in markdown
    suite = ElementTree.fromstring(check(root, ".", CHECKOUT, "--format", "junit").stdout)
    assert suite.findtext("system-out") == left_out
    github = check(root, ".", CHECKOUT, "--format", "github").stdout
    assert github == f"::notice title=archguard::{left_out}\n"
    sarif = json.loads(check(root, ".", CHECKOUT, "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert run["results"] == []
    assert run["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": left_out}}]
    clean = project(tmp_path / "clean", reports_core=False)
    github = check(clean, ".", CHECKOUT, "--format", "github")
    assert (github.returncode, github.stdout) == (0, "")
    suite = ElementTree.fromstring(check(clean, ".", CHECKOUT, "--format", "junit").stdout)
    assert suite.find("system-out") is None
