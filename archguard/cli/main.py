"""The ``archguard`` command."""

from __future__ import annotations

import inspect
import re
from typing import Annotated

import typer

from archguard import __version__
from archguard.cli import (
    audit,
    baseline,
    check,
    exit_codes,
    explain,
    export,
    fix,
    graph,
    init,
    modules,
    schema,
    simulate,
)
from archguard.cli.errors import enable_debug, reports_errors

app = typer.Typer(
    name="archguard",
    help="Architecture linter and removal test harness for modular Python monoliths.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _help(command) -> str:
    """A command's docstring as its help: the lines of each paragraph joined, so that the
    terminal wraps them at its own width instead of where the source was wrapped."""
    text = inspect.getdoc(command) or ""
    joined = "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))
    return re.sub(r"\[(?=[a-zA-Z#@/])", r"\\[", joined)  # shown as written, not as markup


for _name, _command in (("init", init.init_command), ("check", check.check_command),
                        ("baseline", baseline.baseline_command),
                        ("modules", modules.modules_command),
                        ("simulate", simulate.simulate_command),
                        ("schema", schema.schema_command), ("explain", explain.explain_command),
                        ("fix", fix.fix_command), ("audit", audit.audit_command),
                        ("graph", graph.graph_command), ("export", export.export_command)):
    app.command(name=_name, help=_help(_command))(reports_errors(_command))


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
