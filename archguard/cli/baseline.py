"""``archguard baseline``: record today's violations so that only new ones fail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archguard.cli.options import ConfigOption, ProjectDir

DEFAULT_BASELINE = "archguard-baseline.json"


def baseline_command(
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=f"Baseline file (default: PROJECT_DIR/"
                                            f"{DEFAULT_BASELINE}).", dir_okay=False),
    ] = None,
) -> int:
    """Write every current violation to a baseline file, sorted, with line-free fingerprints.
    Then `archguard check --baseline FILE` fails only on new violations."""
    from archguard.adapters.files import atomic_write
    from archguard.application.baseline import baseline_document
    from archguard.application.check import run_check
    from archguard.cli import exit_codes
    from archguard.config import find_config, load_config

    architecture = load_config(find_config(project_dir, config), project_dir=project_dir)
    result = run_check(project_dir, architecture)
    target = output or project_dir / DEFAULT_BASELINE
    atomic_write(target, baseline_document(result))
    typer.echo(f"{len(result.violations)} violation(s) recorded in {target}")
    return exit_codes.USAGE_ERROR if result.errors else exit_codes.OK
