"""A simulation for people: terminal tables (rich) and Markdown."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console, Group, RenderableType
from rich.markup import escape as escape_markup
from rich.table import Table
from rich.text import Text

from archguard.domain.simulation import (
    CRASHES_AT_IMPORT,
    RUNS,
    UNKNOWN,
    Crash,
    Scenario,
    SimulationResult,
)
from archguard.reporting.escape import console_text, markdown_code, markdown_text, printable
from archguard.reporting.inventory_text import make_console
from archguard.reporting.text_table import Wrapped, cell_len
from archguard.reporting.wording import (
    EVERY_MODULE_STARTED,
    agreed_text,
    observed_text,
    removed_text,
)

#: Rows listed per table before "… and N more".
SHOWN = 15


#: The narrowest a column other than a location is drawn before the rows are stacked
#: instead: a word this long or shorter stays whole.
READABLE = 16


def _table(title: str, headers: tuple[str, ...], rows: list[list[str]], width: int,
           locations: tuple[int, ...] = ()) -> RenderableType:
    """The rows as a table whose ``locations`` columns (``file:line``) are never wrapped nor
    cut, so that a terminal or an editor can open them, and whose other cells (rich markup)
    wrap as the check's tables do: at spaces and after the ``.``, ``_`` and ``/`` of names
    and paths, never inside a name that fits. Where the locations leave the other columns
    too little of ``width`` for a word of :data:`READABLE` cells, each row is stacked: its
    locations on a line of their own, then each other cell under its header's name."""
    cells = [[cell if index in locations else Text.from_markup(cell)
              for index, cell in enumerate(row)] for row in rows]
    located = [max([len(headers[i]), *(len(row[i]) for row in rows)]) for i in locations]
    others = [min(READABLE, max((cell_len(word) for row in cells for word in
                                 row[i].plain.split()), default=0) or 1)
              for i in range(len(headers)) if i not in locations]
    if locations and sum(located) + sum(others) + 3 * len(headers) + 1 > width:
        return _stacked(title, headers, cells, locations)
    table = Table(title=title, title_justify="left")
    for index, header in enumerate(headers):
        if index in locations:
            table.add_column(header, no_wrap=True, min_width=located[locations.index(index)])
        else:
            table.add_column(header)
    for row in cells:
        table.add_row(*(cell if isinstance(cell, str) else Wrapped(cell) for cell in row))
    return table


def _stacked(title: str, headers: tuple[str, ...], cells: list[list[str | Text]],
             locations: tuple[int, ...]) -> RenderableType:
    """Each row as its locations' line, then a line for each other cell: ``Kind  lazy``."""
    parts: list[RenderableType] = [Text(title, style="italic")]
    for row in cells:
        located = Text.from_markup(" ".join(str(row[i]) for i in locations))
        located.stylize("bold")
        parts.append(located)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column()
        for index, header in enumerate(headers):
            if index not in locations:
                cell = row[index]
                grid.add_row(f"  {header}", Wrapped(cell if isinstance(cell, Text)
                                                    else Text(cell)))
        parts.append(grid)
    return Group(*parts)


#: Changed entries of the original named in one message before "and N more".
CHANGES_SHOWN = 10
VERDICT_STYLE = {RUNS: "green", CRASHES_AT_IMPORT: "bold red"}


def original_changes_text(scenario: Scenario) -> str:
    """``the original project changed while … : app/x.py (modified), …``: said loudly, since
    the observation then proves nothing."""
    changes = scenario.observation.original_changes if scenario.observation else ()
    named = ", ".join(change.render() for change in changes[:CHANGES_SHOWN])
    if len(changes) > CHANGES_SHOWN:
        named += f" and {len(changes) - CHANGES_SHOWN} more"
    return printable(f"the original project changed while the commands ran on its copy "
                     f"without {', '.join(scenario.removed)}: {named}; a command wrote "
                     "outside its copy, so this run proves nothing")


def _without(scenario: Scenario) -> str:
    text = "without " + ", ".join(scenario.removed)
    if scenario.prediction.cascade:
        text += " (not loaded, by cascade: " + ", ".join(
            f"{name}, {reason}" for name, reason in scenario.prediction.cascade) + ")"
    return printable(text)


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
    """A row a scenario, then the first import that fails in each as a ``path:line`` line
    of its own (a table cell would wrap it, or squeeze the others out of 80 columns)."""
    headers = ("Module removed", "Crashes at import", "Runtime failures", "Verdict")
    if result.ran:
        headers += ("Observed", "Agreed")
    rows = []
    firsts = []
    for scenario in result.scenarios:
        prediction = scenario.prediction
        first = next((c for c in prediction.crashes if c.first), None)
        if first is not None:
            firsts.append(console_text(f"{removed_text(scenario)}: {first.file}:{first.line}"))
        style = VERDICT_STYLE.get(prediction.verdict, "yellow")
        row = [console_text(removed_text(scenario)), str(len(prediction.crashes)),
               str(len(prediction.runtime_failures)),
               f"[{style}]{prediction.verdict}[/{style}]"]
        if result.ran:
            row += [observed_text(scenario), agreed_text(scenario)]
        rows.append(row)
    console.print(_table("Removal matrix", headers, rows, console.width))
    if firsts:
        console.print("First import that fails, by removal:")
        for line in firsts:
            console.print(line)


def _scenario(scenario: Scenario, console: Console) -> None:
    prediction = scenario.prediction
    style = VERDICT_STYLE.get(prediction.verdict, "yellow")
    console.rule(f"[bold]{console_text(_without(scenario))}[/bold]: "
                 f"[{style}]{prediction.verdict}[/{style}]", align="left")
    if prediction.crashes:
        rows = [[console_text(f"{crash.file}:{crash.line}" + (" (first)" if crash.first else "")),
                 escape_markup(_chain(crash, "\n→ "))] for crash in prediction.crashes[:SHOWN]]
        console.print(_table("Crashes at import", ("Import that fails", "Chain from start-up"),
                             rows, console.width, locations=(0,)))
        _more(console, len(prediction.crashes))
    if prediction.unread:
        rows = [[console_text(f"{unread.file}:{unread.line}"), console_text(unread.target),
                 console_text(f"{unread.folder}/")] for unread in prediction.unread[:SHOWN]]
        console.print(_table("Start-up imports what no import graph reads",
                             ("File:Line", "Imports", "In (no __init__.py)"), rows,
                             console.width, locations=(0,)))
        _more(console, len(prediction.unread))
    if prediction.runtime_failures:
        rows = []
        for failure in prediction.runtime_failures[:SHOWN]:
            needs = failure.target + (f".{failure.name}" if failure.name else "")
            if failure.chain:
                needs += " (through " + ", ".join(
                    f"{link.file}:{link.line}" for link in failure.chain) + ")"
            rows.append([console_text(f"{failure.file}:{failure.line}"),
                         console_text(failure.function or "module level"), failure.kind,
                         console_text(needs),
                         "\n".join(map(console_text, failure.reached_from)) or "-"])
        console.print(_table("Fail when they run",
                             ("File:Line", "Function", "Kind", "Needs", "Reached from"), rows,
                             console.width, locations=(0,)))
        _more(console, len(prediction.runtime_failures))
    if prediction.safe:
        rows = [[console_text(f"{safe.file}:{safe.line}"), safe.kind, console_text(safe.target)]
                for safe in prediction.safe[:SHOWN]]
        console.print(_table("Safe references", ("File:Line", "Kind", "Target"), rows,
                             console.width, locations=(0,)))
        _more(console, len(prediction.safe))
    observation = scenario.observation
    if observation is not None:
        console.print(f"observed: {observed_text(scenario)}"
                      + (f"; first error: {console_text(observation.first_error)}"
                         if observation.first_error else ""))
        for failure in observation.failures:
            where = f"{failure.file}:{failure.line}" if failure.file else "(no project frame)"
            mark = "predicted" if failure.explained else "NOT PREDICTED"
            console.print(console_text(f"  [{failure.smoke}] {where}: {failure.error} ({mark})"))
        for command in observation.commands:
            if command.output_cut:
                console.print(console_text(
                    f"  [{command.name}] printed more than is kept: {command.output_cut:,} "
                    "bytes of its output left out between its start and its end"))
        if observation.original_changes:
            console.print(f"[bold red]{console_text(original_changes_text(scenario))}"
                          "[/bold red]")
        console.print(f"agreed: {agreed_text(scenario)}")
    console.print()


def _chain(crash: Crash, separator: str) -> str:
    """The crash's chain from start-up, each name printable (see
    :mod:`archguard.reporting.escape`): only ``separator`` breaks it."""
    shown = replace(crash, module=printable(crash.module), file=printable(crash.file),
                    target=printable(crash.target), root=printable(crash.root),
                    chain=tuple(replace(link, importer=printable(link.importer),
                                        file=printable(link.file)) for link in crash.chain))
    return shown.render_chain(separator)


def _more(console: Console, count: int) -> None:
    if count > SHOWN:
        console.print(f"… and {count - SHOWN} more (--format json lists them all)")


def _summary(result: SimulationResult, console: Console) -> None:
    verdicts = [s.prediction.verdict for s in result.scenarios]
    unknown = verdicts.count(UNKNOWN)
    breaking = len(verdicts) - verdicts.count(RUNS) - unknown
    line = (f"{len(result.scenarios)} scenario{'s' if len(result.scenarios) != 1 else ''}: "
            f"{verdicts.count(RUNS)} run, {breaking} break"
            + (f", {unknown} unknown (start-up imports code no import graph reads)"
               if unknown else ""))
    if result.agreement is not None:
        judged = [s for s in result.scenarios if s.agreed is not None]
        agreed = sum(1 for s in judged if s.agreed)
        line += f"; prediction and observation agree in {agreed}/{len(judged)} " \
                f"({result.agreement:.0%})"
    console.print(line)
    if result.isolation:
        console.print(f"isolation: {console_text(result.isolation)}")
    if any(s.prediction.every_module_started for s in result.scenarios):
        console.print(f"[dim]note: {console_text(EVERY_MODULE_STARTED)}[/dim]")


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
        crash = (f"{len(prediction.crashes)} (first {markdown_code(f'{first.file}:{first.line}')})"
                 if first else str(len(prediction.crashes)))
        row = f"| {markdown_text(removed_text(scenario))} | {crash} | " \
              f"{len(prediction.runtime_failures)} | {prediction.verdict} |"
        if result.ran:
            row += f" {observed_text(scenario)} | {agreed_text(scenario)} |"
        lines.append(row)
    if result.isolation:
        lines += ["", f"Isolation: {markdown_text(result.isolation)}."]
    for scenario in result.original_changed:
        lines += ["", f"**{markdown_text(original_changes_text(scenario))}**"]
    for scenario in result.scenarios:
        prediction = scenario.prediction
        if not (prediction.crashes or prediction.runtime_failures or prediction.unread):
            continue
        lines += ["", f"## {markdown_text(_without(scenario))}: {prediction.verdict}"]
        if prediction.crashes:
            lines += ["", "| Import that fails | Chain |", "|---|---|"]
            lines += [f"| {markdown_code(f'{c.file}:{c.line}')}{' (first)' if c.first else ''} | "
                      f"{markdown_text(c.render_chain())} |" for c in prediction.crashes]
        if prediction.unread:
            lines += ["", "| Start-up imports | Of | In (no `__init__.py`) |", "|---|---|---|"]
            lines += [f"| {markdown_code(f'{u.file}:{u.line}')} | {markdown_code(u.target)} | "
                      f"{markdown_code(u.folder + '/')} |" for u in prediction.unread]
        if prediction.runtime_failures:
            lines += ["", "| File:Line | Function | Kind | Needs |", "|---|---|---|---|"]
            lines += [f"| {markdown_code(f'{f.file}:{f.line}')} | "
                      f"{markdown_text(f.function or 'module level')} | {f.kind} | "
                      f"{markdown_code(f.target + ('.' + f.name if f.name else ''))} |"
                      for f in prediction.runtime_failures]
    return "\n".join(lines) + "\n"
