"""Running the reference platform for real: temporary copies, subprocesses, tree digests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).resolve().with_name("platform_driver.py")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", ".pytest_cache")


def copy_state(state: Path, destination: Path, remove: tuple[str, ...] = ()) -> Path:
    """Copy a platform state to ``destination`` and delete the given modules' folders there."""
    shutil.copytree(state, destination, ignore=IGNORED)
    for module in remove:
        shutil.rmtree(destination / "app" / "modules" / module)
    return destination


def environment(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "APP_DATABASE_URL"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["APP_DATABASE_URL"] = f"sqlite+pysqlite:///{project / 'platform.db'}"
    return env


def run_python(project: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``python ARGS`` in a fresh interpreter with ``project`` as working directory."""
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=environment(project),
        capture_output=True, text=True, timeout=timeout,
    )


def drive(project: Path, scenario: str, timeout: float = 180) -> dict:
    """Run a scenario of ``platform_driver.py`` against ``project``; its JSON result."""
    result = run_python(project, str(DRIVER), scenario, timeout=timeout)
    assert result.returncode == 0, f"driver failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def tree_digest(root: Path) -> str:
    """A digest of every file's path and bytes below ``root`` (bytecode caches aside)."""
    digest = hashlib.sha256()
    files = (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
