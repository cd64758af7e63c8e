"""``archguard audit``: the architecture analysis a team would write by hand, from the code.

The project is read once: ``check`` judges it, the recipes propose a rewrite per group of
violations, the removal model predicts each optional module's removal (and, with ``run``,
proves it on temporary copies), and the rules of :mod:`archguard.application.audit_rules`
check what already works. The answers to the two questions follow from those.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from archguard.application.audit_rules import what_works
from archguard.application.check import run_check
from archguard.application.project import Project
from archguard.application.propose import propose
from archguard.application.simulate import RemovalModel, optional_modules, simulate
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.audit import (
    Answer,
    AuditReport,
    GraphEdge,
    GraphImport,
    GraphNode,
    KeyFinding,
    ModuleGraph,
    ModuleRow,
    PairProgress,
    Progress,
    RuleCheck,
    Status,
)
from archguard.domain.layout import OwnerKind
from archguard.domain.simulation import CRASHES_AT_IMPORT, RUNS, UNKNOWN, Scenario
from archguard.domain.violations import CheckResult, Violation

SELF_CONTAINED = "Are all modules self-contained and respecting the rules?"
STILL_RUNS = "Would the app still run if non-core modules are removed?"

#: At most this many imports are kept for one edge of the graph.
MAX_EDGE_IMPORTS = 200


@dataclass(frozen=True)
class RunOptions:
    """How ``audit --run`` proves the removals (as ``simulate --run`` takes them)."""

    jobs: int = 1
    timeout: float | None = None
    smoke: list[tuple[str, str]] | None = None
    entry_points: list[str] | None = field(default=None)


def build_audit(project_dir: Path, config: ArchitectureConfig, *, use_cache: bool = True,
                run: RunOptions | None = None, name: str | None = None) -> AuditReport:
    """The audit of ``project_dir``; with ``run``, the removals are proven by running."""
    project = Project(project_dir, config, use_cache=use_cache)
    result = run_check(project_dir, config, project=project)
    proposals = propose(project, result)
    model = RemovalModel(project_dir, config, project=project)
    optional = optional_modules(model)
    removed_sets = [[module] for module in optional]
    if len(optional) > 1:
        removed_sets.append(list(optional))
    removals = tuple(simulate(
        model, removed_sets, run=run is not None,
        smoke=run.smoke if run else None, entry_points=run.entry_points if run else None,
        timeout=run.timeout if run else None, jobs=run.jobs if run else 1))
    works = what_works(project, result)
    graph = module_graph(project, model, result)
    modules = module_rows(project, graph, result)
    return AuditReport(
        project=name or project.project_dir.name,
        answers=(self_contained(result, modules),
                 still_runs(removals, run is not None, bool(config.runtime.entry_points))),
        key_findings=key_findings(works, result, removals, modules),
        works=works, result=result, modules=modules, graph=graph, removals=removals,
        proposals=proposals,
        findings=(*result.findings, *(p for c in result.contracts for p in c.problems)),
        ran=run is not None, modules_package=config.modules_package,
        errors=tuple(dict.fromkeys([*result.errors, *model.errors])),
    )


# -- the module graph -----------------------------------------------------------------------


def module_graph(project: Project, model: RemovalModel, result: CheckResult) -> ModuleGraph:
    """Every module, and every counted import between two of them, the violating ones
    marked with their contract."""
    counted = set(project.config.counted_kinds)
    layout = project.layout
    imports: dict[tuple[str, str], list[GraphImport]] = defaultdict(list)
    for module, edges in sorted(model.edges.items()):
        source = layout.owner_of(module)
        if source.kind != OwnerKind.MODULE:
            continue
        file = project.relative(module)[1]
        for edge in edges:
            target = layout.owner_of(edge.target)
            if target.kind != OwnerKind.MODULE or target.name == source.name \
                    or str(edge.kind) not in counted:
                continue
            imports[(source.name, target.name)].append(GraphImport(
                file, edge.line, edge.statement, str(edge.kind), edge.function))
    violating: dict[tuple[str, str], dict[tuple[str, int, str], Violation]] = defaultdict(dict)
    for violation in result.violations:
        if violation.source_module == violation.target_module:
            continue
        key = (violation.file, violation.line, violation.statement)
        violating[(violation.source_module, violation.target_module)].setdefault(key, violation)
    edges = []
    for pair in sorted(set(imports) | set(violating)):
        found = violating.get(pair, {})
        marked = []
        seen = set()
        for item in imports.get(pair, []):
            hit = found.get((item.file, item.line, item.statement)) or next(
                (v for (f, line, _s), v in found.items() if f == item.file and line == item.line),
                None)
            marked.append(GraphImport(item.file, item.line, item.statement, item.kind,
                                      item.function, hit is not None,
                                      hit.contract if hit else None))
            if hit is not None:
                seen.add((hit.file, hit.line, hit.statement))
        for key, violation in found.items():
            if key not in seen:
                marked.append(GraphImport(violation.file, violation.line, violation.statement,
                                          violation.kind, violation.function, True,
                                          violation.contract))
        marked.sort(key=lambda i: (not i.violating, i.file, i.line))
        edges.append(GraphEdge(
            source=pair[0], target=pair[1], count=len(marked), violations=len(found),
            contracts=tuple(sorted({v.contract for v in found.values()})),
            imports=tuple(marked[:MAX_EDGE_IMPORTS]),
            kinds=tuple(sorted(Counter(i.kind for i in marked).items()))))
    per_module: dict[str, int] = defaultdict(int)
    for violation in {v.fingerprint: v for v in result.violations}.values():
        per_module[violation.source_module] += 1
    nodes = tuple(GraphNode(m.name, m.code, m.category or "uncategorised",
                            per_module.get(m.name, 0))
                  for m in sorted(project.inventory.modules, key=lambda m: m.name))
    return ModuleGraph(nodes, tuple(edges), tuple(project.config.categories))


def module_rows(project: Project, graph: ModuleGraph, result: CheckResult
                ) -> tuple[ModuleRow, ...]:
    """The categorisation table: each module with what it declares and what it imports."""
    optional = {n.name for n in graph.nodes if n.category == "optional"}
    depends: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        if edge.target in optional:
            depends[edge.source].add(edge.target)
    bad: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, set[str]] = defaultdict(set)
    for violation in result.violations:
        bad[violation.source_module].add(violation.target_module)
        counts[violation.source_module].add(violation.fingerprint)
    order = {c: i for i, c in enumerate(project.config.categories)}
    modules = sorted(project.inventory.modules,
                     key=lambda m: (order.get(m.category or "", len(order)), m.name))
    return tuple(ModuleRow(
        name=m.name, code=m.code, category=m.category or "uncategorised", purpose=m.purpose,
        requires=tuple(m.requires), optional_dependencies=tuple(sorted(depends[m.name])),
        violating_dependencies=tuple(sorted(bad[m.name] & (depends[m.name] | bad[m.name]))),
        violations=len(counts[m.name])) for m in modules)


# -- the answers ----------------------------------------------------------------------------


def self_contained(result: CheckResult, modules: tuple[ModuleRow, ...]) -> Answer:
    violations = {v.fingerprint for v in result.violations}
    broken = [c for c in result.contracts if c.violations]
    if not violations:
        return Answer(SELF_CONTAINED, True,
                      f"every module keeps every contract: {len(result.contracts)} contracts, "
                      f"{len(modules)} modules, 0 violations")
    depends = "; ".join(f"{m.name} depends on {', '.join(m.violating_dependencies)}"
                        for m in modules if m.violating_dependencies)
    return Answer(SELF_CONTAINED, False,
                  f"{len(violations)} imports break {len(broken)} of "
                  f"{len(result.contracts)} contracts: {depends}")


def still_runs(removals: tuple[Scenario, ...], ran: bool, started: bool = True) -> Answer:
    """The second question. Without entry points (``started`` false) every module is taken
    as imported at start-up, and the answer says so."""
    answer = _still_runs(removals, ran)
    if started:
        return answer
    return Answer(answer.question, answer.yes, answer.line + "; every module was taken as "
                  "imported at start-up: the configuration names no runtime.entry_points")


def _still_runs(removals: tuple[Scenario, ...], ran: bool) -> Answer:
    alone = [s for s in removals if len(s.prediction.removed) == 1]
    crash = [s.prediction.removed[0] for s in alone if s.prediction.verdict == CRASHES_AT_IMPORT]
    unknown = [s.prediction.removed[0] for s in alone if s.prediction.verdict == UNKNOWN]
    later = [s.prediction.removed[0] for s in alone
             if s.prediction.verdict not in (RUNS, CRASHES_AT_IMPORT, UNKNOWN)]
    failed_runs = [s for s in removals if s.observation is not None and not s.observation.ok]
    if not removals:
        return Answer(STILL_RUNS, True, "there are no optional modules to remove")
    proven = ""
    if ran:
        agreed = sum(1 for s in removals if s.agreed)
        proven = f" (run on temporary copies: {agreed} of {len(removals)} agreed)"
    if not crash and not later and not failed_runs and all(
            s.prediction.verdict == RUNS for s in removals):
        together = " and all of them together" if len(removals) > len(alone) else ""
        return Answer(STILL_RUNS, True,
                      f"each of the {len(alone)} optional modules{together} can be removed"
                      + proven)
    parts = []
    if crash:
        parts.append("the app would crash at start-up without " + ", ".join(crash))
    if later:
        parts.append("code paths would fail at run time without " + ", ".join(later))
    if unknown:
        parts.append("start-up imports code in a folder without __init__.py, which no import "
                     "graph reads: whether it runs is not known without " + ", ".join(unknown))
    if not parts:
        parts.append("the app breaks with all optional modules removed together")
    return Answer(STILL_RUNS, False, "; ".join(parts) + proven)


def key_findings(works: tuple[RuleCheck, ...], result: CheckResult,
                 removals: tuple[Scenario, ...], modules: tuple[ModuleRow, ...]
                 ) -> tuple[KeyFinding, ...]:
    found = [KeyFinding(w.status != Status.BROKEN, f"{w.aspect}: {w.details}")
             for w in works if w.status != Status.ABSENT]
    crash = [s.prediction.removed[0] for s in removals
             if len(s.prediction.removed) == 1 and s.prediction.verdict == CRASHES_AT_IMPORT]
    foundation = next((m.category for m in modules), None)
    reaching = [m.name for m in modules if m.category == foundation and m.violating_dependencies]
    if crash:
        found.append(KeyFinding(False, f"{', '.join(reaching) or 'modules'} "
                                f"{'have' if len(reaching) != 1 else 'has'} hard dependencies "
                                f"on optional modules: the app would crash if "
                                f"{', '.join(crash)} {'were' if len(crash) > 1 else 'was'} "
                                "removed", critical=True))
    for outcome in result.contracts:
        unique = {v.fingerprint for v in outcome.violations}
        if unique:
            found.append(KeyFinding(False, f"{outcome.name}: {len(unique)} violation"
                                    f"{'s' if len(unique) > 1 else ''}"))
    return tuple(found)


# -- progress -------------------------------------------------------------------------------


def progress(before: AuditReport, after: AuditReport) -> Progress:
    """``before`` against ``after``, module pair by module pair and question by question."""
    def pairs(report: AuditReport) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], set[str]] = defaultdict(set)
        for violation in report.result.violations:
            counts[(violation.source_module, violation.target_module)].add(
                violation.fingerprint)
        return {pair: len(found) for pair, found in counts.items()}

    def contained(report: AuditReport) -> tuple[str, ...]:
        return tuple(m.name for m in report.modules if m.violations == 0)

    def removable(report: AuditReport) -> tuple[str, ...]:
        return tuple(s.prediction.removed[0] for s in report.removals
                     if len(s.prediction.removed) == 1 and s.prediction.verdict == RUNS
                     and (s.observation is None or s.observation.ok))

    then, now = pairs(before), pairs(after)
    groups_then = [p.group for p in before.proposals.proposals]
    groups_now = {p.group for p in after.proposals.proposals}
    return Progress(
        pairs=tuple(PairProgress(s, t, then.get((s, t), 0), now.get((s, t), 0))
                    for s, t in sorted(set(then) | set(now))),
        violations_before=len({v.fingerprint for v in before.result.violations}),
        violations_after=len({v.fingerprint for v in after.result.violations}),
        self_contained_before=contained(before), self_contained_after=contained(after),
        removable_before=removable(before), removable_after=removable(after),
        proposals_before=len(before.proposals.proposals),
        proposals_after=len(after.proposals.proposals),
        proposals_done=tuple(dict.fromkeys(g for g in groups_then if g not in groups_now)),
        proposals_left=tuple(dict.fromkeys(g for g in groups_then if g in groups_now)),
        answers_before=before.answers, answers_after=after.answers,
        before=before.project, after=after.project,
    )
