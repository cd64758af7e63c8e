"""Violations and the result of a check: data, rendered elsewhere."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from archguard.domain.imports import UseSite
from archguard.domain.inventory import Finding


@dataclass(frozen=True)
class Violation:
    """One import statement that breaks one contract."""

    contract: str
    severity: str
    message: str
    source_module: str
    source_category: str | None
    target_module: str
    target_category: str | None
    file: str
    line: int
    column: int
    importer: str
    imported: str
    names: tuple[str, ...]
    statement: str
    kind: str
    used_in: tuple[UseSite, ...] = ()
    chain: tuple[str, ...] = ()
    #: The function holding the statement, if any (part of the fingerprint).
    function: str | None = None
    #: For a string reference (kind ``string``): the call that makes it, as written
    #: (``relationship('MarketplaceImportJob')``); None for an import statement.
    reference: str | None = None
    #: Which of several identical statements in one scope this is, in line order.
    occurrence: int = 0
    baselined: bool = False

    @property
    def fingerprint_key(self) -> str:
        return "|".join([self.contract, self.importer, self.function or "", self.imported,
                         ",".join(self.names), self.kind, self.statement])

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated line shifts: what is imported, by whom, in which function,
        how; never the line."""
        key = f"{self.fingerprint_key}#{self.occurrence}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def pair(self) -> tuple[str, str]:
        return self.source_module, self.target_module


@dataclass(frozen=True)
class ContractOutcome:
    """A contract and the violations found for it."""

    id: str
    name: str
    type: str
    severity: str
    violations: tuple[Violation, ...] = ()
    #: For contracts that judge files rather than imports (``structure``).
    problems: tuple[Finding, ...] = ()
    #: Why the contract exists, as its configuration says.
    description: str = ""

    @property
    def new_violations(self) -> tuple[Violation, ...]:
        """Violations not listed in the baseline."""
        return tuple(v for v in self.violations if not v.baselined)

    @property
    def kept(self) -> bool:
        """No violation beyond the baseline's, and no structural problem."""
        return not self.new_violations and not self.problems


@dataclass(frozen=True)
class CheckResult:
    """Everything one check found."""

    project_dir: str
    contracts: tuple[ContractOutcome, ...]
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    modules_checked: int = 0
    imports_checked: int = 0
    #: String references resolved to one module and judged by the contracts.
    references_checked: int = 0
    #: The package's Python files not read, as ``(path relative to the source root,
    #: reason)``: excluded by ``project.exclude``, not reachable by any import, a link to a
    #: folder that holds it, or a file that cannot be read (also among ``errors``).
    left_out: tuple[tuple[str, str], ...] = ()
    #: Baseline entries that match no violation any more (fixed since).
    stale: tuple[dict[str, Any], ...] = ()
    baseline_file: str | None = None

    @property
    def violations(self) -> list[Violation]:
        return [v for c in self.contracts for v in c.violations]
