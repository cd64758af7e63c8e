"""Imports as the checker sees them: where each statement is, what it binds, how it runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ImportKind(StrEnum):
    """How an import (or a string reference) reaches its target, from hardest to softest.

    ``module``: runs when the importer is imported; ``lazy``: runs when its function runs;
    ``string``: a dependency made by a string (``import_module``, ``relationship("X")``);
    ``type_checking``: under ``if TYPE_CHECKING:``, never runs; ``guarded``: inside a ``try``
    that catches ImportError, degrades gracefully.
    """

    MODULE = "module"
    LAZY = "lazy"
    STRING = "string"
    TYPE_CHECKING = "type_checking"
    GUARDED = "guarded"


def absolute_name(name: str, level: int, package: str) -> str | None:
    """``name`` written with ``level`` leading dots in ``package``, as an absolute name
    (``from ..models import X`` in ``a.b.c``: ``a.b.models``); None when the dots climb above
    the top-level package."""
    parts = package.split(".") if package else []
    if level > 1:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, name] if name else parts) or None


@dataclass(frozen=True)
class ImportStatement:
    """One import statement of a file, classified by where it sits.

    ``function`` is the qualified name (``Class.method``) of the function holding the
    statement, if any; ``names`` are the names the statement imports (empty for ``import a.b``).
    """

    line: int
    column: int
    end_line: int
    statement: str
    kind: ImportKind
    names: tuple[str, ...] = ()
    function: str | None = None
    bound: tuple[str, ...] = ()
    #: ``from <module> import …`` as written (``level`` leading dots); empty for ``import``.
    module: str = ""
    level: int = 0
    #: ``# archguard: ignore[contract, …] reason`` on the statement: the contract ids (empty
    #: for every contract) and the reason; None when there is no such comment.
    ignore: tuple[str, ...] | None = None
    ignore_reason: str = ""

    def source_module(self, importer: str, importer_is_package: bool) -> str | None:
        """The absolute module of a ``from … import`` statement, relative ones resolved."""
        if not self.module and not self.level:
            return None
        if not self.level:
            return self.module
        return absolute_name(self.module, self.level,
                             importer if importer_is_package else importer.rpartition(".")[0])

    def spans(self, line: int) -> bool:
        return self.line <= line <= self.end_line


@dataclass(frozen=True)
class UseSite:
    """Where an imported name is used: a function (or ``<module>``) and the lines."""

    symbol: str
    lines: tuple[int, ...]
    labels: tuple[str, ...] = ()

    def render(self) -> str:
        label = "module level" if self.symbol == "<module>" else f"{self.symbol}()"
        lines = ", ".join(f":{n}" for n in self.lines)
        text = f"{label} {lines}"
        if self.labels:
            text += " (" + ", ".join(self.labels) + ")"
        return text


class ImportTable:
    """The import graph as the checks read it: each module of the project, the modules it
    imports directly, and the lines of those imports. A module outside the project is named
    by its top-level package (``sqlalchemy``), as grimp names it."""

    #: The key under which a module's relative imports that climb above the top-level
    #: package are kept (``from ....x import y`` one level too many): no module is imported
    #: by them (Python raises ImportError), so they are no edge, but their lines are kept
    #: (and cached) to be reported.
    BEYOND_TOP = ""

    def __init__(self, imports: dict[str, dict[str, list[int]]]) -> None:
        #: importer -> imported -> line numbers, for every module of the project.
        self.imports = imports
        self._importers: dict[str, list[str]] | None = None

    def __contains__(self, module: str) -> bool:
        """Whether ``module`` is a module of the project."""
        return module in self.imports

    @property
    def project_modules(self) -> list[str]:
        return sorted(self.imports)

    def imported_by(self, importer: str) -> list[str]:
        """The modules ``importer`` imports directly, sorted."""
        return sorted(m for m in self.imports.get(importer, ()) if m != self.BEYOND_TOP)

    def importers_of(self, imported: str) -> list[str]:
        """The modules of the project that import ``imported`` directly, sorted."""
        if self._importers is None:
            importers: dict[str, list[str]] = {}
            for importer in sorted(self.imports):
                for module in self.imports[importer]:
                    importers.setdefault(module, []).append(importer)
            self._importers = importers
        return self._importers.get(imported, [])

    def beyond_top(self, importer: str) -> list[int]:
        """The lines of ``importer``'s relative imports that climb above the top-level
        package."""
        return self.imports.get(importer, {}).get(self.BEYOND_TOP, [])

    def lines(self, importer: str, imported: str) -> list[int]:
        """The lines on which ``importer`` imports ``imported``."""
        return self.imports.get(importer, {}).get(imported, [])
