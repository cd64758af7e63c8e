"""``simulate``: would the application still run without these modules?

The prediction is static. Start-up is followed the way Python runs it: from each entry
point, and each module the application discovers at start-up, through the module-level
imports (each also importing its parent packages), until an import names a removed
module. A settings module (``strings.settings``) is imported as Django starts, and Django
then imports what its settings name (``INSTALLED_APPS`` and each app's models,
``MIDDLEWARE``, ``ROOT_URLCONF``, …): start-up follows those too. What fails later (lazy
imports, string references) and what cannot fail (``TYPE_CHECKING``, imports guarded by
``except ImportError``) are listed apart. Removal cascades along ``requires``, as the
platform's registry loads modules. When start-up imports code in a folder without
``__init__.py``, which no import graph reads, the prediction is unknown, never "runs".

The observation (``--run``) is in :mod:`archguard.adapters.sandbox`; :func:`judge` compares
the two.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict, deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from archguard.application.project import Project
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import ImportKind, ImportStatement
from archguard.domain.layout import OwnerKind
from archguard.domain.patterns import matches
from archguard.domain.references import DJANGO_SETTINGS, RESOLVED
from archguard.domain.simulation import (
    Crash,
    Link,
    Observation,
    Prediction,
    RuntimeFailure,
    SafeReference,
    Scenario,
    UnreadImport,
)
from archguard.errors import ConfigError, Position, UsageError


@dataclass(frozen=True)
class Edge:
    """A dependency of a module on another: an import statement, or a string reference."""

    line: int
    target: str
    kind: ImportKind
    statement: str
    function: str | None = None
    #: For a string reference: the call (``relationship('Job')``) and what it names.
    reference: str | None = None
    name: str | None = None
    #: A string reference that runs its import when its code runs (``import_module``),
    #: rather than being resolved later (``relationship``); a probe (``find_spec``) only
    #: fails when the parent of its target is missing.
    loads: bool = False
    probe: bool = False
    #: For a start-up reference of a settings module: the Django setting naming the
    #: target, which Django imports as it starts, not when the settings module is imported.
    setting: str | None = None


def runs_at_import(edge: Edge) -> bool:
    """Whether the edge is followed when its module is imported, unguarded."""
    if edge.reference is not None:
        return edge.kind == ImportKind.STRING and edge.function is None and edge.loads \
            and edge.setting is None
    return edge.kind == ImportKind.MODULE


def runs_at_start(edge: Edge) -> bool:
    """Whether start-up follows the edge once it has reached its module: an import that
    runs at import time, or what a settings module names for Django to import."""
    return runs_at_import(edge) or edge.setting is not None


#: The order in which Django imports what its settings name as it starts.
_STARTUP_ORDER = {name: index for index, name in enumerate(DJANGO_SETTINGS)}


class UnknownModule(UsageError):
    """A module named on the command line that the project does not have."""


class RemovalModel:
    """What the prediction needs of a project, read once for every scenario: its modules
    and files, each module's imports and string references with their kinds, what each
    settings module names for Django to import as it starts, and the modules'
    requirements."""

    def __init__(self, project_dir: Path, config: ArchitectureConfig, *,
                 use_cache: bool = True, project: Project | None = None) -> None:
        self.project = project or Project(project_dir, config, use_cache=use_cache)
        self.project_dir = self.project.project_dir
        self.config = config
        self.inventory = self.project.inventory
        self.layout = self.project.layout
        self.source_root = self.project.source_root
        self.files = self.project.files
        self.unread_folders = self._unread_folders()
        self._check_entry_points()
        self.project.classify_all()
        self.edges: dict[str, list[Edge]] = {m: self._imports(m) for m in sorted(self.files)}
        #: By settings module, what Django imports as it starts, in the order it does.
        self.startup: dict[str, list[Edge]] = defaultdict(list)
        self._add_string_edges()
        for edges in self.edges.values():
            edges.sort(key=lambda e: e.line)
        for edges in self.startup.values():
            edges.sort(key=lambda e: (_STARTUP_ORDER.get(e.setting or "", 0), e.line))
        self.project.save()
        self.errors = self.project.errors
        self.importers: dict[str, set[str]] = defaultdict(set)
        for module, edges in self.edges.items():
            for edge in edges:
                if edge.kind in (ImportKind.MODULE, ImportKind.LAZY):
                    self.importers[edge.target].add(module)
        self._parents: dict[str, list[str]] = {}
        self._owners: dict[str, str | None] = {}
        self._matching: dict[str, list[str]] = {}
        self._index()
        #: By module, its imports run at import time of code in an unread folder.
        self.unread_sites = self._unread_sites() if self.unread_folders else {}

    # -- what every scenario asks, read once -----------------------------------------------

    def _index(self) -> None:
        """The modules of each project module; and, by each module an edge leads to (or
        a parent package of it), the modules that follow the edge at import time (or, for a
        settings module, as Django starts), and the edges followed only later: a scenario
        then looks at what its removal reaches."""
        self.module_files: dict[str, list[str]] = defaultdict(list)
        for module in self.files:
            name = self.owner_name(module)
            if name is not None:
                self.module_files[name].append(module)
        self.at_import_importers: dict[str, set[str]] = defaultdict(set)
        self.later_edges: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for module, edges in self.edges.items():
            for index, edge in enumerate(edges):
                at_import = runs_at_import(edge)
                for target in self.with_parents(edge.target):
                    if at_import:
                        if target != module:
                            self.at_import_importers[target].add(module)
                    else:
                        self.later_edges[target].append((module, index))
        for module, edges in self.startup.items():
            for edge in edges:
                for target in self.with_parents(edge.target):
                    if target != module:
                        self.at_import_importers[target].add(module)

    def with_parents(self, module: str) -> list[str]:
        """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``, in that order."""
        found = self._parents.get(module)
        if found is None:
            parts = module.split(".")
            found = self._parents[module] = [
                ".".join(parts[:i]) for i in range(1, len(parts) + 1)
                if ".".join(parts[:i]) in self.files or i == len(parts)]
        return found

    def owner_name(self, module: str) -> str | None:
        """The project module a dotted name belongs to, if it belongs to one."""
        if module not in self._owners:
            owner = self.layout.owner_of(module)
            self._owners[module] = owner.name if owner.kind == OwnerKind.MODULE else None
        return self._owners[module]

    def matching(self, pattern: str) -> list[str]:
        """The project's modules a ``runtime`` pattern matches, in name order."""
        if pattern not in self._matching:
            self._matching[pattern] = [m for m in sorted(self.files) if matches(pattern, m)]
        return self._matching[pattern]

    # -- reading -------------------------------------------------------------------------

    def relative(self, module: str) -> str:
        return self.project.relative(module)[1]

    def _imports(self, module: str) -> list[Edge]:
        edges = []
        for target in self.project.table.imported_by(module):
            if target not in self.files:
                continue  # outside the project
            for statement in self.project.links(module, target):
                edges.append(Edge(statement.line, target, statement.kind, statement.statement,
                                  statement.function))
        return edges

    def _add_string_edges(self) -> None:
        for found in self.project.string_references:
            ref, resolution = found.reference, found.resolution
            if resolution.status != RESOLVED or resolution.modules[0] not in self.files:
                continue
            target = resolution.modules[0]
            name = resolution.target[len(target) + 1:] if resolution.target.startswith(
                target + ".") else None
            edge = Edge(ref.line, target, ref.kind, ref.statement, ref.function or None,
                        reference=ref.written, name=name,
                        loads=ref.loads and "find_spec" not in ref.call,
                        probe="find_spec" in ref.call)
            if ref.startup and ref.kind == ImportKind.STRING:
                self.startup[found.importer] += self._started(
                    replace(edge, setting=ref.call), ref.submodule, ref.text)
            else:
                self.edges[found.importer].append(edge)

    def _started(self, edge: Edge, submodule: str | None, text: str) -> list[Edge]:
        """What Django imports for one entry of a setting: the module it names and, for an
        app (its package, or the package of the module holding its AppConfig class), the
        app's ``submodule`` (``models``) where there is one."""
        started = [edge]
        if submodule is None:
            return started
        if self.files[edge.target].name == "__init__.py":
            package = edge.target
        elif text != edge.target:
            package = edge.target.rpartition(".")[0]
        else:
            return started  # an app that is a plain module has no submodules
        module = f"{package}.{submodule}"
        if module in self.files and module != edge.target:
            started.append(replace(edge, target=module))
        return started

    # -- what no import graph reads --------------------------------------------------------

    def _unread_folders(self) -> dict[str, str]:
        """The folders of the package tree no import graph reads (they have no
        ``__init__.py``), as dotted names, each with its path as reported."""
        found = {}
        for path in (folder.resolve() for folder in self.inventory.unread_folders):
            parts = path.relative_to(self.source_root).parts
            if all(part.isidentifier() for part in parts):  # else no import can name it
                found[".".join(parts)] = (path.relative_to(self.project_dir).as_posix()
                                          if path.is_relative_to(self.project_dir)
                                          else str(path))
        return found

    def _unread_folder_of(self, module: str) -> str | None:
        """The unread folder a dotted name is in, as reported; None when it is in none."""
        parts = module.split(".")
        return next((self.unread_folders[prefix] for depth in range(1, len(parts) + 1)
                     if (prefix := ".".join(parts[:depth])) in self.unread_folders), None)

    def _check_entry_points(self) -> None:
        """Refuse an entry point that is no module the project's graph holds: start-up
        cannot be followed from it, and a prediction without it would say "runs" of an
        application whose start-up was never read."""
        from archguard.config.schema import nearest

        for entry in self.config.runtime.entry_points:
            if entry in self.files:
                continue
            folder = self._unread_folder_of(entry)
            why = (f"it is in {folder}/, which has no __init__.py, so no import graph reads "
                   "it" if folder else "the project has no such module")
            line = self.config.lines.get(("runtime.entry_points", entry))
            if line is None:  # given on the command line
                raise UsageError(f"entry point '{entry}' cannot be followed: {why}")
            raise ConfigError(f"'{entry}' cannot be followed: {why}",
                              Position(self.config.source, line), key="runtime.entry_points",
                              suggestion=None if folder else nearest(entry, sorted(self.files)))

    def _unread_sites(self) -> dict[str, list[UnreadImport]]:
        """By module, the imports it runs as it is imported (module level, unguarded) that
        name code in an unread folder, each with the first name that does."""
        found: dict[str, list[UnreadImport]] = defaultdict(list)
        for module in sorted(self.files):
            package = self.files[module].name == "__init__.py"
            for statement in self.project.statements_of(module):
                if statement.kind != ImportKind.MODULE:
                    continue
                for target in _named_modules(statement, module, package):
                    folder = self._unread_folder_of(target)
                    if folder is not None:
                        found[module].append(UnreadImport(
                            self.relative(module), statement.line, target, folder))
                        break
        return found

    def module_name(self, name: str) -> str:
        """A module's package name from its name or code; a clear error otherwise."""
        module = self.inventory.module(name)
        if module is None:
            from archguard.config.schema import nearest

            folder = self.unread_folders.get(f"{self.config.modules_package}.{name}")
            if folder is not None:
                raise UnknownModule(f"module '{name}' is not a package: {folder}/ has no "
                                    "__init__.py, so no import graph reads it")

            known = sorted(m.name for m in self.inventory.modules)
            hint = nearest(name, known)
            raise UnknownModule(
                f"no module '{name}' in {self.config.modules_package}"
                + (f" (did you mean '{hint}'?)" if hint else "")
                + f"; modules: {', '.join(known)}")
        return module.name

    # -- predicting ------------------------------------------------------------------------

    def predict(self, removed: list[str]) -> Prediction:
        return _Prediction(self, tuple(dict.fromkeys(self.module_name(n) for n in removed)))\
            .run()


class _Prediction:
    """One removed set: which modules are gone, loaded, and what fails."""

    def __init__(self, model: RemovalModel, removed: tuple[str, ...]) -> None:
        self.model = model
        self.removed = removed
        self.deleted = set(removed)
        self.cascade = self._cascade()
        present = {m.name for m in model.inventory.modules} - self.deleted
        self.loaded = present - {name for name, _ in self.cascade}
        self.present = present
        self._fails: dict[str, tuple[Edge, str] | None] = {}
        self.gone = {m for name in self.deleted for m in model.module_files.get(name, ())}
        self.affected = self._affected()

    def _affected(self) -> set[str]:
        """The modules that import a removed one at import time, directly or through
        others: the only ones whose import can fail (a superset of those that do)."""
        found: set[str] = set()
        queue = deque(self.gone)
        while queue:
            module = queue.popleft()
            for importer in self.model.at_import_importers.get(module, ()):
                if importer not in found:
                    found.add(importer)
                    queue.append(importer)
        return found

    def _cascade(self) -> list[tuple[str, str]]:
        """Modules the registry would skip: a requirement removed or itself skipped."""
        layout = self.model.layout
        loaded = {m.name for m in self.model.inventory.modules} - self.deleted
        skipped: list[tuple[str, str]] = []
        changed = True
        while changed:
            changed = False
            for name in sorted(loaded):
                for required in sorted(layout.modules[name].requires):
                    if required in loaded:
                        continue
                    state = ("removed" if required in self.deleted else
                             "not loaded" if any(required == s for s, _ in skipped) else
                             "not installed")
                    skipped.append((name, f"requires '{required}', which is {state}"))
                    loaded.discard(name)
                    changed = True
                    break
        return sorted(skipped)

    # -- what is gone, what fails --------------------------------------------------------

    def missing(self, module: str) -> bool:
        return self.model.owner_name(module) in self.deleted

    def with_parents(self, module: str) -> list[str]:
        return self.model.with_parents(module)

    def runs_at_import(self, edge: Edge) -> bool:
        return runs_at_import(edge)

    def fails(self, module: str) -> tuple[Edge, str] | None:
        """The first import of ``module`` (run at import, unguarded) that fails, and the
        module whose absence or failure makes it fail; None when ``module`` imports."""
        if module not in self.affected:
            return None
        if module in self._fails:
            return self._fails[module]
        self._fails[module] = None  # an import cycle: the module is already being imported
        found = None
        for edge in self.model.edges.get(module, ()):
            if not self.runs_at_import(edge):
                continue
            for target in self.with_parents(edge.target):
                if target == module:
                    continue
                if self.missing(target) or self.fails(target) is not None:
                    found = (edge, target)
                    break
            if found:
                break
        self._fails[module] = found
        return found

    def failure_chain(self, module: str) -> list[Link]:
        """From ``module`` to the import that names a removed module."""
        links, seen = [], set()
        while module not in seen:
            seen.add(module)
            failing = self.fails(module)
            if failing is None:
                break
            edge, target = failing
            links.append(Link(module, self.model.relative(module), edge.line))
            if self.missing(target):
                break
            module = target
        return links

    def breaks(self, edge: Edge) -> bool:
        """Whether following ``edge`` (when its code runs) fails."""
        if edge.probe:  # find_spec("a.b") fails only when package "a" is gone
            parent = edge.target.rsplit(".", 1)[0]
            return "." in edge.target and (self.missing(parent)
                                           or self.fails(parent) is not None)
        return any(self.missing(t) or self.fails(t) is not None
                   for t in self.with_parents(edge.target))

    # -- start-up --------------------------------------------------------------------------

    def roots(self) -> list[str]:
        """Entry points, the settings modules Django starts from, then what start-up
        discovers, in the order a registry does it: each ``scanned`` pattern over the
        modules present, then each ``discovered`` pattern over the modules loaded, modules
        in name order."""
        runtime = self.model.config.runtime
        roots = [m for m in runtime.entry_points if m in self.model.files]
        self.discovered_by: dict[str, str] = {}
        if self.every_module_started:
            # Without a runtime section, each module's own import is all that is known: a
            # module that fails to import crashes whatever imports it.
            return [m for m in sorted(self.model.files)
                    if (name := self.model.owner_name(m)) is None or name in self.loaded]
        # Django imports its settings module as it starts, however the entry point names it
        # (DJANGO_SETTINGS_MODULE), and then what the settings name.
        roots += [m for m in sorted(self.model.startup) if m not in roots
                  and ((name := self.model.owner_name(m)) is None or name in self.loaded)]
        for patterns, wanted in ((runtime.scanned, self.present),
                                 (runtime.discovered, self.loaded)):
            for pattern in patterns:
                for module in self.model.matching(pattern):
                    if module in roots:
                        continue
                    name = self.model.owner_name(module)
                    if name is not None and name not in wanted:
                        continue
                    roots.append(module)
                    self.discovered_by[module] = pattern
        return roots

    def crashes(self) -> list[Crash]:
        """Every module start-up reaches whose own import of a removed module fails, with
        the shortest chain from an entry point (or, for what only discovery reaches, from
        the discovered module); the first in execution order is marked."""
        parents: dict[str, tuple[str, Edge] | None] = {}
        origins: list[tuple[str, Edge, str]] = []
        entry_points = set(self.model.config.runtime.entry_points)
        roots = self.roots()
        for batch in ([r for r in roots if r in entry_points],
                      [r for r in roots if r not in entry_points]):
            queue: deque[str] = deque()
            for root in batch:
                for module in self.with_parents(root):
                    if module not in parents and not self.missing(module):
                        parents[module] = None
                        queue.append(module)
            self._reach(queue, parents, origins)
        first = self.first_crash()
        crashes, seen = [], set()
        for module, edge, target in origins:
            if (module, edge.line) in seen:
                continue
            seen.add((module, edge.line))
            chain = self.chain_to(module, parents)
            root = chain[0].importer if chain else module
            pattern = self.discovered_by.get(root)
            if pattern is not None and self.model.config.runtime.entry_points:
                root = self.model.config.runtime.entry_points[0]  # discovery runs within it
            crashes.append(Crash(
                module=module, file=self.model.relative(module), line=edge.line,
                target=target, chain=tuple(chain), root=root,
                discovered_by=pattern,
                first=first == (module, edge.line), setting=edge.setting,
            ))
        return sorted(crashes, key=lambda c: (not c.first, c.file, c.line))

    def _reach(self, queue: deque[str], parents: dict[str, tuple[str, Edge] | None],
               origins: list[tuple[str, Edge, str]]) -> None:
        while queue:
            module = queue.popleft()
            for edge in self.started_edges(module):
                if not runs_at_start(edge):
                    continue
                for target in self.with_parents(edge.target):
                    if self.missing(target):
                        origins.append((module, edge, target))
                        break
                    # What imports nothing removed cannot lead to a crash: every module
                    # on a chain to one imports a removed module, directly or not.
                    if target not in parents and target in self.affected:
                        parents[target] = (module, edge)
                        queue.append(target)

    def started_edges(self, module: str) -> list[Edge]:
        """The edges of ``module`` in the order they run: its own, as it is imported; then,
        for a settings module, what Django imports as it starts."""
        return [*self.model.edges.get(module, ()), *self.model.startup.get(module, ())]

    def chain_to(self, module: str, parents: dict[str, tuple[str, Edge] | None]) -> list[Link]:
        links = []
        current = parents.get(module)
        while current is not None:
            importer, edge = current
            links.append(Link(importer, self.model.relative(importer), edge.line,
                              edge.setting))
            current = parents.get(importer)
        return list(reversed(links))

    def first_crash(self) -> tuple[str, int] | None:
        """Where a real start-up stops: imports run depth first, in line order."""
        done: set[str] = set()

        def run(module: str) -> tuple[str, int] | None:
            if module in done:
                return None
            done.add(module)
            for edge in self.started_edges(module):
                guarded = edge.reference is None and edge.kind == ImportKind.GUARDED
                if not (runs_at_start(edge) or guarded):
                    continue
                for target in self.with_parents(edge.target):
                    if target == module:
                        continue
                    crash = (module, edge.line) if self.missing(target) else run(target)
                    if crash is not None:
                        if guarded:
                            break  # caught by its `except ImportError`
                        return crash
            return None

        for root in self.roots():
            for module in self.with_parents(root):
                if self.missing(module):
                    continue
                crash = run(module)
                if crash is not None:
                    return crash
        return None

    # -- later, and never ------------------------------------------------------------------

    def later_and_safe(self) -> tuple[list[RuntimeFailure], list[SafeReference]]:
        failures, safe = [], []
        skipped = {name for name, _ in self.cascade}
        # Only an edge that leads into what is gone or fails can fail or be safe: those are
        # found from the index, and looked at in the order of a walk over every edge.
        candidates = sorted({found for target in (*self.gone, *self.affected)
                             for found in self.model.later_edges.get(target, ())})
        for module, index in candidates:
            edge = self.model.edges[module][index]
            name = self.model.owner_name(module)
            if self.missing(module) or (name is not None and name in skipped):
                continue  # gone, or never loaded: its code does not run
            file = self.model.relative(module)
            reaches = any(self.missing(t) or self.fails(t) is not None
                          for t in self.with_parents(edge.target))
            if not reaches:
                continue
            never_fails = edge.kind in (ImportKind.TYPE_CHECKING, ImportKind.GUARDED)
            if never_fails or not self.breaks(edge):
                safe.append(SafeReference(file, edge.line, edge.kind, edge.target,
                                          edge.reference or edge.statement))
                continue
            if edge.kind not in (ImportKind.LAZY, ImportKind.STRING):
                continue
            chain = [] if self.missing(edge.target) else self.failure_chain(edge.target)
            sites = ((file, edge.line), *((link.file, link.line) for link in chain))
            failures.append(RuntimeFailure(
                file=file, line=edge.line, function=edge.function, kind=edge.kind,
                target=edge.target, statement=edge.reference or edge.statement,
                name=edge.name if edge.reference is not None else None,
                sites=tuple(dict.fromkeys(sites)), chain=tuple(chain),
                reached_from=self.routes_reaching(module),
            ))
        failures.sort(key=lambda f: (f.file, f.line))
        safe.sort(key=lambda s: (s.file, s.line))
        return failures, safe

    def routes_reaching(self, module: str, depth: int = 3) -> tuple[str, ...]:
        """Route modules that import ``module``, directly or through a few services."""
        found, frontier, seen = set(), {module}, {module}
        for _ in range(depth):
            frontier = {i for m in frontier for i in self.model.importers.get(m, ())} - seen
            seen |= frontier
            found |= {m for m in frontier if ".routes" in m or m.endswith(".api")}
        if ".routes" in module:
            found.add(module)
        return tuple(sorted(found))[:5]

    @property
    def every_module_started(self) -> bool:
        runtime = self.model.config.runtime
        return not (runtime.entry_points or runtime.scanned or runtime.discovered)

    def unread(self) -> list[UnreadImport]:
        """The imports of code in unread folders that start-up runs, in the modules it
        reaches without a removed module on the way: whether each still imports, and what
        it imports in turn, is not known."""
        sites = self.model.unread_sites
        if not sites:
            return []
        reached: set[str] = set()
        queue = deque(self.roots())
        while queue:
            chain = self.with_parents(queue.popleft())
            if any(self.missing(module) for module in chain):
                continue  # the import fails: it is a crash, not unread code
            for module in chain:
                if module in reached or module not in self.model.files:
                    continue
                reached.add(module)
                queue.extend(edge.target for edge in self.started_edges(module)
                             if runs_at_start(edge))
        return [site for module in sorted(reached) for site in sites.get(module, ())]

    def run(self) -> Prediction:
        failures, safe = self.later_and_safe()
        return Prediction(removed=self.removed, cascade=tuple(self.cascade),
                          crashes=tuple(self.crashes()), runtime_failures=tuple(failures),
                          safe=tuple(safe), every_module_started=self.every_module_started,
                          unread=tuple(self.unread()))


def _named_modules(statement: ImportStatement, importer: str, package: bool) -> list[str]:
    """The dotted names an import statement may import, as written: ``a.b`` for
    ``import a.b``; ``a`` and ``a.x`` for ``from a import x``, relative ones resolved."""
    if statement.module or statement.level:
        source = statement.source_module(importer, package)
        if source is None:
            return []
        return [source, *(f"{source}.{name}" for name in statement.names if name != "*")]
    node = ast.parse(statement.statement).body[0]
    return [alias.name for alias in node.names] if isinstance(node, ast.Import) else []


def optional_modules(model: RemovalModel) -> list[str]:
    """Modules that promise to be removable: category ``optional`` (or, where no module has
    it, every module that is not ``core``)."""
    modules = model.inventory.modules
    optional = [m.name for m in modules if m.category == "optional"]
    return optional or [m.name for m in modules if m.category != "core"]


_NO_MODULE = re.compile(r"No module named '([\w.]+)'")


def judge(prediction: Prediction, observation: Observation) -> tuple[Observation, bool]:
    """Mark each observed failure explained or not, and say whether the prediction and the
    observation agree: the same import crash, and every failure explained by the
    prediction (its file:line among the predicted sites, its class name among the
    predicted string references, or, since Django imports what its settings name from its
    own code, the module it misses one that a predicted crash's setting names). An
    observation during which the original project changed agrees with nothing: what ran
    was not the copy alone."""
    sites = {site for crash in prediction.crashes for site in crash.sites}
    sites |= {(link.file, link.line) for crash in prediction.crashes for link in crash.chain}
    sites |= {site for failure in prediction.runtime_failures for site in failure.sites}
    names = {f.name for f in prediction.runtime_failures if f.name}
    started = {crash.target for crash in prediction.crashes if crash.setting}
    judged = []
    for failure in observation.failures:
        missing = _NO_MODULE.search(failure.error)
        explained = ((failure.file, failure.line) in sites
                     or (failure.name is not None and failure.name in names)
                     or (missing is not None and any(
                         missing[1] == target or missing[1].startswith(target + ".")
                         for target in started)))
        judged.append(replace(failure, explained=explained))
    observation = replace(observation, failures=tuple(judged))
    agreed = (prediction.import_crash == observation.import_crash
              and all(f.explained for f in judged) and not observation.original_changes)
    return observation, agreed


class ScenarioProgress(Protocol):
    """What a caller is told of scenarios being run (from the threads running them, with
    ``jobs`` above one)."""

    def started(self, prediction: Prediction) -> None: ...

    def finished(self, scenario: Scenario) -> None: ...


def simulate(model: RemovalModel, removed_sets: list[list[str]], *, run: bool = False,
             smoke: list[tuple[str, str]] | None = None, entry_points: list[str] | None = None,
             timeout: float | None = None, jobs: int = 1,
             progress: ScenarioProgress | None = None) -> list[Scenario]:
    """Predict each removed set; with ``run``, observe each on its own temporary copy,
    ``jobs`` at a time, telling ``progress`` as each starts and ends."""
    predictions = [model.predict(removed) for removed in removed_sets]
    if not run:
        return [Scenario(prediction) for prediction in predictions]
    from concurrent.futures import ThreadPoolExecutor

    from archguard.adapters.sandbox import Sandbox, observe_without

    runtime = model.config.runtime
    commands = smoke if smoke is not None else [(s.name, s.command) for s in runtime.smoke]
    timeouts = {s.name: s.timeout for s in runtime.smoke if s.timeout}

    def observe(prediction: Prediction, sandbox: Sandbox) -> Scenario:
        if progress is not None:
            progress.started(prediction)
        observation = observe_without(
            model.project_dir, model.source_root, model.config.modules_package,
            prediction.removed, entry_points or list(runtime.entry_points), commands,
            sandbox=sandbox, timeout=timeout or runtime.timeout, timeouts=timeouts,
        )
        observation, agreed = judge(prediction, observation)
        scenario = Scenario(prediction, observation, agreed)
        if progress is not None:
            progress.finished(scenario)
        return scenario

    with Sandbox() as sandbox:
        if jobs <= 1 or len(predictions) == 1:
            return [observe(prediction, sandbox) for prediction in predictions]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda p: observe(p, sandbox), predictions))


__all__ = ["Edge", "RemovalModel", "UnknownModule", "judge",
           "optional_modules", "simulate"]
