"""The modules found in a project, what each is, and what disagrees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from archguard.domain.architecture import DefinitionReading

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
    """Modules and kernel packages of a project, with findings about their declarations.

    ``unread_folders``: the folders of the package tree that hold Python files but no
    ``__init__.py``, which no import graph reads (each is also a ``missing-init`` finding):
    what start-up imports from them cannot be followed.
    """

    project_dir: Path
    modules_package: str
    modules: tuple[Module, ...]
    kernel: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    unread_folders: tuple[Path, ...] = ()

    def by_category(self) -> dict[str | None, list[Module]]:
        grouped: dict[str | None, list[Module]] = {}
        for module in self.modules:
            grouped.setdefault(module.category, []).append(module)
        return grouped

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name == name or m.code == name), None)


@dataclass(frozen=True)
class DefinitionFacts:
    """What a ``definition.py`` declares, as far as it can be read without running it.

    A value is ``None`` when the file does not give it as a literal.
    """

    path: Path
    variable: str | None = None
    line: int | None = None
    code: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    requires: tuple[str, ...] | None = None
    requires_line: int | None = None
    functions: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def category(self, reading: DefinitionReading) -> str | None:
        """The category the flags give, in the configured order; None when unreadable."""
        if self.variable is None:
            return None
        for flag, category in reading.category_flags:
            if self.flags.get(flag):
                return category
        return reading.default_category


@dataclass(frozen=True)
class ClassSite:
    """A class statement: its file, line and name."""

    path: Path
    line: int
    name: str


class ModuleSources(Protocol):
    """What contracts that judge files may ask of a module's files, read without importing
    them."""

    def has_file(self, module: Module, relative: str) -> bool:
        """Whether ``relative`` (a path inside the module's folder) exists."""

    def definition(self, module: Module) -> DefinitionFacts | None:
        """The module's definition file read statically; None when absent or unparsable."""

    def definition_variable(self, module: Module) -> str:
        """The name the convention gives the module's definition variable."""

    def classes_deriving(self, module: Module, suffixes: Sequence[str],
                         skip_file: str) -> list[ClassSite]:
        """The classes of the module's files (but those named ``skip_file``) with a base
        whose name ends with one of ``suffixes``."""
