"""A simulation for people: terminal tables (rich) and Markdown."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archguard.domain.simulation import (
    CRASHES_AT_IMPORT,
    RUNS,
    Scenario,
    SimulationResult,
)
from archguard.reporting.inventory_text import make_console
from archguard.reporting.wording import (
    EVERY_MODULE_STARTED,
    agreed_text,
    observed_text,
    removed_text,
)

#: Rows listed per table before "… and N more".
SHOWN = 15
VERDICT_STYLE = {RUNS: "green", CRASHES_AT_IMPORT: "bold red"}


def _without(scenario: Scenario) -> str:
    text = "without " + ", ".join(scenario.removed)
    if scenario.prediction.cascade:
        text += " (not loaded, by cascade: " + ", ".join(
            f"{name}, {reason}" for name, reason in scenario.prediction.cascade) + ")"
    return text


def render_simulation(result: SimulationResult, console: Console | None = None, *,
                      matrix: bool = False) -> None:
    console = console or make_console()
    if matrix:
        _matrix(result, console)
    else:
        for scenario in result.scenarios:
            _scenario(scenario, console)
    _summary(result, console)


def _matrix(result: SimulationResult, console: Console) -> None:
    table = Table(title="Removal matrix", title_justify="left")
    for column in ("Module removed", "Crashes at import", "Runtime failures", "Verdict"):
        table.add_column(column)
    if result.ran:
        table.add_column("Observed")
        table.add_column("Agreed")
    for scenario in result.scenarios:
        prediction = scenario.prediction
        first = next((c for c in prediction.crashes if c.first), None)
        crash = (f"{len(prediction.crashes)}: {first.file}:{first.line}" if first
                 else str(len(prediction.crashes)))
        style = VERDICT_STYLE.get(prediction.verdict, "yellow")
        row = [escape(removed_text(scenario)), escape(crash),
               str(len(prediction.runtime_failures)),
               f"[{style}]{prediction.verdict}[/{style}]"]
        if result.ran:
            row += [observed_text(scenario), agreed_text(scenario)]
        table.add_row(*row)
    console.print(table)


def _scenario(scenario: Scenario, console: Console) -> None:
    prediction = scenario.prediction
    style = VERDICT_STYLE.get(prediction.verdict, "yellow")
    console.rule(f"[bold]{escape(_without(scenario))}[/bold]: "
                 f"[{style}]{prediction.verdict}[/{style}]", align="left")
    if prediction.crashes:
        table = Table(title="Crashes at import", title_justify="left")
        table.add_column("Import that fails")
        table.add_column("Chain from start-up")
        for crash in prediction.crashes[:SHOWN]:
            label = f"{crash.file}:{crash.line}" + (" (first)" if crash.first else "")
            table.add_row(escape(label), escape(crash.render_chain("\n→ ")))
        console.print(table)
        _more(console, len(prediction.crashes))
    if prediction.runtime_failures:
        table = Table(title="Fail when they run", title_justify="left")
        for column in ("File:Line", "Function", "Kind", "Needs", "Reached from"):
            table.add_column(column)
        for failure in prediction.runtime_failures[:SHOWN]:
            needs = failure.target + (f".{failure.name}" if failure.name else "")
            if failure.chain:
                needs += " (through " + ", ".join(
                    f"{link.file}:{link.line}" for link in failure.chain) + ")"
            table.add_row(escape(f"{failure.file}:{failure.line}"),
                          escape(failure.function or "module level"), failure.kind,
                          escape(needs), escape("\n".join(failure.reached_from) or "-"))
        console.print(table)
        _more(console, len(prediction.runtime_failures))
    if prediction.safe:
        table = Table(title="Safe references", title_justify="left")
        for column in ("File:Line", "Kind", "Target"):
            table.add_column(column)
        for safe in prediction.safe[:SHOWN]:
            table.add_row(escape(f"{safe.file}:{safe.line}"), safe.kind, escape(safe.target))
        console.print(table)
        _more(console, len(prediction.safe))
    observation = scenario.observation
    if observation is not None:
        console.print(f"observed: {observed_text(scenario)}"
                      + (f"; first error: {escape(observation.first_error)}"
                         if observation.first_error else ""))
        for failure in observation.failures:
            where = f"{failure.file}:{failure.line}" if failure.file else "(no project frame)"
            mark = "predicted" if failure.explained else "NOT PREDICTED"
            console.print(escape(f"  [{failure.smoke}] {where}: {failure.error} ({mark})"))
        console.print(f"agreed: {agreed_text(scenario)}")
    console.print()


def _more(console: Console, count: int) -> None:
    if count > SHOWN:
        console.print(f"… and {count - SHOWN} more (--format json lists them all)")


def _summary(result: SimulationResult, console: Console) -> None:
    breaking = sum(1 for s in result.scenarios if s.prediction.verdict != RUNS)
    line = (f"{len(result.scenarios)} scenario{'s' if len(result.scenarios) != 1 else ''}: "
            f"{len(result.scenarios) - breaking} run, {breaking} break")
    if result.agreement is not None:
        judged = [s for s in result.scenarios if s.agreed is not None]
        agreed = sum(1 for s in judged if s.agreed)
        line += f"; prediction and observation agree in {agreed}/{len(judged)} " \
                f"({result.agreement:.0%})"
    console.print(line)
    if any(s.prediction.every_module_started for s in result.scenarios):
        console.print(f"[dim]note: {escape(EVERY_MODULE_STARTED)}[/dim]")


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def simulation_to_markdown(result: SimulationResult) -> str:
    lines = ["# archguard simulate", ""]
    if any(s.prediction.every_module_started for s in result.scenarios):
        lines += [f"Note: {EVERY_MODULE_STARTED}.", ""]
    lines += ["| Removed | Crashes at import | Runtime failures | Verdict |"
             + (" Observed | Agreed |" if result.ran else ""),
             "|---|---|---|---|" + ("---|---|" if result.ran else "")]
    for scenario in result.scenarios:
        prediction = scenario.prediction
        first = next((c for c in prediction.crashes if c.first), None)
        crash = f"{len(prediction.crashes)} (first `{first.file}:{first.line}`)" if first \
            else str(len(prediction.crashes))
        row = f"| {removed_text(scenario)} | {crash} | {len(prediction.runtime_failures)} | " \
              f"{prediction.verdict} |"
        if result.ran:
            row += f" {observed_text(scenario)} | {agreed_text(scenario)} |"
        lines.append(row)
    for scenario in result.scenarios:
        prediction = scenario.prediction
        if not (prediction.crashes or prediction.runtime_failures):
            continue
        lines += ["", f"## {_without(scenario)}: {prediction.verdict}"]
        if prediction.crashes:
            lines += ["", "| Import that fails | Chain |", "|---|---|"]
            lines += [f"| `{c.file}:{c.line}`{' (first)' if c.first else ''} | "
                      f"{_md(c.render_chain())} |" for c in prediction.crashes]
        if prediction.runtime_failures:
            lines += ["", "| File:Line | Function | Kind | Needs |", "|---|---|---|---|"]
            lines += [f"| `{f.file}:{f.line}` | {f.function or 'module level'} | {f.kind} | "
                      f"`{f.target}{'.' + f.name if f.name else ''}` |"
                      for f in prediction.runtime_failures]
    return "\n".join(lines) + "\n"
