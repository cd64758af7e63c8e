"""Violations and the result of a check: data, rendered elsewhere."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

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

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated line shifts: what is imported, by whom, how; not where."""
        key = "|".join([self.contract, self.importer, self.imported, ",".join(self.names),
                        self.kind, self.statement])
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

    @property
    def kept(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class CheckResult:
    """Everything one check found."""

    project_dir: str
    contracts: tuple[ContractOutcome, ...]
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    modules_checked: int = 0
    imports_checked: int = 0
    unparsable: tuple[tuple[str, int | None, str], ...] = field(default_factory=tuple)

    @property
    def violations(self) -> list[Violation]:
        return [v for c in self.contracts for v in c.violations]
