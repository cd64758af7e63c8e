"""The modules found in a project, what each is, and what disagrees."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Where a module's category or requires came from.
FROM_CONFIG = "config"
FROM_DEFINITION = "definition.py"


@dataclass(frozen=True)
class Module:
    """A module of the analysed project: a direct subpackage of the modules package."""

    name: str
    package: str
    path: Path
    code: str
    category: str | None
    category_source: str | None
    requires: tuple[str, ...]
    requires_source: str | None
    purpose: str = ""
    definition: Path | None = None

    @property
    def categorised(self) -> bool:
        return self.category is not None


@dataclass(frozen=True)
class Finding:
    """Something about the declared architecture that the user should see.

    ``rule`` is a stable identifier; ``path`` and ``line`` point at the place to change.
    """

    rule: str
    message: str
    path: Path | None = None
    line: int | None = None
    severity: str = "warning"

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@dataclass(frozen=True)
class Inventory:
    """Modules and kernel packages of a project, with findings about their declarations."""

    project_dir: Path
    modules_package: str
    modules: tuple[Module, ...]
    kernel: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def by_category(self) -> dict[str | None, list[Module]]:
        grouped: dict[str | None, list[Module]] = {}
        for module in self.modules:
            grouped.setdefault(module.category, []).append(module)
        return grouped

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name == name or m.code == name), None)
