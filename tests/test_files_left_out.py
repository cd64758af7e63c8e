"""No file of the package is dropped without a word: files whose names are not identifiers
(Django's migrations, ``0001_initial.py``) are read, as lint-imports and importlib read
them; what ``project.exclude`` names, and what no import can reach, is left out and listed
with the reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import REPO, write_tree
from .recipe_projects import CONFIG, KERNEL, module

PROJECT = {
    **KERNEL,
    **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
    **module("shop", core=True, files={
        "migrations/__init__.py": "",
        "migrations/0001_initial.py": "from app.modules.gifts.models import Gift\n\nX = Gift\n",
        "migrations/0002_data.py": '''
            import importlib


            def forwards(apps, schema_editor):
                importlib.import_module("app.modules.gifts.models")
        ''',
        "scripts-old/__init__.py": "",
        "scripts-old/run.py": "import app.modules.gifts.models\n",
    }),
}


def check(root) -> dict:
    done = subprocess.run([sys.executable, "-m", "archguard", "check", str(root), "--no-cache",
                           "--format", "json"], capture_output=True, text=True, cwd=REPO,
                          timeout=120, check=False, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_a_migration_named_by_number_is_read_with_its_imports_and_strings(tmp_path):
    root = write_tree(tmp_path / "p", {"archguard.yaml": CONFIG, **PROJECT})
    report = check(root)
    found = {(v["file"], v["line"], v["kind"]) for v in report["violations"]}
    assert ("app/modules/shop/migrations/0001_initial.py", 1, "module") in found
    assert ("app/modules/shop/migrations/0002_data.py", 5, "string") in found
    assert report["files_left_out"] == [
        {"file": "app/modules/shop/scripts-old/__init__.py",
         "reason": "folder 'scripts-old' is not a package name: no import can reach it"},
        {"file": "app/modules/shop/scripts-old/run.py",
         "reason": "folder 'scripts-old' is not a package name: no import can reach it"},
    ]
    assert report["summary"]["files_left_out"] == 2


def test_project_exclude_leaves_files_out_and_says_which_glob(tmp_path):
    config = CONFIG.replace("project: {root_package: app, modules_package: app.modules}",
                            "project: {root_package: app, modules_package: app.modules, "
                            "exclude: ['app/**/migrations/0*.py']}")
    root = write_tree(tmp_path / "p", {"archguard.yaml": config, **PROJECT})
    report = check(root)
    assert not any("/migrations/" in v["file"] for v in report["violations"])
    excluded = [e for e in report["files_left_out"] if "migrations" in e["file"]]
    assert excluded == [
        {"file": f"app/modules/shop/migrations/{name}",
         "reason": "excluded by project.exclude: app/**/migrations/0*.py"}
        for name in ("0001_initial.py", "0002_data.py")]
