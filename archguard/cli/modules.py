"""``archguard modules``: the modules of a project, their categories and declared dependencies."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import exit_codes
from archguard.cli.options import ConfigOption, ProjectDir


class ModulesFormat(StrEnum):
    rich = "rich"
    json = "json"


def modules_command(
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    output_format: Annotated[
        ModulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ModulesFormat.rich,
) -> int:
    """List the modules found, each with its category, its declared dependencies and where
    they were declared, and what the declarations disagree on.

    Exit code 0, or 1 when a definition.py cannot be parsed; 2 for configuration errors.
    """
    from archguard.application.inventory import build_inventory
    from archguard.config import find_config, load_config

    config_path = find_config(project_dir, config)
    architecture = load_config(config_path, project_dir=project_dir)
    inventory = build_inventory(project_dir, architecture)
    if output_format is ModulesFormat.json:
        from archguard.reporting.inventory_json import inventory_to_json

        typer.echo(json.dumps(inventory_to_json(inventory, architecture), indent=2))
    else:
        from archguard.reporting.inventory_text import render_inventory

        render_inventory(inventory, architecture)
    failed = any(f.severity == "error" for f in inventory.findings)
    return exit_codes.VIOLATIONS if failed else exit_codes.OK
