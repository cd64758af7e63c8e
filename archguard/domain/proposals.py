"""Proposals: for a group of violations, the rewrite that removes them, what it changes in
the dependencies between modules, and whether the contracts still hold afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Safety(StrEnum):
    """How far archguard trusts a rewrite it can write.

    ``safe``: written by ``archguard fix --write``; behaviour is unchanged while every module
    is installed. ``review``: written only with ``--unsafe``; behaviour changes where a
    module is missing (that is the point), or code moves between files. ``manual``: no
    mechanical rewrite; the proposal says what a person has to do.
    """

    SAFE = "safe"
    REVIEW = "review"
    MANUAL = "manual"


@dataclass(frozen=True)
class Edge:
    """A dependency between two modules (or a module and a kernel package), and why."""

    source: str
    target: str
    reason: str = ""

    def render(self) -> str:
        return f"{self.source} → {self.target}"


@dataclass(frozen=True)
class Requirement:
    """``module`` declares ``requires: [required]`` (in its definition.py or the YAML)."""

    module: str
    required: str


@dataclass(frozen=True)
class Changes:
    """What a rewrite does to the module graph: the violating references it removes (by
    fingerprint), the dependencies it adds, and the requirements it declares."""

    removes: tuple[str, ...] = ()
    adds: tuple[Edge, ...] = ()
    requires: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A contract the rewrite would break: the contract, the dependency, and why."""

    contract: str
    edge: Edge
    reason: str

    def render(self) -> str:
        because = f" ({self.edge.reason})" if self.edge.reason else ""
        return f"breaks {self.contract}: {self.reason}{because}"


@dataclass(frozen=True)
class Proposal:
    """One rewrite for a group of violations.

    ``group`` names the dependency it removes as the seed's "what to move where" table does
    (``tenancy/services/store_service.py → marketplace, catalog``). ``summary`` is the one
    line shown under a violation's table; ``steps`` what the rewrite does, in order.
    ``violations`` are the fingerprints it removes. ``conflicts`` are filled in by
    validation: a proposal with conflicts is shown with them, and its ``alternatives``
    (validated the same way) are offered instead.
    """

    recipe: str
    group: str
    summary: str
    violations: tuple[str, ...]
    changes: Changes
    safety: Safety = Safety.MANUAL
    steps: tuple[str, ...] = ()
    #: Files (relative to the project) the rewrite writes or creates.
    files: tuple[str, ...] = ()
    #: Recipe-specific parameters the codemods of ``archguard fix`` need.
    plan: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    conflicts: tuple[Conflict, ...] = ()
    alternatives: tuple[Proposal, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.conflicts

    @property
    def fixable(self) -> bool:
        return self.safety != Safety.MANUAL

    def chosen(self) -> Proposal:
        """This proposal if it holds, else the first alternative that does, else this one."""
        if self.valid:
            return self
        return next((a for a in self.alternatives if a.valid), self)

    def with_conflicts(self, conflicts: tuple[Conflict, ...]) -> Proposal:
        return replace(self, conflicts=conflicts)


@dataclass(frozen=True)
class Rejection:
    """A recipe that was considered for some violations and does not apply, and why
    (``type-checking-only`` for a name FastAPI reads from a route's signature)."""

    recipe: str
    violations: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ProposalSet:
    """Every proposal for one check's violations, in the order they are shown, with the
    recipes that were considered and do not apply."""

    proposals: tuple[Proposal, ...] = ()
    rejections: tuple[Rejection, ...] = ()

    def for_violation(self, fingerprint: str) -> Proposal | None:
        """The proposal shown for a violation: one that holds, if any does."""
        found = [p for p in self.proposals if fingerprint in p.chosen().violations]
        return next((p for p in found if p.chosen().valid), found[0] if found else None)

