"""Django settings that name code, read in a settings module that ``strings.settings`` names:
``INSTALLED_APPS``, ``MIDDLEWARE``, ``ROOT_URLCONF``, … are string references judged by the
contracts, and start-up imports for ``simulate``, with or without a runtime section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archguard.adapters.string_references import (
    ScanRules,
    scan_strings,
    strings_from_json,
    strings_to_json,
)
from archguard.application.check import run_check
from archguard.application.simulate import RemovalModel
from archguard.config import load_config
from archguard.domain.simulation import CRASHES_AT_IMPORT, RUNS

from .conftest import REPO, write_tree

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main, app.settings]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  promos: {category: optional}
  gifts: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
  - {id: kernel-generic, type: kernel_generic, forbidden: [optional]}
"""

RUNTIME = "runtime: {entry_points: [app.main]}\n"

SETTINGS = '''
    """The site's settings."""

    INSTALLED_APPS = [
        "django.contrib.admin",
        "app.modules.shop",
        "app.modules.promos.apps.PromosConfig",
    ]
    MIDDLEWARE = [
        "django.middleware.common.CommonMiddleware",
        "app.modules.promos.middleware.PromoMiddleware",
    ]
    ROOT_URLCONF = "app.modules.promos.urls"
'''

FILES = {
    "app/__init__.py": "",
    "app/main.py": '"""Starts the site; Django imports the settings module."""\n',
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/promos/__init__.py": "",
    "app/modules/promos/apps.py": 'class PromosConfig:\n    name = "app.modules.promos"\n',
    "app/modules/promos/middleware.py": "class PromoMiddleware:\n    pass\n",
    "app/modules/promos/urls.py": "urlpatterns = []\n",
    "app/modules/promos/models.py": "import app.modules.gifts\n",
    "app/modules/gifts/__init__.py": "",
}


def project(tmp_path: Path, *, settings_module: str | None = "app.settings",
            extra: str = "", files: dict[str, str] | None = None) -> Path:
    """The site, its settings in ``app/settings.py``; ``strings.settings`` names
    ``settings_module`` (nothing when None)."""
    config = CONFIG + extra
    if settings_module is not None:
        config += f"strings: {{settings: [{settings_module}]}}\n"
    return write_tree(tmp_path / "site", {"archguard.yaml": config, **FILES,
                                          "app/settings.py": SETTINGS, **(files or {})})


def check(root: Path):
    return run_check(root, load_config(root / "archguard.yaml"), use_cache=False)


def unresolved(result) -> list[tuple[str, int, str]]:
    return sorted((f.path.name, f.line, f.message) for f in result.findings
                  if f.rule == "unresolved-reference")


def simulate(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", "simulate", str(root),
                           "--no-cache", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


# -- check -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("settings_file", "contract"), [
    ("app/settings.py", "kernel-generic"),
    ("app/modules/shop/settings.py", "core-not-optional"),
])
def test_settings_naming_an_optional_module_break_the_contract_at_the_string(
        tmp_path, settings_file, contract):
    module = settings_file.removesuffix(".py").replace("/", ".")
    root = project(tmp_path, settings_module=module, files={settings_file: SETTINGS})
    result = check(root)
    assert sorted((v.contract, v.file, v.line, v.column, v.kind, v.imported, v.reference)
                  for v in result.violations) == [
        (contract, settings_file, 6, 5, "string", "app.modules.promos.apps",
         "INSTALLED_APPS 'app.modules.promos.apps.PromosConfig'"),
        (contract, settings_file, 10, 5, "string", "app.modules.promos.middleware",
         "MIDDLEWARE 'app.modules.promos.middleware.PromoMiddleware'"),
        (contract, settings_file, 12, 16, "string", "app.modules.promos.urls",
         "ROOT_URLCONF 'app.modules.promos.urls'"),
    ]
    assert unresolved(result) == []


def test_a_settings_path_naming_no_project_module_is_unresolved_and_other_packages_are_not(
        tmp_path):
    settings = '''
        INSTALLED_APPS = [
            "django.contrib.admin",
            "django.contrib.auth.apps.AuthConfig",
            "rest_framework",
            "app.modules.shop",
            "app.modules.gone",
        ]
        MIDDLEWARE = [
            "corsheaders.middleware.CorsMiddleware",
            "app.modules.shop.middleware.Timing",
        ]
        ROOT_URLCONF = "app.modules.shop.routes"
        AUTH_USER_MODEL = "auth.User"
    '''
    result = check(project(tmp_path, files={"app/settings.py": settings}))
    assert unresolved(result) == [
        ("settings.py", 6, "INSTALLED_APPS 'app.modules.gone' names app.modules.gone, which "
                           "is nowhere in the project; it fails when it runs"),
        ("settings.py", 10, "MIDDLEWARE 'app.modules.shop.middleware.Timing' names "
                            "app.modules.shop.middleware.Timing, which is nowhere in the "
                            "project; it fails when it runs"),
        ("settings.py", 12, "ROOT_URLCONF 'app.modules.shop.routes' names "
                            "app.modules.shop.routes, which is nowhere in the project; it "
                            "fails when it runs"),
    ]
    assert result.violations == []
    assert not [f for f in result.findings if f.rule == "ambiguous-reference"]


# -- simulate --------------------------------------------------------------------------------

@pytest.mark.parametrize("runtime", ["", RUNTIME], ids=["without runtime", "with runtime"])
def test_removing_an_installed_app_crashes_start_up_at_the_setting_that_names_it(
        tmp_path, runtime):
    root = project(tmp_path, extra=runtime)
    done = simulate(root, "--without", "promos", "--format", "json")
    predicted = json.loads(done.stdout)["scenarios"][0]["predicted"]
    assert predicted["verdict"] == CRASHES_AT_IMPORT
    assert predicted["every_module_started"] is not runtime
    assert [(c["file"], c["line"], c["target"], c["first"], c["rendered"])
            for c in predicted["crashes"]] == [
        ("app/settings.py", 6, "app.modules.promos", True,
         "INSTALLED_APPS in app/settings.py:6 names app.modules.promos"),
        ("app/settings.py", 10, "app.modules.promos", False,
         "MIDDLEWARE in app/settings.py:10 names app.modules.promos"),
        ("app/settings.py", 12, "app.modules.promos", False,
         "ROOT_URLCONF in app/settings.py:12 names app.modules.promos"),
    ]
    text = simulate(root, "--without", "promos").stdout
    assert "INSTALLED_APPS in app/settings.py:6 names app.modules.promos" in text
    assert done.returncode == 1


def test_an_installed_app_s_models_are_imported_at_start_up(tmp_path):
    """Django imports each installed app's models as it starts: gifts, which promos' models
    import, cannot go, though no entry point imports either."""
    root = project(tmp_path, extra=RUNTIME)
    model = RemovalModel(root, load_config(root / "archguard.yaml"), use_cache=False)
    prediction = model.predict(["gifts"])
    assert prediction.verdict == CRASHES_AT_IMPORT
    (crash,) = prediction.crashes
    assert (crash.file, crash.line, crash.target) == (
        "app/modules/promos/models.py", 1, "app.modules.gifts")
    assert crash.render_chain() == (
        "INSTALLED_APPS in app/settings.py:6 → "
        "app.modules.promos.models (app/modules/promos/models.py:1) → app.modules.gifts")


def test_settings_are_read_only_where_strings_settings_names_the_module(tmp_path):
    def read(settings_module: str | None) -> tuple[list[int], int, str]:
        root = project(tmp_path / str(settings_module), settings_module=settings_module)
        result = check(root)
        model = RemovalModel(root, load_config(root / "archguard.yaml"), use_cache=False)
        return (sorted(v.line for v in result.violations), len(unresolved(result)),
                model.predict(["promos"]).verdict)

    assert read(None) == ([], 0, RUNS)
    assert read("app.main") == ([], 0, RUNS)
    assert read("app.settings") == ([6, 10, 12], 0, CRASHES_AT_IMPORT)


def test_a_run_without_django_crashes_where_the_prediction_says(tmp_path):
    """The entry point starts the site as Django does, importing each installed app; the
    observed ``No module named`` is the predicted crash at the setting."""
    main = '''
        """Starts the site as Django does: each installed app, by its dotted path."""
        import importlib

        from app import settings

        for entry in settings.INSTALLED_APPS:
            importlib.import_module(entry)
    '''
    settings = 'INSTALLED_APPS = ["app.modules.shop", "app.modules.promos"]\n'
    root = project(tmp_path, extra=RUNTIME,
                   files={"app/main.py": main, "app/settings.py": settings})
    scenario = json.loads(simulate(root, "--without", "promos", "--run", "--format", "json")
                          .stdout)["scenarios"][0]
    (crash,) = scenario["predicted"]["crashes"]
    assert crash["rendered"] == ("app.main (app/main.py:4) → "
                                 "INSTALLED_APPS in app/settings.py:1 names app.modules.promos")
    observed = scenario["observed"]
    assert observed["import_crash"] is True
    assert [(f["file"], f["error"], f["explained"]) for f in observed["failures"]] == [
        ("app/main.py", "ModuleNotFoundError: No module named 'app.modules.promos'", True)]
    assert scenario["agreed"] is True


# -- reading a settings module ---------------------------------------------------------------

def test_each_way_a_settings_module_writes_a_setting_is_read():
    source = textwrap.dedent('''
        from typing import TYPE_CHECKING

        INSTALLED_APPS = ["app.modules.shop", ENTRY, f"app.modules.{NAME}"]
        INSTALLED_APPS += ["app.modules.a"]
        INSTALLED_APPS = [*INSTALLED_APPS, "app.modules.b"] + ["app.modules.c"]
        INSTALLED_APPS.append("app.modules.d")
        INSTALLED_APPS.insert(0, "app.modules.e")
        MIDDLEWARE = ("app.core.Timing",)  # archguard: ignore[kernel-generic] measured here
        WSGI_APPLICATION = "app.wsgi.application"
        AUTH_USER_MODEL = "accounts.User"
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        AUTHENTICATION_BACKENDS = ["app.modules.shop.auth.Backend"]
        TEMPLATES = [{"OPTIONS": {"context_processors": ["app.modules.shop.context.cart"]}}]
        try:
            import debug_toolbar
            INSTALLED_APPS += ["debug_toolbar"]
        except ImportError:
            pass
        if TYPE_CHECKING:
            ROOT_URLCONF = "app.typing_urls"


        def configure():
            INSTALLED_APPS = ["app.modules.f"]
        ROOT_URLCONF = "app.urls"
    ''').lstrip("\n").encode()
    found = scan_strings(Path("settings.py"), source, ScanRules("app"), settings=True)
    assert [(r.line, r.call, r.form, r.text, r.kind, r.startup) for r in found.references] == [
        (3, "INSTALLED_APPS", "module", "app.modules.shop", "string", True),
        (4, "INSTALLED_APPS", "module", "app.modules.a", "string", True),
        (5, "INSTALLED_APPS", "module", "app.modules.b", "string", True),
        (5, "INSTALLED_APPS", "module", "app.modules.c", "string", True),
        (6, "INSTALLED_APPS", "module", "app.modules.d", "string", True),
        (7, "INSTALLED_APPS", "module", "app.modules.e", "string", True),
        (8, "MIDDLEWARE", "object", "app.core.Timing", "string", True),
        (9, "WSGI_APPLICATION", "object", "app.wsgi.application", "string", True),
        (10, "AUTH_USER_MODEL", "app_label", "accounts.User", "string", True),
        (11, "DEFAULT_AUTO_FIELD", "object", "django.db.models.BigAutoField", "string", True),
        (12, "AUTHENTICATION_BACKENDS", "object", "app.modules.shop.auth.Backend", "string",
         False),
        (13, "TEMPLATES[0]['OPTIONS']['context_processors']", "object",
         "app.modules.shop.context.cart", "string", False),
        (16, "INSTALLED_APPS", "module", "debug_toolbar", "guarded", True),
        (20, "ROOT_URLCONF", "module", "app.typing_urls", "type_checking", True),
        (25, "ROOT_URLCONF", "module", "app.urls", "string", True),
    ]
    middleware = found.references[6]
    assert (middleware.ignore, middleware.ignore_reason) == (("kernel-generic",),
                                                            "measured here")
    assert strings_from_json(strings_to_json(found)) == found
    plain = scan_strings(Path("settings.py"), source, ScanRules("app"))
    assert plain.references == ()


def test_naming_another_settings_module_reads_the_cached_files_again(tmp_path):
    root = project(tmp_path, settings_module="app.main")

    def violations() -> list[int]:
        done = subprocess.run([sys.executable, "-m", "archguard", "check", str(root),
                               "--format", "json"], capture_output=True, text=True,
                              cwd=REPO, timeout=120, check=False)
        return sorted(v["line"] for v in json.loads(done.stdout)["violations"])

    assert violations() == []
    config = root / "archguard.yaml"
    config.write_text(config.read_text().replace("[app.main]", "[app.settings]"))
    assert violations() == [6, 10, 12]
