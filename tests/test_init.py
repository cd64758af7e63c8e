"""``archguard init``: a first configuration for an existing codebase, found in its tree.

On the reference platform the configuration it writes reports, through ``check``, the
violations ``rules/commerce_platform.yaml`` reports; on a real Django codebase from PyPI
(django-oscar) it finds the apps' package from INSTALLED_APPS and their labels; it never
replaces a file without ``--force``, and ``--baseline`` makes CI start green."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import AFTER, BEFORE, RULES


def archguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archguard", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def check_json(project: Path, *args: str) -> dict:
    result = archguard("check", ".", "--format", "json", "--no-cache", *args, cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def identities(report: dict) -> set[tuple]:
    """What a violation is, whichever contract reports it."""
    return {(v["file"], v["line"], v["importer"], v["imported"], v["source_module"],
             v["target_module"], v["kind"]) for v in report["violations"]}


def copy_of(tree: Path, tmp_path: Path) -> Path:
    project = tmp_path / tree.name
    shutil.copytree(tree, project, ignore=shutil.ignore_patterns(
        ".archguard-cache", "__pycache__", "archguard.yaml", "archguard-baseline.json"))
    return project


@pytest.mark.platform
@pytest.mark.parametrize("tree", [BEFORE, AFTER], ids=["before", "after"])
def test_the_written_configuration_reports_what_the_reference_rules_report(tree, tmp_path):
    project = copy_of(tree, tmp_path)
    written = archguard("init", ".", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "found modules package: app.modules (a package named modules)" in written.stdout
    config = yaml.safe_load((project / "archguard.yaml").read_text(encoding="utf-8"))
    assert config["project"] == {"root_package": "app", "modules_package": "app.modules"}
    assert config["definitions"]["category_flags"] == {"is_core": "core",
                                                       "is_internal": "internal"}
    assert config["definitions"]["read"] == ["category", "requires"]
    assert {"app.main", "app.api", "app.core", "app.middleware",
            "app.modules.base", "app.modules.registry"} <= set(config["kernel"])

    by_init = check_json(project)
    by_rules = check_json(project, "--config", str(RULES))
    assert identities(by_init) == identities(by_rules)
    assert by_init["summary"]["violations"] == by_rules["summary"]["violations"]
    assert (by_init["summary"]["violations"] > 0) == (tree == BEFORE)
    broken = {c["id"] for c in by_init["contracts"] if not c["kept"]}
    assert broken == ({"core-not-optional"} if tree == BEFORE else set())
    assert not by_init["findings"] and not by_init["errors"]
    # What the modules are comes from their definition.py, as the rules read it.
    modules = archguard("modules", ".", "--format", "json", cwd=project)
    reference = archguard("modules", ".", "--format", "json", "--config", str(RULES),
                          cwd=project)
    categories = {m["name"]: (m["category"], tuple(m["requires"]))
                  for m in json.loads(modules.stdout)["modules"]}
    assert categories == {m["name"]: (m["category"], tuple(m["requires"]))
                          for m in json.loads(reference.stdout)["modules"]}


@pytest.mark.platform
def test_baseline_makes_the_check_pass_until_a_new_violation(tmp_path):
    project = copy_of(BEFORE, tmp_path)
    written = archguard("init", ".", "--baseline", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "27 violations recorded" in written.stdout
    assert archguard("check", ".", "--baseline", "archguard-baseline.json",
                     cwd=project).returncode == 0
    billing = project / "app/modules/billing/services/subscription_service.py"
    billing.write_text(billing.read_text(encoding="utf-8")
                       + "\nfrom app.modules.loyalty.models import LoyaltyProgram\n",
                       encoding="utf-8")
    failed = archguard("check", ".", "--baseline", "archguard-baseline.json", cwd=project)
    assert failed.returncode == 1
    assert "app.modules.loyalty.models" in failed.stdout


@pytest.fixture(scope="module")
def oscar(tmp_path_factory) -> Path:
    """django-oscar's package, installed from PyPI, as a project of its own."""
    spec = importlib.util.find_spec("oscar")  # found, not imported
    assert spec is not None and spec.submodule_search_locations, "django-oscar is a test extra"
    project = tmp_path_factory.mktemp("shop")
    shutil.copytree(next(iter(spec.submodule_search_locations)), project / "oscar",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return project


@pytest.mark.platform
def test_a_django_codebase_gets_its_apps_as_modules(oscar):
    written = archguard("init", ".", cwd=oscar)
    assert written.returncode == 0, written.stderr
    config = yaml.safe_load((oscar / "archguard.yaml").read_text(encoding="utf-8"))
    apps = [name for name in os.listdir(oscar / "oscar/apps")
            if (oscar / "oscar/apps" / name / "__init__.py").is_file()]
    assert config["project"]["modules_package"] == "oscar.apps"
    assert set(config["modules"]) == set(apps) and len(apps) >= 15
    assert {m["category"] for m in config["modules"].values()} == {"optional"}
    assert "oscar.core" in config["kernel"] and "oscar.apps" not in config["kernel"]
    # Apps below a module are found by the label their AppConfig gives them.
    labels = config["strings"]["app_labels"]
    assert labels["reviews"] == "oscar.apps.catalogue.reviews"
    assert labels["reports_dashboard"] == "oscar.apps.dashboard.reports"
    assert {"treebeard", "haystack"} <= set(config["strings"]["external_apps"])
    report = check_json(oscar)
    # Every label the strings name resolves: no app the project does not know.
    assert not [f for f in report["findings"] if "app label" in f["message"]]
    contracts = {c["id"]: c for c in report["contracts"]}
    assert set(contracts) == {"core-not-optional", "optional-declared-dependencies",
                              "kernel-generic"}
    # Every app is optional and declares nothing yet: what apps import of each other is
    # what breaks, visibly, each violation between two apps.
    broken = contracts["optional-declared-dependencies"]
    assert not broken["kept"]
    assert all(v["source_category"] == v["target_category"] == "optional"
               for v in report["violations"] if v["contract"] == broken["id"])
    assert report["summary"]["modules_checked"] > 400


@pytest.mark.platform
def test_core_modules_are_named_where_no_definition_says(oscar, tmp_path):
    project = copy_of(oscar, tmp_path)
    written = archguard("init", ".", "--core", "catalogue", "--core", "partner", cwd=project)
    assert written.returncode == 0, written.stderr
    config = yaml.safe_load((project / "archguard.yaml").read_text(encoding="utf-8"))
    assert config["modules"]["catalogue"] == {"category": "core"}
    assert config["modules"]["basket"] == {"category": "optional"}
    report = check_json(project)
    core_to_optional = [v for v in report["violations"] if v["contract"] == "core-not-optional"]
    assert {v["source_module"] for v in core_to_optional} <= {"catalogue", "partner"}


def test_an_existing_configuration_is_replaced_only_with_force(make_project):
    project = make_project({"shop/__init__.py": "", "shop/cart/__init__.py": "",
                            "shop/orders/__init__.py": "from shop.cart import x\n",
                            "archguard.yaml": "# mine\n"})
    refused = archguard("init", ".", cwd=project)
    assert refused.returncode == 2
    assert "archguard.yaml exists: pass --force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert (project / "archguard.yaml").read_text(encoding="utf-8") == "# mine\n"
    replaced = archguard("init", ".", "--force", cwd=project)
    assert replaced.returncode == 0, replaced.stderr
    config = yaml.safe_load((project / "archguard.yaml").read_text(encoding="utf-8"))
    assert config["project"] == {"root_package": "shop", "modules_package": "shop"}
    assert set(config["modules"]) == {"cart", "orders"}


def test_a_pyproject_table_counts_as_a_configuration(make_project):
    project = make_project({"shop/__init__.py": "", "shop/cart/__init__.py": "",
                            "pyproject.toml": "[tool.archguard]\nconfig = 'rules.yaml'\n"})
    refused = archguard("init", ".", cwd=project)
    assert refused.returncode == 2 and "[tool.archguard]" in refused.stderr
    assert not (project / "archguard.yaml").exists()


def test_the_baseline_is_not_replaced_without_force(make_project):
    project = make_project({"shop/__init__.py": "", "shop/cart/__init__.py": "",
                            "archguard-baseline.json": "[]\n"})
    refused = archguard("init", ".", "--baseline", cwd=project)
    assert refused.returncode == 2 and "archguard-baseline.json exists" in refused.stderr
    # Nothing is written when anything is refused.
    assert not (project / "archguard.yaml").exists()


def test_the_configuration_is_written_only_inside_the_project(make_project, tmp_path):
    project = make_project({"shop/__init__.py": "", "shop/cart/__init__.py": ""})
    outside = tmp_path / "elsewhere.yaml"
    refused = archguard("init", ".", "--output", str(outside), cwd=project)
    assert refused.returncode == 2 and "outside the project" in refused.stderr
    assert not outside.exists()


@pytest.mark.parametrize(("files", "args", "message"), [
    ({"README.md": "no code\n"}, (), "no Python package"),
    ({"a/__init__.py": "", "b/__init__.py": ""}, (), "2 top-level packages in"),
    ({"shop/__init__.py": ""}, (), "shop has no subpackages"),
    ({"shop/__init__.py": "", "shop/cart/__init__.py": ""}, ("--core", "carts"),
     "--core names carts, which is not a module of shop (its modules: cart)"),
    ({"shop/__init__.py": "", "shop/cart/__init__.py": ""}, ("--modules-package", "other"),
     "--modules-package other is not shop or a package in it"),
])
def test_what_cannot_be_found_is_said_and_nothing_is_written(make_project, files, args,
                                                             message):
    project = make_project(files)
    refused = archguard("init", ".", *args, cwd=project)
    assert refused.returncode == 2, refused.stdout
    assert message in refused.stderr and "Traceback" not in refused.stderr
    assert not (project / "archguard.yaml").exists()


def test_of_several_packages_the_one_with_modules_is_the_root(make_project):
    project = make_project({"tools/__init__.py": "", "app/__init__.py": "",
                            "app/main.py": "", "app/modules/__init__.py": "",
                            "app/modules/cart/__init__.py": "",
                            "app/modules/cart/definition.py":
                                "cart_module = ModuleDefinition(code='cart', is_core=True)\n",
                            "app/modules/promo/__init__.py": "",
                            "app/modules/promo/definition.py":
                                "promo_module = ModuleDefinition(code='promo', is_core=False,"
                                " requires=['cart'])\n"})
    assert archguard("init", ".", cwd=project).returncode == 0
    config = yaml.safe_load((project / "archguard.yaml").read_text(encoding="utf-8"))
    assert config["project"]["root_package"] == "app"
    assert config["kernel"] == ["app.main"]
    assert list(config["categories"]) == ["core", "optional"]
    listed = archguard("modules", ".", "--format", "json", cwd=project)
    assert {m["name"]: m["category"] for m in json.loads(listed.stdout)["modules"]} == {
        "cart": "core", "promo": "optional"}


def test_a_django_project_with_settings_lists_its_apps_package(make_project):
    project = make_project({
        "site/__init__.py": "",
        "site/settings.py": """
            INSTALLED_APPS = ["django.contrib.auth", "site.apps.blog",
                              "site.apps.shop.apps.ShopConfig"]
            INSTALLED_APPS += ["site.apps.news"]
        """,
        "site/apps/__init__.py": "",
        "site/apps/blog/__init__.py": "",
        "site/apps/shop/__init__.py": "",
        "site/apps/shop/apps.py": "class ShopConfig(AppConfig):\n    label = 'store'\n",
        "site/apps/news/__init__.py": "",
    })
    written = archguard("init", ".", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "site.apps (holds 3 of the 3 apps in INSTALLED_APPS)" in written.stdout
    config = yaml.safe_load((project / "archguard.yaml").read_text(encoding="utf-8"))
    assert config["kernel"] == ["site.settings"]
    assert config["strings"] == {"app_labels": {"store": "site.apps.shop"}}
