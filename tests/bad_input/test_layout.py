"""Layouts and configurations that once read as "kept" or "runs" while archguard had read
nothing of what they name: a modules package or a module without ``__init__.py``, a kernel
package, an entry point or a package the configuration names and the tree does not have.
Each is now said, with the folder, or the configuration's file and line."""

from __future__ import annotations

import json
import shutil

import pytest

from .support import CONFIG, archguard, assert_refused, project

#: The lines of CONFIG that the cases point at.
PROJECT_LINE, KERNEL_LINE, MODULES_LINE, ENTRY_POINTS_LINE = 2, 3, 5, 10


def without_init(root, folder: str):
    (root / folder / "__init__.py").unlink()
    return root


# -- folders without __init__.py ------------------------------------------------------------


def test_a_modules_package_without_init_fails_the_check_with_its_folder(tmp_path):
    root = without_init(project(tmp_path), "app/modules")
    done = archguard("check", "--no-cache", cwd=root)
    output = assert_refused(done, 1, "app/modules/ has no __init__.py")
    assert "error missing-init" in output and "namespace package" in output


def test_a_modules_package_without_init_is_an_error_of_modules_too(tmp_path):
    root = without_init(project(tmp_path), "app/modules")
    done = archguard("modules", "--format", "json", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule"], finding["severity"]) == ("missing-init", "error")


@pytest.mark.parametrize("folder", ["app/modules", "app/modules/shop"])
def test_static_simulate_does_not_say_runs_when_start_up_imports_an_unread_folder(
        tmp_path, folder):
    root = without_init(project(tmp_path), folder)
    done = archguard("simulate", "--without", "extras", "--no-cache", cwd=root)
    output = assert_refused(done, 1, "app/main.py:1")
    assert "without extras: unknown" in output
    assert "app.modules.shop.service" in output and f"{folder}/" in output


def test_simulate_json_lists_what_start_up_imports_unread(tmp_path):
    root = without_init(project(tmp_path), "app/modules/shop")
    done = archguard("simulate", "--without", "extras", "--no-cache", "--format", "json",
                     cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    predicted = json.loads(done.stdout)["scenarios"][0]["predicted"]
    assert predicted["verdict"] == "unknown"
    assert predicted["unread"] == [{"file": "app/main.py", "line": 1,
                                    "target": "app.modules.shop.service",
                                    "folder": "app/modules/shop"}]


@pytest.mark.parametrize("output_format", ["markdown", "rich"])
def test_the_unread_imports_are_shown_in_every_simulate_format(tmp_path, output_format):
    root = without_init(project(tmp_path), "app/modules/shop")
    done = archguard("simulate", "--without", "extras", "--no-cache", "--format",
                     output_format, cwd=root)
    output = assert_refused(done, 1, "app/main.py:1")
    assert "unknown" in output and "app/modules/shop/" in output


def test_removing_a_module_that_is_no_package_names_its_folder(tmp_path):
    root = without_init(project(tmp_path), "app/modules/shop")
    done = archguard("simulate", "--without", "shop", "--no-cache", cwd=root)
    output = assert_refused(done, 2, "app/modules/shop/ has no __init__.py")
    assert "module 'shop' is not a package" in output


def test_a_folder_start_up_never_imports_keeps_the_prediction(tmp_path):
    root = project(tmp_path, **{"app/scripts/seed.py": "print('seed')\n"})
    done = archguard("simulate", "--without", "extras", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "without extras: runs" in done.stdout


def test_a_module_declared_by_its_definition_without_init_is_an_error(tmp_path):
    root = project(tmp_path, **{
        "archguard.yaml": CONFIG.replace("definitions: {enabled: false}",
                                         "definitions: {enabled: true}"),
        "app/modules/loyalty/definition.py":
            "from app.modules.base import ModuleDefinition\n"
            "loyalty_module = ModuleDefinition(code='loyalty')\n",
        "app/modules/loyalty/points.py": "import app.modules.extras.gift\n",
    })
    done = archguard("check", "--no-cache", cwd=root)
    output = assert_refused(done, 1, "app/modules/loyalty")
    assert "module 'loyalty' is declared by its definition.py but loyalty/ has no " \
           "__init__.py" in output


def test_a_folder_that_declares_no_module_is_still_a_warning(tmp_path):
    root = project(tmp_path, **{"app/modules/templates/scaffold.py": "x = 1\n"})
    done = archguard("check", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning missing-init" in done.stdout and "app/modules/templates/" in done.stdout


# -- names the configuration gives that the tree does not have ------------------------------


def test_a_stale_kernel_entry_is_a_warning_at_its_line(tmp_path):
    root = project(tmp_path, **{"archguard.yaml": CONFIG.replace(
        "kernel: [app.main]", "kernel: [app.main, app.mian_api]")})
    done = archguard("check", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"archguard.yaml:{KERNEL_LINE}" in done.stdout
    assert "warning missing-kernel-package" in done.stdout
    assert "kernel entry 'app.mian_api' names no module or package" in done.stdout


def test_a_misspelt_kernel_entry_is_given_the_name_it_meant(tmp_path):
    root = project(tmp_path, **{"archguard.yaml": CONFIG.replace(
        "kernel: [app.main]", "kernel: [app.mian]")})
    done = archguard("modules", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "did you mean 'app.main'?" in done.stdout


def test_a_missing_entry_point_is_a_warning_of_check_and_refused_by_simulate(tmp_path):
    root = project(tmp_path, **{"archguard.yaml": CONFIG.replace(
        "entry_points: [app.main]", "entry_points: [app.main, app.asgi]")})
    checked = archguard("check", "--no-cache", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"archguard.yaml:{ENTRY_POINTS_LINE}" in checked.stdout
    assert "entry point 'app.asgi' names no module" in checked.stdout
    simulated = archguard("simulate", "--without", "extras", "--no-cache", cwd=root)
    output = assert_refused(simulated, 2, "archguard.yaml", ENTRY_POINTS_LINE)
    assert "runtime.entry_points: 'app.asgi' cannot be followed" in output


def test_an_entry_point_given_on_the_command_line_that_does_not_exist_is_refused(tmp_path):
    root = project(tmp_path)
    done = archguard("simulate", "--without", "extras", "--entry-point", "app.asgi",
                     "--no-cache", cwd=root)
    assert_refused(done, 2, "entry point 'app.asgi' cannot be followed")


def test_a_stale_module_declaration_is_a_warning_at_its_line(tmp_path):
    root = project(tmp_path)
    shutil.rmtree(root / "app/modules/extras")
    done = archguard("check", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"archguard.yaml:{MODULES_LINE + 2}" in done.stdout
    assert "module 'extras' is declared but app.modules.extras does not exist" in done.stdout


@pytest.mark.parametrize("command", ["check", "modules", "simulate"])
def test_a_root_package_the_tree_does_not_have_is_refused_at_its_line(tmp_path, command):
    root = project(tmp_path)
    (root / "app").rename(root / "application")
    done = archguard(command, *(["--without", "extras"] if command == "simulate" else []),
                     cwd=root)
    output = assert_refused(done, 2, "archguard.yaml", PROJECT_LINE)
    assert "project.root_package: 'app' is not in the project" in output


@pytest.mark.parametrize("command", ["check", "modules"])
def test_a_root_package_without_init_is_refused_at_its_line(tmp_path, command):
    root = without_init(project(tmp_path), "app")
    done = archguard(command, cwd=root)
    output = assert_refused(done, 2, "archguard.yaml", PROJECT_LINE)
    assert "has no __init__.py, and archguard reads regular packages only" in output


@pytest.mark.parametrize(("old", "new", "message"), [
    ("modules_package: app.modules", "modules_package: app.features",
     "project.modules_package: 'app.features' is not in the project"),
    ("modules_package: app.modules}", "modules_package: app.modules, source_root: src}",
     "project.source_root: 'src' is not in the project"),
])
def test_a_folder_the_tree_does_not_have_is_refused_at_its_line(tmp_path, old, new, message):
    root = project(tmp_path, **{"archguard.yaml": CONFIG.replace(old, new)})
    done = archguard("check", cwd=root)
    output = assert_refused(done, 2, "archguard.yaml", PROJECT_LINE)
    assert message in output


def test_a_modules_package_that_is_the_root_package_is_checked(tmp_path):
    """Every direct subpackage of the root is then a module; archguard's own configuration
    is written so."""
    config = (CONFIG.replace("modules_package: app.modules", "modules_package: app")
              .replace("app.modules.", "app."))
    root = project(tmp_path, **{"archguard.yaml": config,
                                "app/main.py": "import app.shop.service\n"})
    for name in ("shop", "extras"):
        (root / "app/modules" / name).rename(root / "app" / name)
    shutil.rmtree(root / "app/modules")
    (root / "app/shop/service.py").write_text("import app.extras.gift\n")
    done = archguard("check", "--no-cache", cwd=root)
    output = assert_refused(done, 1, "app/shop/service.py")
    assert "1 violation" in output and "warning" not in output
