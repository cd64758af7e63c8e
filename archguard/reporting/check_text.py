"""A check's result as terminal tables, grouped as the hand-written analyses are:
``tenancy (core) → marketplace (optional)``, then for each importing file its violating
lines as ``path:line`` (which terminals and editors open at the line) and one table."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.proposals import ProposalSet
from archguard.domain.violations import CheckResult, Violation
from archguard.reporting.escape import console_text, printable
from archguard.reporting.inventory_text import make_console, short_path
from archguard.reporting.proposals import MOVE_COLUMNS, fix_line, fixes_for, move_rows
from archguard.reporting.text_table import Column, draw_table
from archguard.reporting.wording import import_text

if TYPE_CHECKING:
    from archguard.reporting.check_formats import FilesScope

COLUMNS = [Column("Line", right=True, wraps=False), Column("Import"),
           Column("Kind", wraps=False), Column("Used in")]

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _print(console: Console, pieces: list[tuple[str, str]]) -> None:
    """Styled text as it is (lines are not wrapped again); without colours, straight to the
    console's file, since rich would spend most of a long report on splitting it."""
    if console.color_system is None:
        console.file.write("".join(text for text, _ in pieces))
    else:
        console.print(Text.assemble(*pieces), end="", soft_wrap=True)


def render_check(result: CheckResult, config: ArchitectureConfig,
                 console: Console | None = None, proposals: ProposalSet | None = None,
                 scope: FilesScope | None = None) -> None:
    """Sections by module pair, a ``path:line`` line per violating line and a table per
    file, then contracts and a summary; with ``proposals``, a "Fix" line under each table
    and a "What to move where" table. With ``scope`` (FILES given), the summary counts the
    violations in the files given and those left out, and claims no contract kept."""
    console = console or make_console()
    for outcome in result.contracts:
        if outcome.kept:
            continue
        style = SEVERITY_STYLE.get(outcome.severity, "")
        named = f": {console_text(outcome.name)}" if outcome.name != outcome.id else ""
        console.rule(f"[{style}]{console_text(outcome.id)}[/{style}]{named}", align="left")
        for problem in outcome.problems:
            where = short_path(problem.path, Path(result.project_dir))
            where += f":{problem.line}" if problem.line else ""
            console.print(console_text(f"  {where}: {problem.message}"))
        pairs: dict[tuple, list[Violation]] = defaultdict(list)
        for violation in outcome.new_violations:
            pairs[(violation.source_module, violation.source_category,
                   violation.target_module, violation.target_category)].append(violation)
        report: list[tuple[str, str]] = []
        for (source, source_cat, target, target_cat), violations in sorted(
            pairs.items(), key=lambda item: (item[0][0], item[0][2])
        ):
            report += [("\n", ""), (printable(source), "bold"), (f" ({source_cat}) → ", ""),
                       (printable(target), "bold"), (f" ({target_cat})\n", "")]
            by_file: dict[str, list[Violation]] = defaultdict(list)
            for violation in violations:
                by_file[violation.file].append(violation)
            for file, in_file in sorted(by_file.items()):
                rows = [[str(v.line), import_text(v), v.kind,
                         "\n".join(printable(use.render()) for use in v.used_in) or "-"]
                        for v in sorted(in_file, key=lambda v: v.line)]
                lines = draw_table(COLUMNS, rows, console.width)
                report += [(_places(file, in_file), "italic"), (lines[0] + "\n", ""),
                           (lines[1] + "\n", "bold"), ("\n".join(lines[2:]) + "\n", "")]
                if proposals is not None:
                    report += [(printable(fix_line(p)) + "\n", "green")
                               for p in fixes_for(proposals, in_file)]
        _print(console, report)
        console.print()
    if proposals is not None and proposals.proposals:
        console.rule("What to move where", align="left")
        lines = draw_table([Column(c) for c in MOVE_COLUMNS], move_rows(proposals),
                           console.width)
        _print(console, [(lines[0] + "\n", ""), (lines[1] + "\n", "bold"),
                         ("\n".join(lines[2:]) + "\n", "")])
        console.print()
    for finding in result.findings:
        style = SEVERITY_STYLE.get(finding.severity, "")
        where = short_path(finding.path, Path(result.project_dir))
        where += f":{finding.line}" if finding.line else ""
        console.print(f"[{style}]{finding.severity}[/{style}] {finding.rule}: "
                      + console_text(f"{where + ': ' if where else ''}{finding.message}"))
    for error in result.errors:
        console.print(f"[bold red]error[/bold red] {console_text(error)}")
    for entry in result.stale:
        fingerprint, file, imported = (console_text(str(entry.get(key)))
                                       for key in ("fingerprint", "file", "imported"))
        console.print(f"[yellow]stale baseline entry[/yellow] {fingerprint}: {file} "
                      f"{imported} is fixed; remove it from the baseline")
    # On a terminal the summary wraps at its spaces; in a file it stays one line to grep.
    console.print(escape(_summary(result, scope)), soft_wrap=not console.is_terminal)


def _places(file: str, violations: list[Violation]) -> str:
    """A line ``path:line`` for each line of ``file`` that violates, in order: a token
    that terminals and editors open at the line, never wrapped (a table cell would be)."""
    shown = printable(file)
    lines = dict.fromkeys(sorted(v.line for v in violations))
    return "".join(f"{shown}:{line}\n" for line in lines)


def _summary(result: CheckResult, scope: FilesScope | None) -> str:
    """The last line: ``8 contracts: 7 kept, 1 broken; 27 violations in 18 modules (…)``;
    with ``scope``, ``8 contracts, 18 modules (…): 0 violations in the 2 files given; 5
    more in other files (…)``."""
    broken = [c for c in result.contracts if not c.kept]
    kept = len(result.contracts) - len(broken)
    violations = sum(len(c.new_violations) for c in result.contracts)
    baselined = len(result.violations) - violations
    in_baseline = (f" ({baselined} more in the baseline, {len(result.stale)} stale)"
                   if result.baseline_file else "")
    checked = (f"{result.modules_checked} modules ({result.imports_checked} imports"
               + (f" and {result.references_checked} string references"
                  if result.references_checked else "")
               + " checked)")
    reasons: dict[str, int] = {}
    for _file, reason in result.left_out:
        why = next((why for start, why in (("excluded by", "project.exclude"),
                                           ("cannot be read", "unreadable"),
                                           ("not followed", "not followed"))
                    if reason.startswith(start)), "unreachable")
        reasons[why] = reasons.get(why, 0) + 1
    # A file that cannot be read is among the errors too; it is counted once, as left out.
    unparsable = len(result.errors) - reasons.get("unreadable", 0)
    unparsed = f"; {unparsable} file(s) could not be parsed" if unparsable > 0 else ""
    if result.left_out:
        unparsed += (f"; {len(result.left_out)} file{'s' if len(result.left_out) != 1 else ''}"
                     " left out (" + ", ".join(f"{n} {why}" for why, n in reasons.items())
                     + "; see --format json)")
    if scope is not None:
        return (f"{len(result.contracts)} contracts, {checked}: "
                f"{scope.describe(violations, in_baseline)}{unparsed}")
    return (f"{len(result.contracts)} contracts: {kept} kept, {len(broken)} broken; "
            f"{violations} violation{'' if violations == 1 else 's'}{in_baseline} in "
            f"{checked}{unparsed}")

