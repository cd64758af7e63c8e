"""Small random modular platforms that really run, for testing ``archguard simulate``.

``make_platform(root, rng)`` writes a project below ``root``:

- ``app/main.py`` discovers the modules like a registry: it imports every
  ``app/modules/<name>/definition.py`` (``runtime.scanned``), skips the modules whose
  ``requires`` are missing or skipped (the removal cascades), and imports ``models`` and
  ``services`` of every loaded module (``runtime.discovered``);
- ``app/core/`` is the kernel: one SQLAlchemy declarative ``Base`` and ``ModuleDefinition``;
- 4 to 9 modules of 2 to 6 files each, split into core and optional ones, whose files
  reference each other with every kind archguard tells apart: module-level imports, lazy
  imports inside ``use_*`` functions, ``if TYPE_CHECKING:`` imports, imports guarded by
  ``except ImportError``, and SQLAlchemy ``relationship("Class")`` strings;
- ``exercise.py`` imports ``app.main``, calls every ``use_*`` function of every loaded
  module's services, configures the mappers, prints a traceback for each failure and exits 1
  if anything failed;
- ``archguard.yaml``: categories, modules, one ``category_layering`` contract and the
  ``runtime`` section (entry point, scanned and discovered patterns, the exercise smoke).

The shapes keep what happens without a set of modules a matter of the source alone, so
``PlatformSpec.expect`` can tell it from the spec:

- module-level imports (and guarded ones) run at import time and always name a file of a
  module of lower rank, or an earlier file of the same module, so nothing is circular;
- a module's files are ordered helpers < models < services; helpers import nothing of the
  project, so a lazy or guarded import (which may name any module's helper) runs no other
  project code; no file imports another module's services, so the services imported at
  start-up are exactly those of the loaded modules, whose ``use_*`` functions are what the
  exercise calls, and lazy imports sit only there;
- a ``use_*`` function can fail only on its lazy import of a removed module's helper;
- every ``relationship("X")`` of a platform names one class, ``X``, which holds a foreign
  key to each holder's table (so ``X``'s file imports the holders' files at module level):
  ``configure_mappers()`` stops at its first failure, and with one target class that first
  failure names the only class that can fail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

MODULE_NAMES = (
    "accounts", "analytics", "billing", "booking", "cart", "catalog", "checkout", "cms",
    "customers", "delivery", "inventory", "invoicing", "loyalty", "marketplace", "messaging",
    "orders", "payments", "pricing", "promotions", "reviews", "shipping", "tenancy",
)
NOUNS = (
    "account", "batch", "channel", "coupon", "credit", "entry", "invoice", "item", "job",
    "label", "line", "member", "note", "offer", "page", "plan", "price", "profile", "rate",
    "record", "rule", "slot", "tag", "ticket", "token", "unit", "variant", "voucher",
)
HELPER_STEMS = ("utils", "schemas", "events", "tasks")
KINDS = ("module", "lazy", "type_checking", "guarded", "string")
KERNEL_FILES = (
    "app/__init__.py",
    "app/main.py",
    "app/core/__init__.py",
    "app/core/db.py",
    "app/core/module_definition.py",
    "app/modules/__init__.py",
)

KERNEL_SOURCES = {
    "app/__init__.py": '"""A small generated modular platform."""\n',
    "app/core/__init__.py": '"""The kernel: what every module may use."""\n',
    "app/modules/__init__.py": '"""The modules: each sub-package is one module."""\n',
    "app/core/db.py": '''"""The declarative base every model shares."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base class of every model of the platform."""
''',
    "app/core/module_definition.py": '''"""What a module declares in its ``definition.py``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModuleDefinition:
    """Declaration of one module: the registry loads it only when all it requires is."""

    code: str
    name: str
    description: str = ""
    is_core: bool = False
    is_internal: bool = False
    requires: list[str] = field(default_factory=list)

    @property
    def package(self) -> str:
        """Python package name of the module."""
        return self.code.replace("-", "_")
''',
    "app/main.py": '''"""Start-up: discover the modules like a registry, import what they provide.

Every ``app/modules/<name>/definition.py`` is imported; a module is loaded only when every
module it ``requires`` is loaded, otherwise it lands in ``SKIPPED`` with the reason. The
``models`` and ``services`` of each loaded module are then imported.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from app.core.module_definition import ModuleDefinition

logger = logging.getLogger(__name__)

MODULES_DIR = Path(__file__).resolve().parent / "modules"
DISCOVERED = ("models", "services")


def discover_definitions() -> dict[str, ModuleDefinition]:
    """Import every module's ``definition.py``; the definitions by code."""
    found: dict[str, ModuleDefinition] = {}
    for entry in sorted(MODULES_DIR.iterdir()):
        if entry.name.startswith(("_", ".")) or not (entry / "definition.py").is_file():
            continue
        definition_module = importlib.import_module(f"app.modules.{entry.name}.definition")
        definition = getattr(definition_module, f"{entry.name}_module")
        found[definition.code] = definition
    return found


def resolve_loadable(
    discovered: dict[str, ModuleDefinition],
) -> tuple[dict[str, ModuleDefinition], dict[str, str]]:
    """Loaded modules, and skipped ones with the reason: a removal cascades along requires."""
    skipped: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for code, definition in discovered.items():
            if code in skipped:
                continue
            for required in definition.requires:
                if required not in discovered:
                    skipped[code] = f"requires {required!r}, which is not installed"
                elif required in skipped:
                    skipped[code] = f"requires {required!r}, which was skipped"
                else:
                    continue
                changed = True
                break
    loaded = {code: d for code, d in discovered.items() if code not in skipped}
    for code, reason in skipped.items():
        logger.warning("module %s skipped: %s", code, reason)
    return loaded, skipped


def import_discovered(loaded: dict[str, ModuleDefinition]) -> None:
    """Import what each loaded module provides by convention."""
    for definition in loaded.values():
        folder = MODULES_DIR / definition.package
        for part in DISCOVERED:
            if (folder / f"{part}.py").is_file() or (folder / part / "__init__.py").is_file():
                importlib.import_module(f"app.modules.{definition.package}.{part}")


MODULES, SKIPPED = resolve_loadable(discover_definitions())
import_discovered(MODULES)
''',
}

EXERCISE = '''"""Exercise the platform: start it, call every use_* function of every loaded module's
services, configure the mappers. Prints a traceback for every failure; exits 1 if any."""

from __future__ import annotations

import sys
import traceback

import app.main
from sqlalchemy.orm import configure_mappers


def main() -> int:
    failures = 0
    calls = 0
    for definition in app.main.MODULES.values():
        name = f"app.modules.{definition.package}.services"
        services = sys.modules.get(name)
        if services is None:
            continue
        for attribute, value in sorted(vars(services).items()):
            if not attribute.startswith("use_") or not callable(value):
                continue
            if getattr(value, "__module__", None) != name:
                continue
            calls += 1
            try:
                value()
            except Exception:
                traceback.print_exc()
                failures += 1
    try:
        configure_mappers()
    except Exception:
        traceback.print_exc()
        failures += 1
    print(f"{len(app.main.MODULES)} modules loaded, {len(app.main.SKIPPED)} skipped, "
          f"{calls} functions called, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
'''


# -- the spec --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantedImport:
    """One reference from a file to another module's file (or to a file of its own module).

    ``kind`` is one of KINDS. ``file``/``line`` are where the reference is (the import
    statement, or the ``relationship("X")`` line); ``target`` is the dotted module imported,
    or the class name for a string; ``target_file`` is the file defining what is named;
    ``function`` is the enclosing function of a lazy import.
    """

    kind: str
    file: str
    line: int
    module: str
    target_module: str
    target: str
    target_file: str
    name: str
    function: str | None = None


@dataclass
class ModuleSpec:
    """One module: category, requires, rank (module-level imports go to lower ranks), files."""

    name: str
    category: str
    rank: int
    requires: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)
    models: str | None = None
    services: str | None = None
    classes: dict[str, str] = field(default_factory=dict)
    functions: list[str] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"app/modules/{self.name}"


@dataclass
class Expectation:
    """What happens without ``removed``, told from the spec alone."""

    removed: tuple[str, ...]
    loaded: set[str]
    cascade: set[str]
    imported: set[str]
    crash_sites: set[tuple[str, int]]
    lazy: set[tuple[str, str]]
    lazy_sites: set[tuple[str, int]]
    strings: set[str]
    safe: set[tuple[str, int]]

    @property
    def import_crash(self) -> bool:
        return bool(self.crash_sites)


@dataclass
class PlatformSpec:
    """A generated platform: where it is, its modules, and every reference planted in it."""

    root: Path
    modules: dict[str, ModuleSpec]
    imports: list[PlantedImport]
    string_target: str | None
    definitions_enabled: bool
    config: Path

    def module_names(self) -> list[str]:
        return sorted(self.modules)

    @property
    def string_target_module(self) -> str | None:
        """The module defining the class every ``relationship("X")`` names."""
        return next((m.name for m in self.modules.values()
                     if self.string_target in m.classes), None)

    def of_kind(self, kind: str) -> list[PlantedImport]:
        return [i for i in self.imports if i.kind == kind]

    def loadable(self, present: set[str]) -> set[str]:
        """The registry's cascade: modules whose requires are all present and loaded."""
        skipped: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name in sorted(present - skipped):
                if any(r not in present or r in skipped for r in self.modules[name].requires):
                    skipped.add(name)
                    changed = True
        return present - skipped

    def expect(self, removed: tuple[str, ...] | list[str]) -> Expectation:
        removed = tuple(sorted(removed))
        present = set(self.modules) - set(removed)
        loaded = self.loadable(present)
        gone = {f for m in removed for f in self.modules[m].files}
        at_import = {}
        for planted in self.imports:
            if planted.kind in ("module", "guarded"):
                at_import.setdefault(planted.file, []).append(planted)

        roots = list(KERNEL_FILES)
        roots += [f"{self.modules[m].folder}/definition.py" for m in sorted(present)]
        for name in sorted(loaded):
            module = self.modules[name]
            roots += [f for f in (module.models, module.services) if f]
        imported: set[str] = set()
        crash_sites: set[tuple[str, int]] = set()
        safe: set[tuple[str, int]] = set()
        stack = list(reversed(roots))
        while stack:
            path = stack.pop()
            if path in imported:
                continue
            imported.add(path)
            for parent in _parent_inits(path):
                if parent not in imported:
                    stack.append(parent)
            for planted in at_import.get(path, []):
                if planted.target_file in gone:
                    if planted.kind == "module":
                        crash_sites.add((planted.file, planted.line))
                elif planted.target_file not in imported:
                    stack.append(planted.target_file)

        for planted in self.imports:
            if planted.kind in ("type_checking", "guarded") and planted.target_file in gone \
                    and planted.file not in gone:
                safe.add((planted.file, planted.line))

        lazy: set[tuple[str, str]] = set()
        lazy_sites: set[tuple[str, int]] = set()
        strings: set[str] = set()
        if not crash_sites:
            services = {self.modules[m].services for m in loaded}
            for planted in self.of_kind("lazy"):
                if planted.file in services and planted.target_file in gone:
                    lazy.add((planted.file, planted.function or ""))
                    lazy_sites.add((planted.file, planted.line))
            for planted in self.of_kind("string"):
                if planted.file in imported and planted.target_file not in imported:
                    strings.add(planted.name)
        return Expectation(removed, loaded, present - loaded, imported, crash_sites, lazy,
                           lazy_sites, strings, safe)

    def describe(self) -> str:
        """One line per module, for assertion messages."""
        lines = []
        for name in sorted(self.modules, key=lambda n: self.modules[n].rank):
            module = self.modules[name]
            files = ", ".join(f.rsplit("/", 1)[-1] if "/models/" not in f else
                              "models/" + f.rsplit("/", 1)[-1] for f in module.files)
            lines.append(f"{name} ({module.category}, rank {module.rank}, requires "
                         f"{module.requires}): {files}")
        if self.string_target:
            lines.append(f'relationship target: "{self.string_target}"')
        return "\n".join(lines)


def _parent_inits(path: str) -> list[str]:
    """The ``__init__.py`` files Python imports before ``path`` (its packages, outermost first)."""
    parts = path.split("/")[:-1]
    inits = ["/".join(parts[:i]) + "/__init__.py" for i in range(1, len(parts) + 1)]
    return [p for p in inits if p != path]


def _dotted(path: str) -> str:
    dotted = path[:-3].replace("/", ".")
    return dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


# -- building --------------------------------------------------------------------------------


@dataclass
class _Ref:
    """A name imported from a file: the file, the dotted module to import it from, the name."""

    module: str
    target_file: str
    dotted: str
    name: str
    is_class: bool


@dataclass
class _Class:
    name: str
    table: str
    foreign_keys: list[_Ref] = field(default_factory=list)
    relationship_to: str | None = None
    annotated: bool = False


@dataclass
class _Function:
    name: str
    lazy: list[_Ref] = field(default_factory=list)
    uses_module_level: bool = False
    guarded: _Ref | None = None
    typed: _Ref | None = None


@dataclass
class _File:
    path: str
    module: str
    role: str  # helper, models, model_part, models_package, services, definition, init
    order: int
    exports: list[_Ref] = field(default_factory=list)
    module_level: list[_Ref] = field(default_factory=list)
    guarded: list[_Ref] = field(default_factory=list)
    type_checking: list[_Ref] = field(default_factory=list)
    classes: list[_Class] = field(default_factory=list)
    functions: list[_Function] = field(default_factory=list)
    guard_error: str = "ImportError"


class _Builder:
    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.modules: dict[str, ModuleSpec] = {}
        self.files: dict[str, _File] = {}
        self.imports: list[PlantedImport] = []
        self.string_target: str | None = None

    # -- shape ---------------------------------------------------------------------------

    def build(self) -> PlatformSpec:
        rng = self.rng
        count = rng.randint(4, 9)
        names = rng.sample(MODULE_NAMES, count)
        core = set(rng.sample(names, max(1, min(count - 1, round(count * rng.uniform(0.3, 0.6))))))
        for rank, name in enumerate(names):
            self.modules[name] = ModuleSpec(name, "core" if name in core else "optional", rank)
        for name in names:
            self._lay_out(self.modules[name])
        self._cross_module_imports()
        self._relationships()
        self._services_functions()
        self._guarded_and_type_checking()
        self._extra_requires()
        return self._write()

    def _lay_out(self, module: ModuleSpec) -> None:
        """The module's files: 2 to 6 of __init__, definition, helpers, models, services."""
        rng = self.rng
        folder = module.folder
        self._file(module, f"{folder}/__init__.py", "init", 0)
        self._file(module, f"{folder}/definition.py", "definition", 1)
        budget = rng.randint(0, 4)
        has_models = budget > 0 and rng.random() < 0.85
        has_services = budget - has_models > 0 and rng.random() < 0.9
        spare = budget - has_models - has_services
        helpers = rng.sample(HELPER_STEMS, rng.randint(min(1, spare), min(2, spare)))
        spare -= len(helpers)
        nouns = rng.sample(NOUNS, 3)
        for stem in sorted(helpers):
            path = f"{folder}/{stem}.py"
            self._file(module, path, "helper", 2)
            module.helpers.append(path)
            self._export(path, f"{module.name}_{stem}_label", is_class=False)
        if has_models:
            if spare >= 1 and rng.random() < 0.4:
                parts = nouns[: min(spare, 2)]
                for position, noun in enumerate(parts):
                    path = f"{folder}/models/{noun}.py"
                    self._file(module, path, "model_part", 3 + position)
                    self._model_class(module, path, noun)
                init = f"{folder}/models/__init__.py"
                self._file(module, init, "models_package", 5)
                for noun in parts:
                    part = self.files[f"{folder}/models/{noun}.py"]
                    for ref in part.exports:
                        self.files[init].module_level.append(ref)
                        self._export(init, ref.name, is_class=True, defined_in=ref.target_file)
                module.models = init
            else:
                path = f"{folder}/models.py"
                self._file(module, path, "models", 3)
                for noun in nouns[: rng.randint(1, 2)]:
                    self._model_class(module, path, noun)
                module.models = path
        if has_services:
            path = f"{folder}/services.py"
            self._file(module, path, "services", 9)
            module.services = path

    def _file(self, module: ModuleSpec, path: str, role: str, order: int) -> _File:
        handle = _File(path, module.name, role, order)
        self.files[path] = handle
        module.files.append(path)
        return handle

    def _export(self, path: str, name: str, *, is_class: bool,
                defined_in: str | None = None) -> None:
        handle = self.files[path]
        handle.exports.append(_Ref(handle.module, defined_in or path, _dotted(path), name,
                                   is_class))

    def _model_class(self, module: ModuleSpec, path: str, noun: str) -> None:
        name = _camel(module.name) + _camel(noun)
        self.files[path].classes.append(_Class(name, f"{module.name}_{noun}"))
        module.classes[name] = path
        self._export(path, name, is_class=True)

    # -- references ----------------------------------------------------------------------

    def _lower(self, module: ModuleSpec) -> list[ModuleSpec]:
        return [m for m in self.modules.values() if m.rank < module.rank]

    def _importable_refs(self, module: ModuleSpec) -> list[_Ref]:
        """Names another module may import at module level: its helpers' and models'."""
        refs = []
        for path in module.helpers:
            refs += self.files[path].exports
        for path in module.files:
            if self.files[path].role in ("models", "model_part", "models_package"):
                refs += self.files[path].exports
        return refs

    def _declare(self, importer: ModuleSpec, target: ModuleSpec, chance: float) -> None:
        if target.name not in importer.requires and self.rng.random() < chance:
            importer.requires.append(target.name)

    def _cross_module_imports(self) -> None:
        """Module-level imports of lower-ranked modules' helpers and models."""
        rng = self.rng
        for module in self.modules.values():
            importers = [self.files[p] for p in module.files
                         if self.files[p].role in ("models", "model_part", "services")]
            lower = [m for m in self._lower(module) if self._importable_refs(m)]
            if not importers or not lower:
                continue
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                target = rng.choice(lower)
                if module.category == "core" and target.category != "core" \
                        and rng.random() < 0.5:
                    continue
                ref = rng.choice(self._importable_refs(target))
                importer = rng.choice(importers)
                if any(r.name == ref.name for r in importer.module_level):
                    continue
                importer.module_level.append(ref)
                self._declare(module, target, 0.55)
            definition = self.files[f"{module.folder}/definition.py"]
            with_helpers = [m for m in lower if m.helpers]
            if with_helpers and rng.random() < 0.12:
                target = rng.choice(with_helpers)
                definition.module_level.append(self.files[rng.choice(target.helpers)].exports[0])
        for module in self.modules.values():
            own = [ref for path in module.helpers for ref in self.files[path].exports]
            if module.models:
                own += list(self.files[module.models].exports)
            for path in module.files:
                handle = self.files[path]
                if handle.role == "services":
                    for ref in own:
                        if rng.random() < 0.7:
                            handle.module_level.insert(0, ref)
                elif handle.role in ("models", "model_part") and module.helpers \
                        and rng.random() < 0.3:
                    handle.module_level.insert(
                        0, self.files[rng.choice(module.helpers)].exports[0])

    def _relationships(self) -> None:
        """One target class per platform, named by relationship("X") in 1 to 3 holders of
        lower-ranked modules; X holds a foreign key to each holder's table."""
        rng = self.rng
        if rng.random() < 0.15:
            return
        candidates = []
        for module in self.modules.values():
            holders = [(m, c) for m in self._lower(module) for c in m.classes]
            targets = list(module.classes)
            if holders and targets:
                candidates.append((module, targets, holders))
        if not candidates:
            return
        module, targets, holders = rng.choice(candidates)
        target_name = rng.choice(targets)
        target_file = self.files[module.classes[target_name]]
        target_class = next(c for c in target_file.classes if c.name == target_name)
        chosen = rng.sample(holders, min(len(holders), rng.randint(1, 3)))
        self.string_target = target_name
        for holder_module, holder_name in chosen:
            holder_file = self.files[holder_module.classes[holder_name]]
            holder_class = next(c for c in holder_file.classes if c.name == holder_name)
            holder_class.relationship_to = target_name
            holder_class.annotated = rng.random() < 0.4
            if holder_class.annotated:
                holder_file.type_checking.append(
                    next(r for r in target_file.exports if r.name == target_name))
            ref = next(r for r in holder_file.exports if r.name == holder_name)
            if rng.random() < 0.5 and holder_module.models != holder_file.path:
                ref = next(r for r in self.files[holder_module.models].exports
                           if r.name == holder_name)
            target_class.foreign_keys.append(ref)
            if not any(r.name == ref.name for r in target_file.module_level):
                target_file.module_level.append(ref)
            self._declare(module, holder_module, 0.6)

    def _services_functions(self) -> None:
        """use_* functions: plain ones, and lazy imports of other modules' helpers."""
        rng = self.rng
        for module in self.modules.values():
            if not module.services:
                continue
            handle = self.files[module.services]
            others = [m for m in self.modules.values() if m is not module and m.helpers]
            taken: set[str] = set()
            for _ in range(rng.randint(1, 3)):
                if others and rng.random() < 0.6:
                    targets = rng.sample(others, min(len(others), rng.choice((1, 1, 1, 2))))
                    refs = [self.files[rng.choice(t.helpers)].exports[0] for t in targets]
                    name = "use_" + "_".join(r.name.rsplit("_", 1)[0] for r in refs)
                    function = _Function(name, lazy=refs)
                else:
                    name = f"use_{module.name}_{rng.choice(NOUNS)}"
                    function = _Function(name, uses_module_level=True)
                if name in taken:
                    continue
                taken.add(name)
                handle.functions.append(function)
                module.functions.append(name)

    def _guarded_and_type_checking(self) -> None:
        """Guarded imports of other modules' helpers, and TYPE_CHECKING imports of their
        classes, in models and services."""
        rng = self.rng
        for module in self.modules.values():
            others = [m for m in self.modules.values() if m is not module]
            for path in module.files:
                handle = self.files[path]
                if handle.role not in ("models", "model_part", "services"):
                    continue
                with_helpers = [m for m in others if m.helpers]
                if with_helpers and rng.random() < 0.35:
                    target = rng.choice(with_helpers)
                    ref = self.files[rng.choice(target.helpers)].exports[0]
                    if all(r.name != ref.name for r in handle.module_level):
                        handle.guarded.append(ref)
                        handle.guard_error = rng.choice(("ImportError", "ModuleNotFoundError"))
                        if handle.role == "services":
                            function = _Function(f"use_optional_{ref.name}", guarded=ref)
                            handle.functions.append(function)
                            module.functions.append(function.name)
                with_classes = [m for m in others if m.classes]
                if with_classes and rng.random() < 0.35:
                    target = rng.choice(with_classes)
                    name = rng.choice(sorted(target.classes))
                    ref = next(r for r in self.files[target.classes[name]].exports
                               if r.name == name)
                    if all(r.name != ref.name for r in handle.type_checking + handle.module_level):
                        handle.type_checking.append(ref)
                        if handle.role == "services":
                            function = _Function(f"use_typed_{ref.name.lower()}", typed=ref)
                            handle.functions.append(function)
                            module.functions.append(function.name)

    def _extra_requires(self) -> None:
        rng = self.rng
        for module in self.modules.values():
            lower = self._lower(module)
            if lower and rng.random() < 0.25:
                self._declare(module, rng.choice(lower), 1.0)
            module.requires.sort(key=lambda n: self.modules[n].rank)

    # -- writing -------------------------------------------------------------------------

    def _write(self) -> PlatformSpec:
        self.root.mkdir(parents=True, exist_ok=True)
        for relative, text in KERNEL_SOURCES.items():
            self._put(relative, text)
        self._put("exercise.py", EXERCISE)
        for path, handle in self.files.items():
            self._put(path, self._render(handle))
        definitions_enabled = self.rng.random() < 0.7
        config = self.root / "archguard.yaml"
        config.write_text(self._config(definitions_enabled), encoding="utf-8")
        return PlatformSpec(self.root, self.modules, sorted(self.imports, key=_position),
                            self.string_target, definitions_enabled, config)

    def _put(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def _plant(self, kind: str, handle: _File, line: int, ref: _Ref, *,
               function: str | None = None, target: str | None = None) -> None:
        self.imports.append(PlantedImport(
            kind=kind, file=handle.path, line=line, module=handle.module,
            target_module=ref.module, target=target or ref.dotted, target_file=ref.target_file,
            name=ref.name, function=function))

    def _render(self, handle: _File) -> str:
        module = self.modules[handle.module]
        out = _Lines()
        title = {"init": f"The {module.name} module.",
                 "definition": f"{_camel(module.name)} module definition.",
                 "helper": f"{_camel(module.name)} helpers.",
                 "models": f"{_camel(module.name)} models.",
                 "model_part": f"{_camel(module.name)} models.",
                 "models_package": f"{_camel(module.name)} models.",
                 "services": f"{_camel(module.name)} services."}[handle.role]
        out.add(f'"""{title}"""')
        if handle.role == "init":
            return out.text()
        out.add("", "from __future__ import annotations", "")
        if handle.type_checking:
            out.add("from typing import TYPE_CHECKING", "")
        if handle.classes:
            if any(c.foreign_keys for c in handle.classes):
                out.add("from sqlalchemy import ForeignKey, String")
            else:
                out.add("from sqlalchemy import String")
            if any(c.relationship_to for c in handle.classes):
                out.add("from sqlalchemy.orm import Mapped, mapped_column, relationship", "")
            else:
                out.add("from sqlalchemy.orm import Mapped, mapped_column", "")
            out.add("from app.core.db import Base")
        if handle.role == "definition":
            out.add("from app.core.module_definition import ModuleDefinition")
        for ref in handle.module_level:
            line = out.add(f"from {ref.dotted} import {ref.name}")
            self._plant("module", handle, line, ref)
        if handle.guarded:
            out.add("")
            for ref in handle.guarded:
                out.add("try:")
                line = out.add(f"    from {ref.dotted} import {ref.name}")
                out.add(f"except {handle.guard_error}:", f"    {ref.name} = None")
                self._plant("guarded", handle, line, ref)
        if handle.type_checking:
            out.add("", "if TYPE_CHECKING:")
            for ref in handle.type_checking:
                line = out.add(f"    from {ref.dotted} import {ref.name}")
                self._plant("type_checking", handle, line, ref)
        if handle.role == "helper":
            stem = handle.path.rsplit("/", 1)[-1][:-3]
            out.add("", "", f"def {module.name}_{stem}_label() -> str:",
                    f'    """The label of {module.name}\'s {stem}."""',
                    f'    return "{module.name}.{stem}"')
        elif handle.role == "definition":
            self._render_definition(out, module, handle)
        elif handle.role in ("models", "model_part"):
            self._render_models(out, handle)
        elif handle.role == "models_package":
            names = ", ".join(repr(r.name) for r in handle.exports)
            out.add("", f"__all__ = [{names}]")
        elif handle.role == "services":
            self._render_services(out, module, handle)
        return out.text()

    def _render_definition(self, out: _Lines, module: ModuleSpec, handle: _File) -> None:
        description = '"' + _camel(module.name) + '"'
        if handle.module_level:
            description = handle.module_level[0].name + "()"
        requires = ", ".join(f'"{r}"' for r in module.requires)
        out.add("", f"{module.name}_module = ModuleDefinition(",
                f'    code="{module.name}",',
                f'    name="{_camel(module.name)}",',
                f"    description={description},",
                f"    is_core={module.category == 'core'},",
                f"    requires=[{requires}],",
                ")")

    def _render_models(self, out: _Lines, handle: _File) -> None:
        for model in handle.classes:
            out.add("", "", f"class {model.name}(Base):",
                    f'    """{_camel(handle.module)}: one {model.table.split("_", 1)[1]}."""', "",
                    f'    __tablename__ = "{model.table}"', "",
                    "    id: Mapped[int] = mapped_column(primary_key=True)",
                    '    label: Mapped[str] = mapped_column(String(50), default="")')
            for ref in model.foreign_keys:
                column = ref.name.lower() + "_id"
                out.add(f"    {column}: Mapped[int | None] = mapped_column(",
                        f"        ForeignKey({ref.name}.__table__.c.id), nullable=True)")
            if model.relationship_to:
                target = model.relationship_to
                attribute = target.lower() + "_items"
                if model.annotated:
                    line = out.add(f'    {attribute}: Mapped[list[{target}]] = '
                                   f'relationship("{target}")')
                else:
                    line = out.add(f'    {attribute} = relationship("{target}")')
                defined = next(f for f in self.files.values()
                               if any(c.name == target for c in f.classes))
                ref = next(r for r in defined.exports if r.name == target)
                self._plant("string", handle, line, ref, target=target)
            for ref in handle.type_checking:
                if ref.name == model.relationship_to:
                    continue
                method = "related_" + ref.name.lower()
                out.add("", f"    def {method}(",
                        f"        self, other: {ref.name} | None = None",
                        f"    ) -> {ref.name} | None:",
                        '        """Another module\'s record, typed only."""',
                        "        return other")
                break
        used = [r for r in handle.module_level if r.target_file != handle.path]
        plain = [r for r in used if not any(r.name == fk.name for c in handle.classes
                                            for fk in c.foreign_keys)]
        if plain:
            out.add("", "", "RELATED = (" + ", ".join(_use(r) for r in plain) + ",)")
        for ref in handle.guarded:
            out.add(f"HAS_{ref.name.upper()} = {ref.name} is not None")

    def _render_services(self, out: _Lines, module: ModuleSpec, handle: _File) -> None:
        out.add("", f'{module.name.upper()}_SERVICE = "{module.name}"')
        for function in handle.functions:
            if function.lazy:
                out.add("", "", f"def {function.name}() -> str:",
                        '    """Uses other modules\' helpers, imported when called."""')
                for ref in function.lazy:
                    line = out.add(f"    from {ref.dotted} import {ref.name}")
                    self._plant("lazy", handle, line, ref, function=function.name)
                joined = " + ".join(f"{r.name}()" for r in function.lazy)
                out.add(f"    return {joined}")
            elif function.guarded:
                name = function.guarded.name
                out.add("", "", f"def {function.name}() -> str:",
                        '    """Uses an optional helper when it is installed."""',
                        f'    return {name}() if {name} is not None else "{name} missing"')
            elif function.typed:
                name = function.typed.name
                out.add("", "", f"def {function.name}(record: {name} | None = None) -> str:",
                        '    """Takes another module\'s record, typed only."""',
                        '    return "typed" if record is None else record.label')
            else:
                parts = [f'"{module.name}"'] + [_use(r) for r in handle.module_level]
                out.add("", "", f"def {function.name}() -> str:",
                        '    """Uses what the module imports at load."""',
                        f'    return " ".join([{", ".join(parts)}])')

    def _config(self, definitions_enabled: bool) -> str:
        lines = [
            "version: 1",
            "project: {root_package: app, modules_package: app.modules}",
            "kernel: [app.main, app.core]",
            "categories:",
            "  core: {description: Always enabled.}",
            "  optional: {description: Can be removed.}",
        ]
        if definitions_enabled:
            lines.append("definitions: {read: [category, requires]}")
        else:
            lines.append("definitions: {enabled: false}")
        lines.append("modules:")
        for name in sorted(self.modules):
            module = self.modules[name]
            if definitions_enabled:
                lines.append(f"  {name}: {{category: {module.category}}}")
            else:
                requires = ", ".join(module.requires)
                lines.append(f"  {name}: {{category: {module.category}, "
                             f"requires: [{requires}]}}")
        lines += [
            "contracts:",
            "  - id: core-not-optional",
            "    type: category_layering",
            "    source: [core]",
            "    forbidden: [optional]",
            "runtime:",
            "  entry_points: [app.main]",
            '  scanned: ["app.modules.*.definition"]',
            '  discovered: ["app.modules.*.models", "app.modules.*.services"]',
            "  smoke:",
            '    - {name: exercise, command: "python exercise.py"}',
            "  timeout: 60",
        ]
        return "\n".join(lines) + "\n"


def _use(ref: _Ref) -> str:
    return f"{ref.name}.__tablename__" if ref.is_class else f"{ref.name}()"


def _position(planted: PlantedImport) -> tuple[str, int, str]:
    return planted.file, planted.line, planted.name


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> int:
        """Append lines; the 1-based number of the first."""
        self.lines.extend(lines)
        return len(self.lines) - len(lines) + 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def make_platform(root: Path, rng: random.Random) -> PlatformSpec:
    """Write a random small platform below ``root``; its spec."""
    return _Builder(root, rng).build()
