"""``archguard graph``: the module graph, as DOT, Mermaid, JSON or SVG."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import completion, exit_codes
from archguard.cli.options import ConfigOption, NoCacheOption, OutputOption, ProjectDir


class GraphFormat(StrEnum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"
    svg = "svg"


def graph_command(
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    output_format: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="Output format.")
    ] = GraphFormat.dot,
    module: Annotated[
        str | None,
        typer.Option("--module", "-m", help="Only this module and those within --depth "
                                            "dependencies of it, either way.",
                     show_default=False, autocompletion=completion.module_names),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", "-d", min=0, help="With --module: how many "
                                                       "dependencies away to go.")
    ] = 1,
    output: OutputOption = None,
    no_cache: NoCacheOption = False,
) -> int:
    """Draw the module graph: modules grouped by category, each dependency with how many
    imports make it by kind, those breaking a contract in red. DOT for Graphviz, Mermaid
    for Markdown pages, JSON, or the audit report's SVG. Exit code 0, 2 for usage or
    configuration errors."""
    from archguard.application.graph import build_graph
    from archguard.config import find_config, load_config
    from archguard.reporting import graph_formats

    architecture = load_config(find_config(project_dir, config), project_dir=project_dir)
    graph = build_graph(project_dir, architecture, use_cache=not no_cache, module=module,
                        depth=depth)
    if output_format is GraphFormat.svg:
        from archguard.reporting.graph_svg import render_graph_svg

        text = render_graph_svg(graph) + "\n"
    else:
        text = {GraphFormat.dot: graph_formats.to_dot, GraphFormat.mermaid:
                graph_formats.to_mermaid, GraphFormat.json: graph_formats.to_json
                }[output_format](graph)
    if output is not None:
        from archguard.adapters.files import atomic_write

        atomic_write(output, text)
    else:
        typer.echo(text, nl=False)
    return exit_codes.OK
