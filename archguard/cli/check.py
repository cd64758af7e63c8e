"""``archguard check``: the contracts against the import graph."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archguard.cli import exit_codes
from archguard.cli.options import ConfigOption, NoCacheOption, OutputOption, ProjectDir

if TYPE_CHECKING:
    from archguard.application.reading import CheckProgress
    from archguard.cli.progress import CheckSpinner
    from archguard.domain.architecture import ArchitectureConfig
    from archguard.domain.proposals import ProposalSet
    from archguard.domain.violations import CheckResult
    from archguard.reporting.check_formats import FilesScope


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
                            "still checked); every violation when one of them is the "
                            "configuration, a pyproject.toml, or a module's definition file "
                            "or __init__.py.", show_default=False),
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
    path_prefix: Annotated[
        str | None,
        typer.Option("--path-prefix", help="Prepended to every path in github and sarif "
                                           "output: where PROJECT_DIR is in the repository "
                                           "(default: its path below the top of its git "
                                           "repository; '' for none).", show_default=False),
    ] = None,
) -> int:
    """Check the contracts. Exit code 0 when every contract is kept, 1 when one is broken (or
    a finding is an error, such as a declared module that is not a package), 2 for usage or
    configuration errors and for source that cannot be parsed."""
    from archguard.config import find_config, load_config

    prefix = None if path_prefix is None else _normal_prefix(path_prefix)
    config_file = find_config(project_dir, config)
    architecture = load_config(config_file, project_dir=project_dir)
    if files:
        _require_files(files)
        reason = _whole_check_reason(project_dir, config_file, architecture, files)
        if reason is not None:
            typer.echo(f"archguard: {reason}: checking every file", err=True)
            files = None
    from archguard.application.reading import NO_PROGRESS

    spinner = _spinner()
    try:
        result, scope, proposals = _check(project_dir, architecture, files, baseline=baseline,
                                          no_cache=no_cache, propose=propose,
                                          progress=spinner or NO_PROGRESS)
    finally:
        if spinner is not None:
            spinner.stop()
    if output_format in (CheckFormat.github, CheckFormat.sarif) and prefix is None:
        from archguard.adapters.git_tree import repository_prefix

        prefix = repository_prefix(project_dir)
    text = _render(result, architecture, output_format, to_terminal=output is None,
                   proposals=proposals, scope=scope, prefix=prefix or "")
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


def _spinner() -> CheckSpinner | None:
    """What shows the check's phase while it reads a large project: on standard error when
    it is a terminal a person watches (not in CI), whatever the format, since the phase is
    erased before the report is written; None on a pipe, whose output is the report alone."""
    from archguard.cli.progress import CheckSpinner, on_terminal

    return CheckSpinner() if on_terminal() else None


def _check(project_dir: Path, architecture: ArchitectureConfig, files: list[Path] | None, *,
           baseline: Path | None, no_cache: bool, propose: bool, progress: CheckProgress
           ) -> tuple[CheckResult, FilesScope | None, ProposalSet | None]:
    """The result (with ``baseline`` applied, limited to ``files``), the scope that describes
    what ``files`` left out, and the proposals when asked for; ``progress`` told meanwhile."""
    from archguard.application.check import run_check

    project = None
    if propose:
        from archguard.application.project import Project

        project = Project(project_dir, architecture, use_cache=not no_cache, progress=progress)
    # Without the cache the check reads the project the proposals go on reading; with it,
    # an unchanged tree is still answered from the result cache.
    result = run_check(project_dir, architecture, use_cache=not no_cache,
                       project=project if no_cache else None, progress=progress)
    if baseline is not None:
        from archguard.application.baseline import apply_baseline, read_baseline

        result = apply_baseline(result, read_baseline(baseline), baseline)
    scope = None
    if files:
        result, scope = _only_files(result, project_dir, files)
    proposals = None
    if project is not None:
        from archguard.application.propose import propose as propose_rewrites

        progress.phase("proposing rewrites")
        proposals = propose_rewrites(project, result)
    return result, scope, proposals


def _render(result, architecture, output_format: CheckFormat, *, to_terminal: bool,
            proposals=None, scope=None, prefix: str = "") -> str:
    """The report as text; the rich format prints straight to the terminal. ``scope``: what
    FILES left out; ``prefix``: prepended to the paths of the github and sarif formats."""
    if output_format is CheckFormat.json:
        from archguard.reporting.check_json import result_to_json

        return json.dumps(result_to_json(result, proposals), indent=2) + "\n"
    if output_format is CheckFormat.rich:
        from archguard.reporting.check_text import render_check
        from archguard.reporting.inventory_text import make_console

        if to_terminal:
            render_check(result, architecture, proposals=proposals, scope=scope)
            return ""
        buffer = io.StringIO()
        render_check(result, architecture, make_console(file=buffer), proposals, scope)
        return buffer.getvalue()
    from archguard.reporting import check_formats

    if output_format is CheckFormat.sarif:
        return check_formats.to_sarif(result, proposals, path_prefix=prefix, scope=scope)
    if output_format is CheckFormat.markdown:
        return check_formats.to_markdown(result, proposals, scope)
    if output_format is CheckFormat.github:
        return check_formats.to_github(result, path_prefix=prefix, scope=scope)
    return check_formats.to_junit(result, scope)


def _require_files(files: list[Path]) -> None:
    """A usage error naming the first of FILES that does not exist: a misspelt file would
    otherwise limit the report to nothing and read as a clean run."""
    from archguard.errors import UsageError

    missing = next((file for file in files if not file.exists()), None)
    if missing is not None:
        raise UsageError(f"no such file: {missing}")


def _given(file: Path) -> Path:
    """A FILES argument as an absolute path, symbolic links resolved."""
    return (file if file.is_absolute() else Path.cwd() / file).resolve()


def _whole_check_reason(project_dir: Path, config_file: Path, architecture,
                        files: list[Path]) -> str | None:
    """Why FILES cannot limit the report, when one of them changes what the contracts judge
    every file by: the configuration in use (``pyproject.toml`` may point at it), a
    ``pyproject.toml``, or what declares or makes a module (its definition file and its
    ``__init__.py``, the modules package's ``__init__.py``); None when no file does."""
    project = project_dir.resolve()
    configurations = {config_file.resolve(), Path(architecture.source).resolve()}
    modules_dir = (project / architecture.source_root
                   / Path(*architecture.modules_package.split("."))).resolve()
    reading = architecture.definitions
    definition = Path(reading.file).parts
    for file in files:
        path = _given(file)
        shown = path.relative_to(project).as_posix() if path.is_relative_to(project) \
            else str(file)
        if path in configurations:
            return f"{shown} is the configuration"
        if path.name == "pyproject.toml":
            return f"{shown} may hold the configuration"
        if not path.is_relative_to(modules_dir):
            continue
        inside = path.relative_to(modules_dir).parts
        if inside == ("__init__.py",):
            return f"{shown} makes the modules package"
        if reading.enabled and len(inside) > 1 and inside[1:] == definition:
            return f"{shown} declares modules"
        if inside[1:] == ("__init__.py",):
            return f"{shown} makes a module"
    return None


def _only_files(result, project_dir: Path, files: list[Path]):
    """``result`` with only the violations in ``files``, and the scope that describes what
    was left out."""
    from dataclasses import replace

    from archguard.reporting.check_formats import FilesScope

    given = {_given(file) for file in files}
    project = project_dir.resolve()
    wanted = {path.relative_to(project).as_posix() for path in given
              if path.is_relative_to(project)}
    contracts = tuple(
        replace(c, violations=tuple(v for v in c.violations if v.file in wanted))
        for c in result.contracts
    )
    outside = sum(1 for c in result.contracts for v in c.new_violations if v.file not in wanted)
    return replace(result, contracts=contracts), FilesScope(len(given), outside)


def _normal_prefix(text: str) -> str:
    """``--path-prefix`` as a relative path with ``/`` and no ``.`` parts ('' for none);
    an absolute one, or one that leaves the repository, is a usage error."""
    from archguard.errors import UsageError

    parts = [part for part in text.replace("\\", "/").split("/") if part not in ("", ".")]
    if text.startswith(("/", "\\")) or ".." in parts:
        raise UsageError(f"--path-prefix {text!r} must be a path relative to the top of the "
                         "repository, such as services/shop, without '..'")
    return "/".join(parts)
