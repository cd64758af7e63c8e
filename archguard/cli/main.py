"""The ``archguard`` command."""

from __future__ import annotations

from typing import Annotated

import typer

from archguard import __version__
from archguard.cli import (
    audit,
    baseline,
    check,
    exit_codes,
    explain,
    fix,
    modules,
    schema,
    simulate,
)
from archguard.cli.errors import enable_debug, reports_errors

app = typer.Typer(
    name="archguard",
    help="Architecture linter and removal test harness for modular Python monoliths.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="check")(reports_errors(check.check_command))
app.command(name="baseline")(reports_errors(baseline.baseline_command))
app.command(name="modules")(reports_errors(modules.modules_command))
app.command(name="simulate")(reports_errors(simulate.simulate_command))
app.command(name="schema")(reports_errors(schema.schema_command))
app.command(name="explain")(reports_errors(explain.explain_command))
app.command(name="fix")(reports_errors(fix.fix_command))
app.command(name="audit")(reports_errors(audit.audit_command))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archguard {__version__}")
        raise typer.Exit(exit_codes.OK)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", callback=enable_debug,
                     help="Show tracebacks instead of short error messages."),
    ] = False,
) -> None:
    """Architecture linter and removal test harness for modular Python monoliths.

    Exit codes: 0 success, 1 violations found, 2 usage or configuration error.
    """


def run() -> None:
    """Console-script entry point."""
    app()
