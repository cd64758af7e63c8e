"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ProjectDir = Annotated[
    Path,
    typer.Argument(
        help="Project root: the folder holding the analysed package.",
        exists=True, file_okay=False, dir_okay=True, resolve_path=True,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c",
        help="Configuration file (default: archguard.yaml, else \\[tool.archguard] in "
             "pyproject.toml, in PROJECT_DIR).",
        dir_okay=False, resolve_path=True,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file (atomically) instead "
                                        "of standard output.", dir_okay=False),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Read the project afresh; write no cache.")
]
