"""The architecture audit: the two questions a modular monolith's team asks, answered from
the code, with the evidence behind each answer.

An :class:`AuditReport` holds what ``archguard audit`` found; the reporting package writes
it as Markdown, HTML or JSON. Nothing here reads a project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from archguard.domain.inventory import Finding
from archguard.domain.proposals import ProposalSet
from archguard.domain.simulation import Scenario
from archguard.domain.violations import CheckResult


class Status(StrEnum):
    """How a rule of "what works" stands."""

    OK = "ok"
    BROKEN = "broken"
    #: The project has nothing the rule is about (no middleware, say).
    ABSENT = "absent"


@dataclass(frozen=True)
class Evidence:
    """A place in the project that shows a rule kept or broken."""

    text: str
    file: str | None = None
    line: int | None = None

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class RuleCheck:
    """One aspect of "what already works", checked from the code."""

    aspect: str
    rule: str
    status: Status
    #: One line: what was found.
    details: str
    #: Where it fails (or, when it holds, where it is done).
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One of the two questions, answered yes or no with the one line that says why."""

    question: str
    yes: bool
    line: str


@dataclass(frozen=True)
class KeyFinding:
    ok: bool
    text: str
    critical: bool = False


@dataclass(frozen=True)
class ModuleRow:
    """A module as the categorisation table shows it."""

    name: str
    code: str
    category: str
    purpose: str
    requires: tuple[str, ...]
    #: Optional modules it imports (by the kinds the policy counts), whether or not declared.
    optional_dependencies: tuple[str, ...]
    #: Those of them its category may not depend on, or it does not declare.
    violating_dependencies: tuple[str, ...] = ()
    violations: int = 0


@dataclass(frozen=True)
class GraphNode:
    name: str
    #: The module's code as its definition declares it (``dev-tools``).
    label: str
    category: str
    violations: int = 0


@dataclass(frozen=True)
class GraphImport:
    """One import behind a graph edge."""

    file: str
    line: int
    statement: str
    kind: str
    function: str | None = None
    violating: bool = False
    contract: str | None = None


@dataclass(frozen=True)
class GraphEdge:
    """Every counted import from one module into another."""

    source: str
    target: str
    #: How many imports (statements and references) make the edge.
    count: int
    #: How many of them break a contract; the edge is drawn red when any does.
    violations: int = 0
    contracts: tuple[str, ...] = ()
    imports: tuple[GraphImport, ...] = ()
    #: How many of the imports are of each kind (``module``, ``lazy``, ``string`` …).
    kinds: tuple[tuple[str, int], ...] = ()

    @property
    def violating(self) -> bool:
        return self.violations > 0


@dataclass(frozen=True)
class ModuleGraph:
    """Modules and the dependencies between them. Categories are listed in the order the
    configuration declares them; the first (core, by convention) is the foundation the
    graph is drawn on."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class PairProgress:
    """One module pair's violations in the other tree and in this one."""

    source: str
    target: str
    before: int
    after: int


@dataclass(frozen=True)
class Progress:
    """One tree against another, the earlier state first: what changed."""

    #: The names the two trees are shown by (a directory, or a git ref).
    before: str
    after: str
    pairs: tuple[PairProgress, ...]
    violations_before: int
    violations_after: int
    self_contained_before: tuple[str, ...]
    self_contained_after: tuple[str, ...]
    removable_before: tuple[str, ...]
    removable_after: tuple[str, ...]
    proposals_before: int
    proposals_after: int
    #: Dependency groups proposed for in the other tree and gone from this one.
    proposals_done: tuple[str, ...] = ()
    proposals_left: tuple[str, ...] = ()
    answers_before: tuple[Answer, ...] = ()
    answers_after: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class AuditReport:
    """What ``archguard audit`` found in one project."""

    project: str
    answers: tuple[Answer, ...]
    key_findings: tuple[KeyFinding, ...]
    works: tuple[RuleCheck, ...]
    result: CheckResult
    modules: tuple[ModuleRow, ...]
    graph: ModuleGraph
    #: Each optional module removed alone, then all of them together.
    removals: tuple[Scenario, ...]
    proposals: ProposalSet
    #: Structure conventions and disagreements between configuration and definitions.
    findings: tuple[Finding, ...] = ()
    #: Whether the removals were proven by running the app on temporary copies.
    ran: bool = False
    progress: Progress | None = None
    modules_package: str = ""
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def agreement(self) -> tuple[int, int] | None:
        """With ``ran``: the scenarios whose observation agreed with the prediction, of all."""
        if not self.ran:
            return None
        judged = [s for s in self.removals if s.agreed is not None]
        return sum(1 for s in judged if s.agreed), len(judged)
