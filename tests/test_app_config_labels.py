"""Django app labels as the project's AppConfig classes declare them: ``label = "store"``
makes ``ForeignKey("store.Product")`` name that app's models, as Django resolves it."""

from __future__ import annotations

import pytest

from archguard.application.check import run_check
from archguard.config import load_config

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  accounts: {category: core}
  catalogue: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

FILES = {
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/accounts/__init__.py": "",
    "app/modules/accounts/models.py": (
        "from django.db import models\n\n\n"
        "class Wish(models.Model):\n"
        "    product = models.ForeignKey('store.Product', on_delete=models.CASCADE)\n"),
    "app/modules/catalogue/__init__.py": "",
    "app/modules/catalogue/models.py": "class Product:\n    pass\n",
}


def check(make_project, apps_py: str | None):
    files = {**FILES, "archguard.yaml": CONFIG}
    if apps_py is not None:
        files["app/modules/catalogue/apps.py"] = apps_py
    root = make_project(files)
    return run_check(root, load_config(root / "archguard.yaml"), use_cache=False)


@pytest.mark.parametrize("apps_py", [
    "from django.apps import AppConfig\n\n\nclass CatalogueConfig(AppConfig):\n"
    "    name = 'app.modules.catalogue'\n    label = 'store'\n",
    # the package is the file's own when name is left out; a subclass of another AppConfig
    "from base.apps import ShopAppConfig\n\n\nclass CatalogueConfig(ShopAppConfig):\n"
    "    label: str = 'store'\n",
])
def test_a_declared_label_names_its_app(make_project, apps_py):
    result = check(make_project, apps_py)
    (violation,) = result.violations
    assert (violation.file, violation.line) == ("app/modules/accounts/models.py", 5)
    assert violation.imported == "app.modules.catalogue.models"
    assert not [f for f in result.findings if f.rule == "unresolved-reference"]


def test_without_the_app_config_the_label_names_no_app(make_project):
    result = check(make_project, None)
    assert result.violations == []
    (finding,) = [f for f in result.findings if f.rule == "unresolved-reference"]
    assert "app label 'store'" in finding.message and finding.line == 5


def test_an_app_config_of_a_package_outside_the_project_labels_nothing(make_project):
    result = check(make_project, "from django.apps import AppConfig\n\n\n"
                                 "class Other(AppConfig):\n    name = 'elsewhere.store'\n")
    assert result.violations == []
    assert [f.rule for f in result.findings if f.rule == "unresolved-reference"] == [
        "unresolved-reference"]
