"""``archguard simulate``: would the application still run without these modules?"""

from __future__ import annotations

import io
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import completion, exit_codes
from archguard.cli.options import ConfigOption, NoCacheOption, OutputOption, ProjectDir


class SimulateFormat(StrEnum):
    rich = "rich"
    json = "json"
    markdown = "markdown"


def simulate_command(
    project_dir: ProjectDir = Path("."),
    without: Annotated[
        list[str] | None,
        typer.Option("--without", "-w", help="A module to remove (name or code); repeat for "
                                             "several removed together.",
                     show_default=False, autocompletion=completion.module_names),
    ] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="Every optional module alone, then all of them "
                                            "together, as one table.")
    ] = False,
    run: Annotated[
        bool, typer.Option("--run", help="Prove it: run the application without the modules, "
                                         "on a temporary copy, and compare.")
    ] = False,
    smoke: Annotated[
        list[str] | None,
        typer.Option("--smoke", help="A smoke command to run instead of runtime.smoke "
                                     "(repeatable; a leading `python` is this interpreter).",
                     show_default=False),
    ] = None,
    entry_point: Annotated[
        list[str] | None,
        typer.Option("--entry-point", help="A module that starts the application, instead of "
                                           "runtime.entry_points (repeatable).",
                     show_default=False),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="Seconds each command may run "
                                                "(default: runtime.timeout).",
                     show_default=False),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="With --run: scenarios run at once.")
    ] = 1,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
    output_format: Annotated[
        SimulateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SimulateFormat.rich,
    output: OutputOption = None,
) -> int:
    """Predict what removing modules breaks: crashes at import (with the chain from
    start-up), functions that fail when they run, and references that are safe. With
    --run, prove it on a temporary copy. Exit code 0 when the application runs without the
    modules (and, with --run, observation agrees), 1 when it breaks or disagrees (or a
    command changed the original project), 2 for usage errors.

    With --run, no cache is read or written: the project is only read, and any change to it
    while the commands run is a change a command made."""
    from dataclasses import replace

    from archguard.application.simulate import RemovalModel, optional_modules, simulate
    from archguard.config import find_config, load_config
    from archguard.domain.simulation import RUNS, SimulationResult
    from archguard.errors import UsageError

    architecture = load_config(find_config(project_dir, config), project_dir=project_dir)
    if entry_point:
        architecture = replace(architecture, runtime=replace(
            architecture.runtime, entry_points=tuple(entry_point)))
    if not without and not matrix:
        raise UsageError("say which modules to remove: --without MODULE (repeatable), "
                         "or --matrix for every optional module")
    if timeout is not None and not math.isfinite(timeout):
        raise UsageError(f"--timeout {timeout}: give a finite number of seconds")
    commands = _smoke_commands(smoke) if smoke else None
    model = RemovalModel(project_dir, architecture, use_cache=not (no_cache or run))
    removed_sets = [list(without)] if without else []
    if matrix:
        optional = optional_modules(model)
        removed_sets += [[name] for name in optional]
        if len(optional) > 1:
            removed_sets.append(optional)
    from archguard.cli.progress import ScenarioLines, ScenarioProgressBar, on_terminal

    progress = None
    if run:
        progress = (ScenarioProgressBar(len(removed_sets)) if on_terminal()
                    else ScenarioLines(len(removed_sets)))
    try:
        scenarios = simulate(model, removed_sets, run=run, smoke=commands,
                             entry_points=list(entry_point) if entry_point else None,
                             timeout=timeout, jobs=jobs, progress=progress)
    finally:
        if isinstance(progress, ScenarioProgressBar):
            progress.stop()
    result = SimulationResult(str(model.project_dir), tuple(scenarios))
    text = _render(result, output_format, matrix=matrix, to_terminal=output is None)
    if output is not None:
        from archguard.adapters.files import atomic_write

        atomic_write(output, text)
    elif text:
        typer.echo(text, nl=False)
    if result.original_changed:
        from archguard.reporting.simulate_text import original_changes_text

        for scenario in result.original_changed:
            typer.echo(f"archguard: {original_changes_text(scenario)}", err=True)
    if model.errors:
        for error in model.errors:
            typer.echo(f"archguard: {error}", err=True)
        return exit_codes.USAGE_ERROR
    broken = any(s.prediction.verdict != RUNS or s.agreed is False
                 or (s.observation is not None and not s.observation.ok)
                 for s in scenarios)
    return exit_codes.VIOLATIONS if broken else exit_codes.OK


def _smoke_commands(smoke: list[str]) -> list[tuple[str, str]]:
    """The --smoke commands, named smoke-1, smoke-2, …; one that is empty, or that cannot
    be split into words (a quote left open), is a usage error."""
    from archguard.adapters.sandbox import command_argv
    from archguard.errors import UsageError

    for command in smoke:
        try:
            command_argv(command)
        except ValueError as exc:
            raise UsageError(f"--smoke {command!r}: {exc}") from None
    return [(f"smoke-{i + 1}", command) for i, command in enumerate(smoke)]


def _render(result, output_format: SimulateFormat, *, matrix: bool, to_terminal: bool) -> str:
    if output_format is SimulateFormat.json:
        from archguard.reporting.simulate_json import simulation_to_json

        return json.dumps(simulation_to_json(result), indent=2) + "\n"
    if output_format is SimulateFormat.markdown:
        from archguard.reporting.simulate_text import simulation_to_markdown

        return simulation_to_markdown(result)
    from archguard.reporting.inventory_text import make_console
    from archguard.reporting.simulate_text import render_simulation

    if to_terminal:
        render_simulation(result, matrix=matrix)
        return ""
    buffer = io.StringIO()
    render_simulation(result, make_console(file=buffer), matrix=matrix)
    return buffer.getvalue()
