"""``archguard audit``: the architecture analysis of a project, as Markdown, a
self-contained HTML page with the module graph, or JSON."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archguard.cli import exit_codes
from archguard.cli.options import ConfigOption, NoCacheOption, OutputOption, ProjectDir


class AuditFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    json = "json"


def audit_command(
    project_dir: ProjectDir = Path("."),
    config: ConfigOption = None,
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Output format.")
    ] = AuditFormat.markdown,
    output: OutputOption = None,
    run: Annotated[
        bool, typer.Option("--run", help="Prove each removal by running the app without the "
                                         "module, on a temporary copy (runtime.smoke).")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="With --run: removals run at once.")
    ] = 1,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="With --run: seconds each command may run "
                                                "(default: runtime.timeout).",
                     show_default=False),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option("--compare", metavar="OTHER",
                     help="Add the progress from this project to OTHER (a directory, or a "
                          "git ref of this repository): OTHER is the state after.",
                     show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="OTHER",
                     help="Add the progress from OTHER (a directory or a git ref) to this "
                          "project: OTHER is the state before.", show_default=False),
    ] = None,
    no_cache: NoCacheOption = False,
) -> int:
    """Answer "are all modules self-contained?" and "would the app still run without the
    optional modules?" from the code, with the evidence: what works, the violations by
    module pair, the module table, each optional module's removal, what to move where and
    the structure findings. Exit code 0 when the report is written, 2 for usage or
    configuration errors."""
    from dataclasses import replace

    from archguard.application.audit import RunOptions, build_audit, progress
    from archguard.config import find_config, load_config
    from archguard.errors import UsageError

    if compare and since:
        raise UsageError("--compare and --since both name the other state: give one")
    config_file = find_config(project_dir, config)
    architecture = load_config(config_file, project_dir=project_dir)
    options = RunOptions(jobs=jobs, timeout=timeout) if run else None
    report = build_audit(project_dir, architecture, use_cache=not no_cache, run=options,
                         name=_name(project_dir))
    other = compare or since
    if other:
        with ExitStack() as stack:
            other_dir = _other_tree(project_dir, other, stack)
            other_config = architecture if config is not None else _config_of(
                other_dir, architecture)
            shown = other if not Path(other).is_dir() else _name(other_dir)
            other_report = build_audit(other_dir, other_config, use_cache=False,
                                       run=options, name=shown)
            before, after = (report, other_report) if compare else (other_report, report)
            report = replace(report, progress=progress(before, after))
    text = _render(report, output_format)
    if output is not None:
        from archguard.adapters.files import atomic_write

        atomic_write(output, text)
        typer.echo(f"archguard: audit written to {output}", err=True)
    else:
        typer.echo(text, nl=False)
    for error in report.errors:
        typer.echo(f"archguard: {error}", err=True)
    return exit_codes.USAGE_ERROR if report.errors else exit_codes.OK


def _name(path: Path) -> str:
    resolved = path.resolve()
    return f"{resolved.parent.name}/{resolved.name}" if resolved.parent.name else resolved.name


def _other_tree(project_dir: Path, other: str, stack: ExitStack) -> Path:
    candidate = Path(other)
    if candidate.is_dir():
        return candidate.resolve()
    from archguard.adapters.git_tree import export_tree

    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="archguard-")))
    return export_tree(project_dir, other, folder)


def _config_of(other_dir: Path, fallback):  # type: ignore[no-untyped-def]
    """The other tree's own configuration, else this project's."""
    from archguard.config import find_config, load_config
    from archguard.config.loader import ConfigNotFoundError

    try:
        found = find_config(other_dir, None)
    except ConfigNotFoundError:
        return fallback
    return load_config(found, project_dir=other_dir)


def _render(report, output_format: AuditFormat) -> str:  # type: ignore[no-untyped-def]
    if output_format is AuditFormat.json:
        from archguard.reporting.audit_json import audit_to_json

        return json.dumps(audit_to_json(report), indent=2, ensure_ascii=False) + "\n"
    if output_format is AuditFormat.html:
        from archguard.reporting.audit_html import audit_to_html

        return audit_to_html(report)
    from archguard.reporting.audit_markdown import audit_to_markdown

    return audit_to_markdown(report)
