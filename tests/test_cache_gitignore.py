"""``.archguard_cache/`` carries its own ``.gitignore``: after a run in a git repository,
``git status`` shows nothing of it, whatever the repository's own ignores say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import write_tree
from .recipe_projects import CONFIG, KERNEL, module

GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env=GIT_ENV, timeout=60, check=True)
    return done.stdout


def committed_project(root: Path, config: str = CONFIG,
                      extra: dict[str, str] | None = None) -> Path:
    """A small modular project, committed as the only content of a new repository."""
    write_tree(root, {
        "archguard.yaml": config,
        **KERNEL,
        **module("shop", core=True, files={"checkout.py": "from app.core.database import Base\n"}),
        **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
        **(extra or {}),
    })
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root


def archguard(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archguard", *args], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})


def test_a_check_leaves_git_status_clean(tmp_path):
    root = committed_project(tmp_path / "repo")
    done = archguard(root, "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    cache = root / ".archguard_cache"
    assert (cache / "result.json").is_file()
    assert "*" in (cache / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_cache_folder_made_before_gets_its_gitignore(tmp_path):
    root = committed_project(tmp_path / "repo")
    cache = root / ".archguard_cache"
    cache.mkdir()
    (cache / "result.json").write_text("{}", encoding="utf-8")
    assert git(root, "status", "--porcelain") == "?? .archguard_cache/\n"
    assert archguard(root, "check", ".").returncode == 0
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_without_strings_git_status_stays_clean(tmp_path):
    root = committed_project(tmp_path / "repo", CONFIG + "strings: {enabled: false}\n")
    assert archguard(root, "check", ".").returncode == 0
    assert (root / ".archguard_cache" / "imports.json").is_file()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_simulate_and_audit_leave_git_status_clean(tmp_path):
    root = committed_project(tmp_path / "repo")
    assert archguard(root, "simulate", ".", "--without", "gifts").returncode == 0
    assert archguard(root, "audit", ".").returncode == 0
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
