"""``archguard init``: write a first configuration for an existing codebase."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archguard.cli.baseline import DEFAULT_BASELINE
from archguard.cli.options import ProjectDir


def init_command(
    project_dir: ProjectDir = Path("."),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the configuration (default: "
                                            "PROJECT_DIR/archguard.yaml).", dir_okay=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the configuration, and the baseline with "
                                           "--baseline, where they exist.")
    ] = False,
    baseline: Annotated[
        bool, typer.Option("--baseline", help=f"Also record today's violations in "
                                              f"PROJECT_DIR/{DEFAULT_BASELINE}, so that "
                                              "`archguard check --baseline` passes until a "
                                              "new one appears.")
    ] = False,
    root: Annotated[
        str | None, typer.Option("--root", help="The application's top-level package "
                                                "(default: found).", show_default=False)
    ] = None,
    modules_package: Annotated[
        str | None, typer.Option("--modules-package", help="The package whose subpackages "
                                                           "are the modules (default: found).",
                                 show_default=False)
    ] = None,
    source_root: Annotated[
        str | None, typer.Option("--source-root", help="The folder holding the root package, "
                                                       "relative to PROJECT_DIR (default: . "
                                                       "or src).", show_default=False)
    ] = None,
    core: Annotated[
        list[str] | None, typer.Option("--core", help="A module the application cannot run "
                                                      "without (repeat it), where modules "
                                                      "have no definition.py to say so.",
                                       show_default=False)
    ] = None,
    from_importlinter: Annotated[
        Path | None,
        typer.Option("--from-importlinter", help="Convert this import-linter configuration "
                                                 "(.importlinter, setup.cfg or "
                                                 "pyproject.toml) instead of looking at the "
                                                 "code.", dir_okay=False, exists=True,
                     show_default=False),
    ] = None,
) -> int:
    """Write a first archguard.yaml for the codebase in PROJECT_DIR, from what its tree holds
    (nothing is imported): the root package; the modules package (a package named modules,
    the one holding the apps of Django's INSTALLED_APPS, or the root's subpackages); the
    kernel beside it; each module's category from its definition.py, or optional unless
    named with --core; and the contracts a modular monolith keeps. The code is then checked
    against it, and what breaks is listed. An existing file is replaced only with --force.

    With --from-importlinter, the contracts of an import-linter configuration are converted
    instead. Exit code 0 when the configuration is written, 2 when nothing is written."""
    from archguard.application.init import InitRequest, discover, initialise, may_write
    from archguard.cli import exit_codes

    target = output or project_dir / "archguard.yaml"
    baseline_file = project_dir / DEFAULT_BASELINE if baseline else None
    may_write(project_dir, target, baseline_file, force=force)
    if from_importlinter is not None:
        from archguard.application.importlinter import convert

        discovery = convert(project_dir, from_importlinter)
    else:
        discovery = discover(project_dir, InitRequest(
            root=root, modules_package=modules_package, source_root=source_root,
            core=tuple(core or ())))
    done = initialise(project_dir, discovery, target, force=force, baseline=baseline_file)
    for line in discovery.found:
        typer.echo(f"found {line}")
    _report(done)
    return exit_codes.OK


def _report(done) -> None:
    from archguard.reporting.escape import printable

    result = done.result
    typer.echo(f"wrote {done.config}: {len(result.contracts)} contracts")
    for outcome in result.contracts:
        count = len(outcome.violations)
        state = "kept" if outcome.kept else f"broken by {count} violation{'s' * (count != 1)}"
        typer.echo(f"  {outcome.id}: {state}")
    for finding in result.findings:
        typer.echo(f"  {finding.severity}: {printable(finding.message)}")
    if done.baseline is not None:
        typer.echo(f"wrote {done.baseline}: {len(result.violations)} violations recorded; "
                   f"`archguard check --baseline {done.baseline.name}` fails only on new ones")
    elif result.violations:
        typer.echo("next: `archguard check` shows each violation with its file and line; "
                   "`archguard init --baseline --force` records them so CI starts green")
    else:
        typer.echo("next: `archguard check` in CI keeps it so")
