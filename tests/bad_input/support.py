"""What every case of the corpus shares: a small valid project to break, the command run as
a user runs it, and the assertion that it was refused cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
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

#: The smoke commands of :data:`CONFIG`, which :func:`with_smoke` replaces.
SMOKE = """    - {name: starts, command: "python -c 'import app.main'", timeout: 20}\n"""

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


def live_processes() -> Iterator[tuple[int, str, list[bytes]]]:
    """Each live process (zombies aside) as ``(pid, command line, environment entries)``,
    from /proc; what cannot be read (ended meanwhile, not ours) is passed over."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                if stat.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                line = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry.name}/environ", "rb") as environ:
                variables = environ.read().split(b"\0")
        except OSError:
            continue
        yield int(entry.name), line, variables


def running(marker: str) -> list[str]:
    """The command lines of the live processes whose command line holds ``marker``: what a
    run left behind."""
    return [line for _pid, line, _env in live_processes() if marker in line]


def with_smoke(root: Path, commands: list[tuple[str, str, float]]) -> None:
    """Give the project's configuration these smoke commands: ``(name, command, timeout)``."""
    lines = "".join(f"    - {{name: {name}, command: {json.dumps(command)}, "
                    f"timeout: {timeout}}}\n" for name, command, timeout in commands)
    (root / "archguard.yaml").write_text(CONFIG.replace(SMOKE, lines))


def simulate_run(root: Path, *args: str) -> tuple[dict, str, float, int]:
    """``simulate -w extras --run --format json ARGS`` in ``root``, which printed no
    traceback: its JSON, its stderr, its wall time in seconds and its exit code."""
    start = time.monotonic()
    result = archguard("simulate", "-w", "extras", "--run", "--format", "json", *args,
                       cwd=root)
    seconds = time.monotonic() - start
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output.lower(), output
    return json.loads(result.stdout), result.stderr, seconds, result.returncode
