"""``archguard fix``: write the mechanical rewrites of the proposals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import exit_codes
from archguard.cli.options import ConfigOption, ProjectDir


def fix_command(
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    write: Annotated[bool, typer.Option(
        "--write", help="Write the rewrites (all files or none), then check again. Without "
                        "it, print them as a unified diff.")] = False,
    unsafe: Annotated[bool, typer.Option(
        "--unsafe", help="Also rewrite what needs review (code that moves, behaviour that "
                         "changes where a module is missing).")] = False,
    recipe: Annotated[list[str] | None, typer.Option(
        "--recipe", "-r", help="Only these recipes (repeat the option).",
        show_default=False)] = None,
) -> int:
    """Rewrite the code the way the proposals of `check --propose` say, where a rewrite is
    mechanical. Exit code 0 when there is nothing to rewrite or everything was written, 1 when
    a dry run has rewrites to show, 2 for usage or configuration errors."""
    from archguard.application.check import run_check
    from archguard.application.fix import plan_fixes, write_fixes
    from archguard.application.project import Project
    from archguard.application.propose import propose
    from archguard.config import find_config, load_config
    from archguard.errors import UsageError
    from archguard.rewrites import RECIPES

    unknown = sorted(set(recipe or ()) - set(RECIPES))
    if unknown:
        raise UsageError(f"no recipe {', '.join(unknown)}; `archguard explain` lists them")
    architecture = load_config(find_config(project_dir, config), project_dir=project_dir)
    project = Project(project_dir, architecture, use_cache=False)
    result = run_check(project_dir, architecture, project=project)
    if result.errors:
        for error in result.errors:
            typer.echo(f"error {error}", err=True)
        return exit_codes.USAGE_ERROR
    run = plan_fixes(project, propose(project, result), unsafe=unsafe,
                     recipes=frozenset(recipe) if recipe else None)
    if not write:
        typer.echo(run.diff(), nl=False)
    for proposal in run.applied:
        typer.echo(f"{'fixed' if write else 'would fix'} ({proposal.recipe}, "
                   f"{proposal.safety}): {proposal.group}: {proposal.summary}", err=True)
    for skipped in run.skipped:
        typer.echo(f"left ({skipped.proposal.recipe}): {skipped.proposal.group}: "
                   f"{skipped.reason}", err=True)
    before = len({v.fingerprint for v in result.violations})
    if not write:
        typer.echo(f"{len(run.texts)} files would change; {len(run.applied)} proposals "
                   f"rewritten, {len(run.skipped)} left; `--write` writes them", err=True)
        return exit_codes.VIOLATIONS if run.texts else exit_codes.OK
    write_fixes(project, run)
    after = run_check(project_dir, architecture, use_cache=False)
    now = len({v.fingerprint for v in after.violations})
    typer.echo(f"{len(run.texts)} files written; violations: {before} → {now}", err=True)
    return exit_codes.OK
