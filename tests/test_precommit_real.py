"""This repository's pre-commit hooks, run by the real ``pre-commit`` on real commits.

pre-commit installs a hook repository from a commit: this repository's work tree (the
hooks file and what pip needs to install archguard) is committed into a temporary
repository of its own, so the hooks tested are those of the tree under test, committed
or not. pre-commit clones it and pip-installs it into an environment below
``PRE_COMMIT_HOME``, once for the module. Each test makes a small modular project in a new
git repository, installs the hooks into it with ``pre-commit install`` and commits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, write_tree
from .recipe_projects import CONFIG

pytestmark = pytest.mark.platform

#: What pre-commit needs of this repository to install its hooks.
HOOK_SOURCES = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "archguard")

CHECKOUT = '''
from app.core.database import Base


def total(prices: list[int]) -> int:
    return sum(prices)
'''

GIFT_IMPORT = "from app.modules.gifts.models import Gift\n"


def definition(name: str, *, core: bool, requires: tuple[str, ...] = ()) -> str:
    listed = ", ".join(f'"{r}"' for r in requires)
    return ("from app.modules.base import ModuleDefinition\n\n"
            f'{name}_module = ModuleDefinition(code="{name}", is_core={core}, '
            f"requires=[{listed}])\n")


#: shop is core; gifts and reports optional, reports requires gifts and imports it.
PROJECT = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/main.py": '"""Starts the app; modules are discovered."""\n',
    "app/core/__init__.py": "",
    "app/core/database.py": "class Base:\n    pass\n",
    "app/modules/__init__.py": "",
    "app/modules/base.py": '''
        from dataclasses import dataclass, field


        @dataclass
        class ModuleDefinition:
            code: str
            is_core: bool = False
            requires: list[str] = field(default_factory=list)
    ''',
    "app/modules/shop/__init__.py": "",
    "app/modules/shop/definition.py": definition("shop", core=True),
    "app/modules/shop/checkout.py": CHECKOUT,
    "app/modules/gifts/__init__.py": "",
    "app/modules/gifts/definition.py": definition("gifts", core=False),
    "app/modules/gifts/models.py": "class Gift:\n    pass\n",
    "app/modules/reports/__init__.py": "",
    "app/modules/reports/definition.py": definition("reports", core=False,
                                                    requires=("gifts",)),
    "app/modules/reports/summary.py": GIFT_IMPORT,
}


@dataclass(frozen=True)
class Hooks:
    """The hook repository, the commit pre-commit installs, and the environment the
    commands run in (pre-commit's home, git without the user's configuration)."""

    repository: Path
    rev: str
    env: dict[str, str]


def run(cwd: Path, env: dict[str, str], *args: str,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = run(cwd, env, "git", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def commit(cwd: Path, env: dict[str, str], message: str,
           *extra: str) -> subprocess.CompletedProcess[str]:
    """``git commit`` of what is staged, the pre-commit hook running unless ``extra`` says
    ``--no-verify``; stdout and stderr together in ``stdout``."""
    return subprocess.run(["git", "commit", "-m", message, *extra], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)


def commits(cwd: Path, env: dict[str, str]) -> int:
    return int(git(cwd, env, "rev-list", "--count", "HEAD"))


@pytest.fixture(scope="module")
def hooks(tmp_path_factory) -> Hooks:
    """This repository's hooks, committed as a repository of their own, with pre-commit's
    environment for them installed (the slow part: a virtualenv and pip from PyPI)."""
    base = tmp_path_factory.mktemp("precommit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "home"),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "archguard tests", "GIT_AUTHOR_EMAIL": "tests@example.com",
           "GIT_COMMITTER_NAME": "archguard tests", "GIT_COMMITTER_EMAIL": "tests@example.com",
           "NO_COLOR": "1"}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    repository = base / "hooks"
    listed = git(REPO, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                 "--", *HOOK_SOURCES)
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file():
            (repository / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repository / relative)
    git(repository, env, "init", "-q")
    git(repository, env, "add", "-A")
    git(repository, env, "commit", "-q", "-m", "the hooks under test")
    found = Hooks(repository, git(repository, env, "rev-parse", "HEAD").strip(), env)
    first = project(base / "first", found)
    installed = run(first, env, sys.executable, "-m", "pre_commit", "install-hooks",
                    timeout=1200)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return found


def project(root: Path, hooks: Hooks) -> Path:
    """The modular project in a new git repository with the hooks installed and the
    project committed (through the hook, which must let it pass)."""
    write_tree(root, {
        **PROJECT,
        ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hooks.repository}
                rev: {hooks.rev}
                hooks:
                  - id: archguard-check
                  - id: archguard-modules
        """,
    })
    git(root, hooks.env, "init", "-q")
    installed = run(root, hooks.env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(root, hooks.env, "add", "-A")
    first = commit(root, hooks.env, "the project")
    assert first.returncode == 0, first.stdout
    return root


@pytest.fixture
def repo(tmp_path, hooks) -> Path:
    return project(tmp_path / "repo", hooks)


def table_row(line: int, imported: str) -> re.Pattern[str]:
    """A row of the report's table: the line, then the import."""
    return re.compile(rf"│\s+{line} │ {re.escape(imported)}")


def test_a_core_to_optional_import_is_refused_and_its_removal_passes(repo, hooks):
    checkout = repo / "app/modules/shop/checkout.py"
    checkout.write_text(GIFT_IMPORT + checkout.read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, hooks.env, "add", "app/modules/shop/checkout.py")
    refused = commit(repo, hooks.env, "shop uses gifts")
    assert refused.returncode != 0, refused.stdout
    assert "archguard (architecture contracts)" in refused.stdout
    assert "\napp/modules/shop/checkout.py:1\n" in refused.stdout
    assert table_row(1, "Gift").search(refused.stdout), refused.stdout
    assert ": 1 violation in the 1 file given; none in other files" in refused.stdout
    assert commits(repo, hooks.env) == 1

    assert commit(repo, hooks.env, "shop uses gifts", "--no-verify").returncode == 0
    checkout.write_text(CHECKOUT.lstrip("\n"), encoding="utf-8")
    git(repo, hooks.env, "add", "app/modules/shop/checkout.py")
    removed = commit(repo, hooks.env, "shop no longer uses gifts")
    assert removed.returncode == 0, removed.stdout
    assert commits(repo, hooks.env) == 3


def test_a_commit_of_only_the_configuration_that_breaks_a_contract_is_refused(repo, hooks):
    config = repo / "archguard.yaml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "  - {id: reports-without-gifts, type: forbidden, source: [reports], "
        "forbidden: [gifts]}\n"), encoding="utf-8")
    git(repo, hooks.env, "add", "archguard.yaml")
    assert git(repo, hooks.env, "diff", "--cached", "--name-only") == "archguard.yaml\n"
    refused = commit(repo, hooks.env, "reports must not use gifts")
    assert refused.returncode != 0, refused.stdout
    assert "archguard: archguard.yaml is the configuration: checking every file" \
        in refused.stdout
    assert "\napp/modules/reports/summary.py:1\n" in refused.stdout
    assert table_row(1, "Gift").search(refused.stdout), refused.stdout
    assert commits(repo, hooks.env) == 1


def test_a_commit_of_only_a_definition_that_breaks_a_contract_is_refused(repo, hooks):
    declared = repo / "app/modules/reports/definition.py"
    declared.write_text(declared.read_text(encoding="utf-8").replace("is_core=False",
                                                                     "is_core=True"),
                        encoding="utf-8")
    git(repo, hooks.env, "add", "app/modules/reports/definition.py")
    refused = commit(repo, hooks.env, "reports is core")
    assert refused.returncode != 0, refused.stdout
    assert ("archguard: app/modules/reports/definition.py declares modules: checking every "
            "file") in refused.stdout
    assert "reports (core) → gifts (optional)" in refused.stdout
    assert "\napp/modules/reports/summary.py:1\n" in refused.stdout
    assert table_row(1, "Gift").search(refused.stdout), refused.stdout
    assert commits(repo, hooks.env) == 1


def test_all_files_make_one_report(repo, hooks):
    for name in ("shop", "gifts"):
        path = repo / "app/modules" / name / "late.py"
        path.write_text("def late() -> None:\n    from app.modules.reports import summary\n",
                        encoding="utf-8")
    (repo / "app/modules/shop/checkout.py").write_text(GIFT_IMPORT + CHECKOUT.lstrip("\n"),
                                                       encoding="utf-8")
    git(repo, hooks.env, "add", "-A")
    assert commit(repo, hooks.env, "three violations", "--no-verify").returncode == 0
    done = run(repo, hooks.env, sys.executable, "-m", "pre_commit", "run", "archguard-check",
               "--all-files", timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    summaries = re.findall(r"^\d+ contracts[:,] .*$", done.stdout, flags=re.MULTILINE)
    assert summaries == [summaries[0]], done.stdout
    assert summaries[0].startswith("2 contracts: 0 kept, 2 broken; 3 violations in ")
