"""Proposals for a check's violations: the recipes of :mod:`archguard.rewrites` tried in
order, each proposal checked against every contract before it is shown.

A recipe is given the violations no earlier recipe removed. Each proposal carries the
dependencies it adds and the requirements it declares; those are judged by every contract
that judges dependencies, with the declared requirements in force, and a requirement that
closes a cycle of ``requires`` is refused. A proposal that breaks a contract keeps its
conflicts and is replaced by the first of its alternatives that holds.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import replace

from archguard.application.project import Project
from archguard.contracts import Contract, build_contract
from archguard.domain.layout import Layout, Owner, OwnerKind
from archguard.domain.proposals import Conflict, Edge, Proposal, ProposalSet, Rejection
from archguard.domain.violations import CheckResult, Violation
from archguard.rewrites import RECIPES, RewriteContext
from archguard.rewrites.base import parse_text

#: The pseudo-contract a requirement cycle breaks.
REQUIRES_CYCLE = "requires-cycle"


def rewrite_context(project: Project, violations: tuple[Violation, ...]) -> RewriteContext:
    """What the recipes may know of ``project``, read without importing it."""
    config = project.config
    importers: dict[str, set[str]] = defaultdict(set)
    for importer in project.table.project_modules:
        for target in project.table.imported_by(importer):
            importers[target].add(importer)

    def read(relative: str) -> str | None:
        data = project.source(relative)
        return None if data is None else data.decode("utf-8", errors="replace")

    def file_of(module: str) -> str | None:
        return project.relative(module)[1] if module in project.files else None

    purity = {name for spec in config.contracts if spec.type == "purity"
              for name in spec.options.get("modules", ())}
    names = {m.name for m in project.inventory.modules}
    contract_modules = tuple(sorted((purity | ({"contracts"} & names)) & names))
    fields, lookup = _definition_class(project, read, file_of)
    return RewriteContext(
        violations=violations, layout=project.layout, inventory=project.inventory,
        read=read, file_of=file_of, contract_modules=contract_modules,
        modules=frozenset(project.files), importers=dict(importers),
        definition_class=config.definitions.class_name, definition_fields=fields,
        provider_lookup=lookup,
        modules_package=config.modules_package,
    )


def _definition_class(project: Project, read, file_of) -> tuple[dict[str, str], str | None]:
    """The fields of the class the definition files instantiate, with their annotations,
    and the kernel module with a ``get_provider`` lookup, if any."""
    class_name = project.config.definitions.class_name
    fields: dict[str, str] = {}
    lookup = None
    for module in sorted(project.files):
        if project.layout.owner_of(module).kind != OwnerKind.KERNEL:
            continue
        file = file_of(module)
        text = read(file) if file else None
        if not text or (f"class {class_name}" not in text and "def get_provider" not in text):
            continue
        tree = parse_text(text)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                fields.update({s.target.id: ast.unparse(s.annotation) for s in node.body
                               if isinstance(s, ast.AnnAssign)
                               and isinstance(s.target, ast.Name)})
            elif isinstance(node, ast.FunctionDef) and node.name == "get_provider":
                lookup = module
    return fields, lookup


class Validator:
    """Judges the dependencies a proposal adds, with the requirements it declares."""

    def __init__(self, contracts: list[Contract], layout: Layout) -> None:
        self.contracts = [c for c in contracts if c.judges_dependencies]
        self.layout = layout

    def owner(self, name: str, requires: dict[str, set[str]]) -> Owner:
        owner = self.layout.modules.get(name) or self.layout.owner_of(name)
        extra = requires.get(owner.name)
        return replace(owner, requires=owner.requires | extra) if extra else owner

    def conflicts(self, proposal: Proposal) -> tuple[Conflict, ...]:
        requires: dict[str, set[str]] = defaultdict(set)
        for requirement in proposal.changes.requires:
            requires[requirement.module].add(requirement.required)
        found: list[Conflict] = []
        for edge in proposal.changes.adds:
            source, target = self.owner(edge.source, requires), self.owner(edge.target, requires)
            for contract in self.contracts:
                reason = contract.forbids(source, target)
                if reason is not None:
                    found.append(Conflict(contract.id, edge, reason))
        for requirement in proposal.changes.requires:
            path = self._requires_path(requirement.required, requirement.module, requires)
            if path:
                found.append(Conflict(REQUIRES_CYCLE, Edge(requirement.module,
                                                           requirement.required),
                                      "requires would go round: "
                                      + " → ".join([requirement.module, *path])))
        return tuple(found)

    def _requires_path(self, start: str, goal: str,
                       extra: dict[str, set[str]]) -> list[str] | None:
        frontier, seen = [[start]], {start}
        while frontier:
            path = frontier.pop(0)
            if path[-1] == goal:
                return path
            owner = self.layout.modules.get(path[-1])
            following = (owner.requires if owner else frozenset()) | extra.get(path[-1], set())
            for name in sorted(following - seen):
                seen.add(name)
                frontier.append([*path, name])
        return None

    def validate(self, proposal: Proposal) -> Proposal:
        alternatives = tuple(self.validate(a) for a in proposal.alternatives)
        return replace(proposal, conflicts=self.conflicts(proposal), alternatives=alternatives)


def propose(project: Project, result: CheckResult) -> ProposalSet:
    """A proposal for the check's violations, recipe by recipe, each validated."""
    unique: dict[str, Violation] = {}
    for violation in result.violations:
        unique.setdefault(violation.fingerprint, violation)
    violations = tuple(sorted(unique.values(), key=lambda v: (v.file, v.line)))
    context = rewrite_context(project, violations)
    validator = Validator([build_contract(spec, project.layout)
                           for spec in project.config.contracts], project.layout)
    open_violations = list(violations)
    proposals: list[Proposal] = []
    rejections: list[Rejection] = []
    for recipe_class in RECIPES.values():
        if not open_violations:
            break
        for found in recipe_class().propose(context, tuple(open_violations)):
            if isinstance(found, Rejection):
                rejections.append(found)
                continue
            validated = validator.validate(found)
            if not validated.chosen().valid:
                proposals.append(validated)
                continue
            proposals.append(validated)
            chosen = validated.chosen()
            for qualname in chosen.plan.get("moved", ()):  # type: ignore[union-attr]
                context.moved.setdefault(str(chosen.plan["file"]), set()).add(qualname)
            removed = set(chosen.changes.removes)
            open_violations = [v for v in open_violations if v.fingerprint not in removed]
    order = {v.fingerprint: index for index, v in enumerate(violations)}
    proposals.sort(key=lambda p: min(order.get(f, len(order)) for f in p.violations))
    return ProposalSet(tuple(proposals), tuple(rejections))
