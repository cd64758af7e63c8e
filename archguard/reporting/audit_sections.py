"""The audit as a document: its sections, in the order of a written architecture review,
each made of paragraphs, lists and tables of plain text. The Markdown and HTML reports
render the same sections; what they say is decided here once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archguard.domain.audit import AuditReport, Progress, Status
from archguard.domain.simulation import RUNS, Scenario
from archguard.domain.violations import Violation
from archguard.reporting.proposals import MOVE_COLUMNS, fix_line, fixes_for, move_rows
from archguard.reporting.wording import agreed_text, import_text, observed_text, removed_text

STATUS_MARK = {Status.OK: "✅", Status.BROKEN: "❌", Status.ABSENT: "➖"}


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Columns shown in a monospace font (file:line, imports).
    code: frozenset[int] = frozenset()
    caption: str = ""
    #: The file the table is about, shown above it as ``File: path``.
    file: str = ""
    #: Lines under the table ("Fix …").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A part of a section: a heading of its own, paragraphs, a list, tables."""

    heading: str = ""
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def sections(report: AuditReport) -> list[Section]:
    found = [summary(report), what_works(report), violations(report), categorisation(report),
             removals(report), moves(report), conventions(report)]
    if report.progress is not None:
        found.append(progress(report.progress))
    return found


def title(report: AuditReport) -> str:
    return f"Modular architecture audit: {report.project}"


# -- sections -------------------------------------------------------------------------------


def summary(report: AuditReport) -> Section:
    questions = tuple(f"{answer.question} **{'Yes' if answer.yes else 'No'}**: {answer.line}."
                      for answer in report.answers)
    findings = tuple(("✅ " if k.ok else "❌ ") + ("CRITICAL: " if k.critical else "") + k.text
                     for k in report.key_findings)
    facts = (f"{len(report.modules)} modules ("
             + ", ".join(f"{n} {c}" for c, n in _categories(report)) + "), "
             f"{report.result.imports_checked} imports checked against "
             f"{len(report.result.contracts)} contracts.")
    return Section("summary", "Executive summary", (
        Block(paragraphs=("This analysis answers two questions:",), items=questions),
        Block(heading="Key findings", items=findings, paragraphs=(facts,)),
    ))


def what_works(report: AuditReport) -> Section:
    rows = tuple((w.aspect, STATUS_MARK[w.status], w.rule, w.details,
                  "; ".join(f"{e.location} {e.text}".strip() for e in w.evidence) or "-")
                 for w in report.works)
    return Section("works", "What works", (Block(tables=(Table(
        ("Aspect", "Status", "Rule", "Details", "Evidence"), rows, frozenset({4})),)),))


def violations(report: AuditReport) -> Section:
    unique: dict[tuple[str, int, str], list[Violation]] = defaultdict(list)
    for violation in report.result.violations:
        unique[(violation.file, violation.line, violation.statement)].append(violation)
    pairs: dict[tuple[str, str | None, str, str | None], list[list[Violation]]] = \
        defaultdict(list)
    for found in unique.values():
        first = found[0]
        pairs[(first.source_module, first.source_category, first.target_module,
               first.target_category)].append(found)
    if not pairs:
        return Section("violations", "Violations by module pair",
                       (Block(paragraphs=("No import breaks a contract.",)),))
    blocks = []
    for (source, source_category, target, target_category), groups in sorted(pairs.items()):
        by_file: dict[str, list[list[Violation]]] = defaultdict(list)
        for group in groups:
            by_file[group[0].file].append(group)
        tables = []
        for file, in_file in sorted(by_file.items()):
            in_file.sort(key=lambda g: g[0].line)
            rows = tuple((str(g[0].line), import_text(g[0], "; "), g[0].kind,
                          "; ".join(u.render() for u in g[0].used_in) or "-",
                          ", ".join(sorted({v.contract for v in g}))) for g in in_file)
            fixes = tuple(fix_line(p) for p in fixes_for(report.proposals,
                                                         [g[0] for g in in_file]))
            tables.append(Table(("Line", "Import", "Kind", "Used in", "Contract"), rows,
                                frozenset({1}), file=file, notes=fixes))
        count = sum(len(g) for g in by_file.values())
        blocks.append(Block(heading=f"{source} ({source_category}) → {target} "
                                    f"({target_category}): {count} import"
                                    f"{'s' if count > 1 else ''}", tables=tuple(tables)))
    return Section("violations", "Violations by module pair", tuple(blocks))


def categorisation(report: AuditReport) -> Section:
    blocks = []
    for category, count in _categories(report):
        rows = tuple((m.code, m.purpose or "-", ", ".join(m.requires) or "-",
                      _depends(m.optional_dependencies, m.violating_dependencies))
                     for m in report.modules if m.category == category)
        blocks.append(Block(heading=f"{category.capitalize()} modules ({count})", tables=(
            Table(("Module", "Purpose", "Declared dependencies", "Depends on optional?"),
                  rows),)))
    return Section("modules", "Module categorisation", tuple(blocks))


def removals(report: AuditReport) -> Section:
    columns = ("Removed", "Verdict", "Crashes at import", "Runtime failures")
    if report.ran:
        columns += ("Observed", "Agreed")
    rows = []
    for scenario in report.removals:
        prediction = scenario.prediction
        first = next((c for c in prediction.crashes if c.first), None)
        crash = (f"{len(prediction.crashes)} (first {first.file}:{first.line})" if first
                 else str(len(prediction.crashes)))
        row = (removed_text(scenario), _verdict(scenario), crash,
               str(len(prediction.runtime_failures)))
        if report.ran:
            row += (observed_text(scenario), agreed_text(scenario))
        rows.append(row)
    intro = ["Each optional module removed alone, then all of them together: "
             + ("proven by running the app on a temporary copy of each." if report.ran else
                "predicted from the imports (`--run` proves it on temporary copies).")]
    if report.agreement is not None:
        agreed, judged = report.agreement
        intro.append(f"Prediction and run agreed in {agreed} of {judged} scenarios.")
    blocks = [Block(paragraphs=tuple(intro), tables=(Table(columns, tuple(rows)),))]
    for scenario in report.removals:
        first = next((c for c in scenario.prediction.crashes if c.first), None)
        if first is None or len(scenario.prediction.removed) > 1:
            continue
        blocks.append(Block(heading=f"Without {removed_text(scenario)}: the app crashes at "
                                    "start-up",
                            paragraphs=(f"{first.file}:{first.line} fails, reached by "
                                        f"{first.render_chain()}",)))
    return Section("removals", "Runs without optional modules?", tuple(blocks))


def moves(report: AuditReport) -> Section:
    rows = tuple(tuple(row) for row in move_rows(report.proposals))
    if not rows:
        return Section("moves", "What to move where",
                       (Block(paragraphs=("Nothing to move: no violation is left.",)),))
    return Section("moves", "What to move where", (Block(
        paragraphs=("One rewrite per dependency group, each checked against every contract "
                    "before it is shown (`archguard explain RECIPE` tells what each does; "
                    "`archguard fix` writes the mechanical ones).",),
        tables=(Table(MOVE_COLUMNS, rows),)),))


def conventions(report: AuditReport) -> Section:
    rows = tuple((f.rule, f.severity, f.location or "-", f.message) for f in report.findings)
    if not rows:
        return Section("conventions", "Structure conventions and findings", (Block(
            paragraphs=("Every module follows the layout conventions, and the configuration "
                        "and the definitions agree.",)),))
    return Section("conventions", "Structure conventions and findings", (Block(tables=(
        Table(("Rule", "Severity", "Where", "Finding"), rows, frozenset({2})),)),))


def progress(found: Progress) -> Section:
    then, now = found.before, found.after
    pairs = tuple((f"{p.source} → {p.target}", str(p.before), str(p.after),
                   "gone" if p.after == 0 else ("fewer" if p.after < p.before else
                                                ("more" if p.after > p.before else "same")))
                  for p in found.pairs)
    questions = tuple((b.question, _yes(b.yes), _yes(a.yes))
                      for b, a in zip(found.answers_before, found.answers_after, strict=False))
    gained = [m for m in found.self_contained_after if m not in found.self_contained_before]
    freed = [m for m in found.removable_after if m not in found.removable_before]
    figures = (
        ("Violations", str(found.violations_before), str(found.violations_after)),
        ("Self-contained modules", str(len(found.self_contained_before)),
         str(len(found.self_contained_after))),
        ("Optional modules whose removal runs", ", ".join(found.removable_before) or "none",
         ", ".join(found.removable_after) or "none"),
        ("Proposals", str(found.proposals_before), str(found.proposals_after)),
    )
    items = []
    if gained:
        items.append("Became self-contained: " + ", ".join(gained))
    if freed:
        items.append("Now removable: " + ", ".join(freed))
    if found.proposals_done:
        items.append("Proposals done: " + "; ".join(found.proposals_done))
    if found.proposals_left:
        items.append("Proposals left: " + "; ".join(found.proposals_left))
    return Section("progress", "Refactoring progress", (
        Block(paragraphs=(f"From {then} to {now}.",), tables=(
            Table(("Question", then, now), questions),
            Table(("Module pair", then, now, "Change"), pairs,
                  caption="Violations by module pair"),
            Table(("", then, now), figures))),
        Block(items=tuple(items)),
    ))


# -- wording --------------------------------------------------------------------------------


def _categories(report: AuditReport) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for module in report.modules:
        counts[module.category] = counts.get(module.category, 0) + 1
    return list(counts.items())


def _depends(optional: tuple[str, ...], violating: tuple[str, ...]) -> str:
    if not optional and not violating:
        return "no"
    shown = [f"{m} (breaks a contract)" if m in violating else m
             for m in sorted(set(optional) | set(violating))]
    return "yes: " + ", ".join(shown)


def _verdict(scenario: Scenario) -> str:
    verdict = scenario.prediction.verdict
    return ("✅ " if verdict == RUNS else "❌ ") + verdict


def _yes(value: bool) -> str:
    return "✅ yes" if value else "❌ no"
