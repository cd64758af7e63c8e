"""The declared architecture, as read from a configuration file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from archguard.domain.imports import ImportKind

#: Kinds that count against contracts unless the configuration says otherwise.
DEFAULT_COUNTED_KINDS: tuple[ImportKind, ...] = (ImportKind.MODULE, ImportKind.LAZY,
                                                 ImportKind.STRING)
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: Keys of a module declaration that can be read from its ``definition.py`` instead.
DEFINITION_KEYS: tuple[str, ...] = ("category", "requires")
ANY = "*"


class Indirect(StrEnum):
    """Which chains of imports a contract follows from a module to a module it may not
    depend on: ``a -> b -> c`` makes ``a`` depend on ``c``."""

    #: Through kernel packages and uncategorised project code: the default. A chain through
    #: another module has a link that breaks a contract of its own, or goes through a module
    #: the architecture allows that dependency; that link is the one to change, and it is
    #: reported where it is.
    KERNEL = "kernel"
    #: Through any project code (lint-imports' ``allow_indirect_imports = False``): every
    #: chain the contract forbids, whatever modules it passes, with each link's file:line.
    ANY = "any"
    #: Direct imports only (lint-imports' ``allow_indirect_imports = True``).
    NONE = "none"


@dataclass(frozen=True)
class ModuleDeclaration:
    """A module as the configuration declares it. ``None`` means "not said here"."""

    name: str
    category: str | None = None
    requires: tuple[str, ...] | None = None
    code: str | None = None
    purpose: str = ""
    line: int | None = None


@dataclass(frozen=True)
class DefinitionReading:
    """How to read a module's ``definition.py`` statically, and which keys to take from it."""

    enabled: bool = True
    file: str = "definition.py"
    variable: str = "{package}_module"
    class_name: str = "ModuleDefinition"
    category_flags: tuple[tuple[str, str], ...] = (("is_core", "core"), ("is_internal", "internal"))
    default_category: str | None = "optional"
    read: tuple[str, ...] = DEFINITION_KEYS

    def variable_for(self, package: str) -> str:
        return self.variable.format(package=package)


@dataclass(frozen=True)
class Ignore:
    """A known dependency that contracts must not report, with the reason it is accepted."""

    importer: str
    imported: str
    reason: str
    contracts: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class ContractSpec:
    """A contract as configured. ``options`` holds the keys specific to its ``type``."""

    id: str
    type: str
    name: str
    severity: str = "error"
    count: tuple[str, ...] | None = None
    indirect: Indirect = Indirect.KERNEL
    ignores: tuple[Ignore, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    #: Why the contract exists, as the configuration says (``description``).
    description: str = ""


@dataclass(frozen=True)
class SmokeCommand:
    """A command that proves the application still runs."""

    name: str
    command: str
    timeout: float | None = None


@dataclass(frozen=True)
class RuntimeSpec:
    """How the application starts, for removal simulation."""

    entry_points: tuple[str, ...] = ()
    #: Imported at start-up for every module that is loaded (its requirements present).
    discovered: tuple[str, ...] = ()
    #: Imported at start-up for every module present on disk, loaded or not (a registry
    #: reading each module's definition to decide).
    scanned: tuple[str, ...] = ()
    smoke: tuple[SmokeCommand, ...] = ()
    timeout: float = 60.0


@dataclass(frozen=True)
class LoaderRule:
    """A function that loads code named by a string argument: ``import_string("a.b.C")``.

    ``function`` is dotted (matched against what the call resolves to through the file's
    imports) or a bare name (matched by the called name). The string is positional argument
    ``argument`` or keyword ``keyword``; ``form`` says how it names code (see
    :mod:`archguard.domain.references`); ``submodule`` is the module of an app an
    ``app_label`` reaches (``models``).
    """

    function: str
    form: str
    argument: int = 0
    keyword: str | None = None
    submodule: str | None = None


@dataclass(frozen=True)
class StringsSpec:
    """Finding dependencies made by strings: extra loader functions, app labels, settings."""

    enabled: bool = True
    loaders: tuple[LoaderRule, ...] = ()
    #: App label → package, beyond the default (each module's package name is its label).
    app_labels: tuple[tuple[str, str], ...] = ()
    #: Labels of apps outside the project (Django's ``auth``, ``contenttypes``): a reference
    #: to one is no dependency of the project; any other unknown label is unresolved.
    external_apps: tuple[str, ...] = ()
    #: Modules whose UPPER_CASE string constants a loader may be given (``settings.NAME``).
    settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchitectureConfig:
    """Everything a configuration file declares."""

    source: Path
    root_package: str
    modules_package: str
    source_root: str = "."
    version: int = 1
    kernel: tuple[str, ...] = ()
    categories: dict[str, str] = field(default_factory=dict)
    modules: dict[str, ModuleDeclaration] = field(default_factory=dict)
    definitions: DefinitionReading = field(default_factory=DefinitionReading)
    counted_kinds: tuple[str, ...] = DEFAULT_COUNTED_KINDS
    contracts: tuple[ContractSpec, ...] = ()
    ignores: tuple[Ignore, ...] = ()
    runtime: RuntimeSpec = field(default_factory=RuntimeSpec)
    strings: StringsSpec = field(default_factory=StringsSpec)
    #: Folders (globs relative to the source root) that hold no code of the package.
    exclude: tuple[str, ...] = ()
    #: The line of each name the file gives of the project's tree, by key and name
    #: (``("kernel", "app.api")``): where a finding that the tree has no such module points.
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
