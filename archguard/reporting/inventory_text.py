"""The module inventory as terminal tables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.inventory import Inventory
from archguard.reporting.escape import console_text

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class _Console(Console):
    """A console whose reader going away (``archguard check | head``) ends the command as
    it ends every other: see :func:`archguard.cli.errors.reports_errors`."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def make_console(file: TextIO | None = None) -> Console:
    """A console that colours only a terminal, and never when NO_COLOR is set.

    Given a file, it writes plain text at the terminal's width (``COLUMNS``, else 120).
    """
    if file is None:
        if os.environ.get("NO_COLOR"):  # plain text, not only colourless: no styles either
            return _Console(highlight=False, soft_wrap=False, no_color=True, color_system=None)
        return _Console(highlight=False, soft_wrap=False)
    width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    return _Console(file=file, highlight=False, soft_wrap=False, width=width, no_color=True,
                    color_system=None)


def short_path(path: Path | None, root: Path) -> str:
    """``path`` relative to the project, else to the working directory, else as given."""
    if path is None:
        return ""
    resolved = path.resolve()
    for base in (root.resolve(), Path.cwd()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return str(path)


def render_inventory(inventory: Inventory, config: ArchitectureConfig,
                     console: Console | None = None) -> None:
    """One table per category, kernel packages, findings, then a one-line summary."""
    console = console or make_console()
    root = inventory.project_dir
    grouped = inventory.by_category()
    order = [*config.categories, *[c for c in grouped if c not in config.categories]]
    for category in order:
        members = grouped.get(category)
        if not members:
            continue
        title = category if category is not None else "uncategorised"
        description = config.categories.get(category or "", "")
        table = Table(title=console_text(f"{title} ({len(members)})"
                                         + (f" — {description}" if description else "")),
                      title_justify="left", expand=False)
        table.add_column("Module", style="bold")
        table.add_column("Code")
        table.add_column("Requires")
        table.add_column("Declared in")
        table.add_column("Purpose")
        for module in members:
            sources = sorted({s for s in (module.category_source, module.requires_source) if s})
            table.add_row(
                console_text(module.name),
                console_text(module.code if module.code != module.name else ""),
                console_text(", ".join(module.requires) or "-"),
                " + ".join(sources),
                console_text(module.purpose),
            )
        console.print(table)
        console.print()
    if inventory.kernel:
        console.print("[bold]kernel[/bold] (counts as core): " + ", ".join(inventory.kernel))
        console.print()
    if inventory.findings:
        console.print(f"[bold]Findings ({len(inventory.findings)})[/bold]")
        for finding in inventory.findings:
            style = SEVERITY_STYLE.get(finding.severity, "")
            where = short_path(finding.path, root)
            if finding.line:
                where += f":{finding.line}"
            console.print(f"  [{style}]{finding.severity}[/{style}] {finding.rule}: "
                          + console_text(f"{where + ': ' if where else ''}{finding.message}"))
        console.print()
    counts = ", ".join(f"{len(grouped[c])} {c if c is not None else 'uncategorised'}"
                       for c in order if grouped.get(c))
    count = len(inventory.modules)
    console.print(f"{count} module{'' if count == 1 else 's'} in {inventory.modules_package}: "
                  f"{counts}; "
                  f"{len(inventory.findings)} finding(s)")

