"""``archguard check``: the contracts against the import graph."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import exit_codes
from archguard.cli.options import ConfigOption, NoCacheOption, OutputOption, ProjectDir


class CheckFormat(StrEnum):
    rich = "rich"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


def check_command(
    project_dir: ProjectDir = Path("."),
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Report only violations in these files (the whole graph is "
                            "still checked).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    output_format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CheckFormat.rich,
    output: OutputOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", "-b", help="Fail only on violations this baseline file "
                                              "does not list.", dir_okay=False),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also fail when baseline entries are stale.")
    ] = False,
    no_cache: NoCacheOption = False,
    propose: Annotated[
        bool, typer.Option("--propose", help="Under each violation, the rewrite that removes "
                                             "it (checked against every contract), and a "
                                             "\"What to move where\" table.")
    ] = False,
) -> int:
    """Check the contracts. Exit code 0 when every contract is kept, 1 when one is broken (or
    a finding is an error, such as a declared module that is not a package), 2 for usage or
    configuration errors and for source that cannot be parsed."""
    from archguard.application.check import run_check
    from archguard.config import find_config, load_config

    architecture = load_config(find_config(project_dir, config))
    project = None
    if propose:
        from archguard.application.project import Project

        project = Project(project_dir, architecture, use_cache=not no_cache)
    # Without the cache the check reads the project the proposals go on reading; with it,
    # an unchanged tree is still answered from the result cache.
    result = run_check(project_dir, architecture, use_cache=not no_cache,
                       project=project if no_cache else None)
    if baseline is not None:
        from archguard.application.baseline import apply_baseline, read_baseline

        result = apply_baseline(result, read_baseline(baseline), baseline)
    if files:
        result = _only_files(result, project_dir, files)
    proposals = None
    if project is not None:
        from archguard.application.propose import propose as propose_rewrites

        proposals = propose_rewrites(project, result)
    text = _render(result, architecture, output_format, to_terminal=output is None,
                   proposals=proposals)
    if output is not None:
        from archguard.adapters.files import atomic_write

        atomic_write(output, text)
    elif text:
        typer.echo(text, nl=False)
    if result.errors:
        return exit_codes.USAGE_ERROR
    failing = [v for v in result.violations if v.severity == "error" and not v.baselined]
    failing += [p for c in result.contracts for p in c.problems if p.severity == "error"]
    failing += [f for f in result.findings if f.severity == "error"]
    if failing or (strict and result.stale):
        return exit_codes.VIOLATIONS
    return exit_codes.OK


def _render(result, architecture, output_format: CheckFormat, *, to_terminal: bool,
            proposals=None) -> str:
    """The report as text; the rich format prints straight to the terminal."""
    if output_format is CheckFormat.json:
        from archguard.reporting.check_json import result_to_json

        return json.dumps(result_to_json(result, proposals), indent=2) + "\n"
    if output_format is CheckFormat.rich:
        from archguard.reporting.check_text import render_check
        from archguard.reporting.inventory_text import make_console

        if to_terminal:
            render_check(result, architecture, proposals=proposals)
            return ""
        buffer = io.StringIO()
        render_check(result, architecture, make_console(file=buffer), proposals)
        return buffer.getvalue()
    from archguard.reporting import check_formats

    if output_format is CheckFormat.sarif:
        return check_formats.to_sarif(result, proposals)
    if output_format is CheckFormat.markdown:
        return check_formats.to_markdown(result, proposals)
    renderer = {
        CheckFormat.junit: check_formats.to_junit,
        CheckFormat.github: check_formats.to_github,
    }[output_format]
    return renderer(result)


def _only_files(result, project_dir: Path, files: list[Path]):
    from dataclasses import replace

    wanted = set()
    for file in files:
        path = file if file.is_absolute() else Path.cwd() / file
        try:
            wanted.add(path.resolve().relative_to(project_dir.resolve()).as_posix())
        except ValueError:
            continue
    contracts = tuple(
        replace(c, violations=tuple(v for v in c.violations if v.file in wanted))
        for c in result.contracts
    )
    return replace(result, contracts=contracts)
