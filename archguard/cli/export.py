"""``archguard export``: the project's contracts in another tool's configuration."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli.options import ConfigOption, OutputOption, ProjectDir


class ExportTarget(StrEnum):
    """The tools whose configuration ``export`` writes."""

    importlinter = "importlinter"


def export_command(
    target: Annotated[ExportTarget, typer.Argument(help="The tool to write for.",
                                                   show_default=False)],
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    output: OutputOption = None,
) -> int:
    """Write the contracts of the configuration as another tool's: `importlinter` writes an
    import-linter INI configuration (the .importlinter form, for `lint-imports --config
    FILE`) with every contract import-linter can express, names and categories expanded to
    the modules the project has today, each with a comment saying where lint-imports judges
    otherwise (strings it cannot see, chains it follows or not, kinds of import it counts),
    and a comment for each contract left out saying why. Standard output unless --output,
    which writes atomically. Exit code 0, 2 for usage or configuration errors."""
    from archguard.application.importlinter_export import export_importlinter
    from archguard.cli import exit_codes
    from archguard.config import find_config, load_config

    architecture = load_config(find_config(project_dir, config), project_dir=project_dir)
    exported = export_importlinter(project_dir, architecture)
    if output is None:
        typer.echo(exported.text, nl=False)
        return exit_codes.OK
    from archguard.adapters.files import atomic_write

    atomic_write(output, exported.text)
    left = ", ".join(contract for contract, _reason in exported.left_out)
    typer.echo(f"wrote {output}: {len(exported.sections)} import-linter contracts"
               + (f"; left out (see the comments): {left}" if left else ""))
    return exit_codes.OK
