"""``archguard schema``: print the configuration format as JSON Schema."""

from __future__ import annotations

import json

import typer


def schema_command() -> None:
    """Print the JSON Schema of the configuration file (for editors and validators)."""
    from archguard.config.format import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
