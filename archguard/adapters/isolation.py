"""How each command of ``simulate --run`` is isolated from the original project.

A smoke command is the project's own code, run on a copy of the project. Nothing stops it
from writing the original through an absolute path, a ``../..`` path or a symbolic link,
nor from leaving processes behind (``setsid``) that hold a timeout open for ever. So each
command runs under the launcher (:mod:`archguard.adapters.launcher`), which kills every
process the command started, and, where the platform allows, in namespaces of its own:

- ``bwrap`` (bubblewrap), when it is on ``PATH``: a user, mount and pid namespace in which
  the original project is bound read-only and the copies' folder writable, every
  capability dropped so that no mount can be undone;
- else ``unshare`` (util-linux): the same namespaces, made by ``unshare --user
  --map-root-user --mount --pid --fork --kill-child``, in which the launcher binds the
  original read-only and locks that mount;
- else none: the command runs as the user, with the original writable.

Which one a machine gets is found by a probe, run once (a write into a folder it must see
read-only, which must fail, then into one it must see writable), so a machine whose user
namespaces are turned off falls back to none and says why. ``ARCHGUARD_ISOLATION``
chooses instead: ``auto`` (the default), ``bwrap``, ``unshare`` or ``none``; one that does
not work here is a usage error, never a silent fallback.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archguard.errors import UsageError

#: The environment variable that chooses the isolation instead of the probe.
ISOLATION_VARIABLE = "ARCHGUARD_ISOLATION"
CHOICES = ("auto", "bwrap", "unshare", "none")
#: The launcher program, run by the interpreter alone.
LAUNCHER = Path(__file__).resolve().with_name("launcher.py")
#: How long the probe may take.
_PROBE_SECONDS = 30.0
#: How long past the probe's timeout its launcher may take to end.
_PROBE_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Isolation:
    """How commands run: ``name`` is ``bwrap``, ``unshare`` or ``none``; ``program`` the
    wrapper's path; ``reason`` why there is none."""

    name: str
    program: str = ""
    reason: str = ""

    @property
    def isolated(self) -> bool:
        return self.name != "none"

    def describe(self) -> str:
        """What the output says: ``unshare (user+mount+pid namespace, original read-only)``
        or ``none: <why>``."""
        if not self.isolated:
            return f"none: {self.reason}"
        return f"{self.name} (user+mount+pid namespace, original read-only)"

    def command(self, argv: list[str], *, cwd: Path, timeout: float, status: Path,
                original: Path | None, writable: Path) -> list[str]:
        """The command line that runs ``argv`` in ``cwd`` under the launcher (which writes
        its outcome to ``status``), ``original`` read-only and ``writable`` writable."""
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER), "--cwd", str(cwd),
                    "--timeout", repr(float(timeout)), "--status", str(status)]
        if self.name == "unshare":
            if original is not None:
                launcher += ["--read-only", str(original), "--writable", str(writable)]
            return [self.program, "--user", "--map-root-user", "--mount", "--pid", "--fork",
                    "--kill-child", "--", *launcher, "--", *argv]
        if self.name == "bwrap":
            binds = []
            if original is not None:
                binds = ["--ro-bind", str(original), str(original),
                         "--bind", str(writable), str(writable)]
            return [self.program, "--dev-bind", "/", "/", *binds, "--unshare-user",
                    "--unshare-pid", "--as-pid-1", "--die-with-parent", "--cap-drop", "ALL",
                    "--", *launcher, "--", *argv]
        return [*launcher, "--", *argv]


@dataclass(frozen=True)
class LaunchStatus:
    """What the launcher reports: the command's exit code (negative: killed by that
    signal; None: it did not end by itself), whether its time ran out, and why it could
    not run (``command not found: NAME``)."""

    exit_code: int | None
    timed_out: bool = False
    error: str | None = None


def read_status(path: Path) -> LaunchStatus | None:
    """The launcher's report, or None when it wrote none (it was killed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LaunchStatus(data["exit_code"], bool(data["timed_out"]), data["error"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def choose_isolation() -> Isolation:
    """The isolation of this machine, or the one ``ARCHGUARD_ISOLATION`` names (a usage
    error when it names one that does not work here)."""
    requested = os.environ.get(ISOLATION_VARIABLE, "").strip().lower() or "auto"
    if requested not in CHOICES:
        raise UsageError(f"{ISOLATION_VARIABLE}={os.environ[ISOLATION_VARIABLE]!r} is not one "
                         f"of: {', '.join(CHOICES)}")
    if requested == "none":
        return Isolation("none", reason=f"turned off by {ISOLATION_VARIABLE}=none")
    if sys.platform != "linux":
        if requested != "auto":
            raise UsageError(f"{ISOLATION_VARIABLE}={requested}: namespaces are Linux's, "
                             f"and this is {sys.platform}")
        return Isolation("none", reason=f"{sys.platform} has no user namespaces; commands "
                                        "run as you, the original writable")
    wanted = ("bwrap", "unshare") if requested == "auto" else (requested,)
    reasons = []
    for name in wanted:
        program = shutil.which(name)
        if program is None:
            reasons.append(f"{name} is not on PATH")
            continue
        failure = _probe(name, program)
        if failure is None:
            return Isolation(name, program)
        reasons.append(failure)
    if requested != "auto":
        raise UsageError(f"{ISOLATION_VARIABLE}={requested}: {'; '.join(reasons)}")
    return Isolation("none", reason="; ".join(reasons)
                     + "; commands run as you, the original writable")


_PROBE = """\
import sys
try:
    open(sys.argv[1], "w").close()
except OSError:
    open(sys.argv[2], "w").close()
"""


@functools.cache
def _probe(name: str, program: str) -> str | None:
    """Why ``name`` does not isolate here, or None when it does: the probe writes into a
    folder it must see read-only, then into one it must see writable."""
    with tempfile.TemporaryDirectory(prefix="archguard-isolation-") as folder:
        original, writable = Path(folder, "original"), Path(folder, "writable")
        original.mkdir()
        writable.mkdir()
        status = writable / "status.json"
        argv = [sys.executable, "-I", "-S", "-c", _PROBE, str(original / "written"),
                str(writable / "written")]
        command = Isolation(name, program).command(
            argv, cwd=writable, timeout=_PROBE_SECONDS, status=status, original=original,
            writable=writable)
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=_PROBE_SECONDS + _PROBE_GRACE_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{name} does not start: {exc}"
        if (original / "written").exists():
            return f"{name} leaves the original writable"
        outcome = read_status(status)
        if outcome is not None and outcome.exit_code == 0 and (writable / "written").exists():
            return None
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        why = (outcome.error if outcome is not None and outcome.error else
               said[-1] if said else f"exit code {done.returncode}")
        return f"{name} does not work here ({why})"
