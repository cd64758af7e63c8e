"""archguard in tests: run the application without modules, check or predict, and assert.

    from archguard.testing import run_without

    def test_app_starts_without_marketplace(tmp_path):
        result = run_without("fixtures/platform", ["marketplace"])
        assert result.ok, result.first_error

Everything here works on a temporary copy or only reads: the project is never written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from archguard.domain.simulation import ObservedFailure, TreeChange


@dataclass(frozen=True)
class RunResult:
    """What one command did with the modules removed."""

    removed: tuple[str, ...]
    command: str
    exit_code: int | None
    timed_out: bool
    seconds: float
    output: str
    #: The tracebacks in the output, each with its innermost frame inside the project.
    failures: tuple[ObservedFailure, ...] = ()
    #: What the command changed in the original project (it must change nothing).
    original_changes: tuple[TreeChange, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.original_changes

    @property
    def first_error(self) -> str | None:
        """``ModuleNotFoundError: No module named 'app.modules.x' at app/y.py:22``."""
        if not self.failures:
            return None if self.ok else (self.output.strip().splitlines() or ["failed"])[-1]
        failure = self.failures[0]
        where = f" at {failure.file}:{failure.line}" if failure.file else ""
        return f"{failure.error}{where}"


def _config(project: Path, config: str | Path | None):
    from archguard.config import find_config, load_config

    return load_config(find_config(project, Path(config) if config else None),
                       project_dir=project)


def run_without(project: str | Path, modules: list[str] | tuple[str, ...],
                command: str | None = None, *, config: str | Path | None = None,
                timeout: float = 120.0) -> RunResult:
    """Copy ``project``, delete the ``modules`` there, and run ``command`` in the copy.

    ``command`` defaults to importing every entry point of the configuration
    (``runtime.entry_points``); a leading ``python`` is the interpreter running the tests.
    """
    from archguard.adapters.sandbox import (
        Sandbox,
        command_argv,
        module_folders,
        read_tracebacks,
        run_command,
        watch_original,
    )
    from archguard.application.inventory import build_inventory
    from archguard.errors import UsageError

    project = Path(project).resolve()
    architecture = _config(project, config)
    inventory = build_inventory(project, architecture)
    names = []
    for name in modules:
        module = inventory.module(name)
        if module is None:
            raise UsageError(f"no module '{name}' in {architecture.modules_package}")
        names.append(module.name)
    if command is None:
        entries = architecture.runtime.entry_points
        command = "python -c " + repr("; ".join(f"import {e}" for e in entries) or "pass")
    source_root = (project / architecture.source_root).resolve()
    relative_root, folders = module_folders(project, source_root,
                                            architecture.modules_package, names)
    start = time.perf_counter()
    with Sandbox() as sandbox:
        original_changes = watch_original(project, sandbox)
        with sandbox.copy(project, folders) as copy:
            result = run_command("run", command_argv(command), copy, copy / relative_root,
                                 timeout, sandbox)
            failures = read_tracebacks(result.output, copy, "run")
        changes = original_changes()
    return RunResult(tuple(names), command, result.exit_code, result.timed_out,
                     time.perf_counter() - start, result.output, tuple(failures), changes)


def predict_without(project: str | Path, modules: list[str] | tuple[str, ...], *,
                    config: str | Path | None = None, use_cache: bool = True):
    """The static prediction (:class:`archguard.domain.simulation.Prediction`) for
    removing ``modules``: crashes at import, runtime failures, safe references."""
    from archguard.application.simulate import RemovalModel

    project = Path(project).resolve()
    return RemovalModel(project, _config(project, config), use_cache=use_cache)\
        .predict(list(modules))


def check(project: str | Path, *, config: str | Path | None = None, use_cache: bool = True):
    """The project checked against its contracts
    (:class:`archguard.domain.violations.CheckResult`)."""
    from archguard.application.check import run_check

    project = Path(project).resolve()
    return run_check(project, _config(project, config), use_cache=use_cache)


__all__ = ["RunResult", "check", "predict_without", "run_without"]
