"""What every case of the corpus shares: a small valid project to break, the command run as
a user runs it, and the assertion that it was refused cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_tree

CONFIG = """\
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
runtime:
  entry_points: [app.main]
  smoke:
    - {name: starts, command: "python -c 'import app.main'", timeout: 20}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

#: A project that checks clean: the cases break one thing of it.
FILES = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/main.py": "import app.modules.shop.service\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/shop/service.py": "def price():\n    return 1\n",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "from app.modules.shop.service import price\n",
}


def project(root: Path, **changes: str | None) -> Path:
    """The small project under ``root``, with files changed (a path: its new text) or
    removed (a path: None); paths are given with ``/`` written as ``__``."""
    files = dict(FILES)
    for key, text in changes.items():
        path = key.replace("__", "/")
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    return write_tree(root, files)


def archguard(*args: str, cwd: Path, timeout: float = 120,
              stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m archguard ARGS`` in ``cwd``, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "archguard", *args], cwd=cwd, capture_output=True, text=True,
        input=stdin, timeout=timeout, stdin=None if stdin is not None else subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def assert_refused(result: subprocess.CompletedProcess[str], code: int, names: str,
                   line: int | None = None) -> str:
    """The run exited with ``code``, printed no traceback and no internal error, and its
    message names ``names`` (a file, or a path within the project), at ``line`` when
    given. Returns what it printed."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output, output
    assert "internal error" not in output.lower(), output
    assert names in output, output
    if line is not None:
        assert f"{names}:{line}" in output, output
    return output
