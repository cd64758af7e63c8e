"""Finding and resolving the string references of a project.

Every file of the project is offered to a byte-level prefilter; the files that mention a
loader, ``relationship``, ``ForeignKey`` or a table are parsed (each at most once per
content, through the scan cache), and so is every settings module, for the Django settings
that name code (``INSTALLED_APPS``, …). Their references are then resolved against indexes
of the whole project: its modules, its mapped classes by name, its tables by
``__tablename__`` or ``Table("name", …)``, the app labels of its modules, and the string
constants of its settings modules.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archguard.adapters.scan_cache import FileScanCache, cache_key
from archguard.adapters.string_references import (
    ScanRules,
    scan_strings,
    strings_from_json,
    strings_to_json,
)
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import absolute_name
from archguard.domain.inventory import Inventory
from archguard.domain.references import (
    AMBIGUOUS,
    APP_LABEL,
    APP_MODULE,
    DYNAMIC,
    MAPPED_CLASS,
    MODULE_PATH,
    OBJECT_PATH,
    RESOLVED,
    TABLE,
    TABLE_COLUMN,
    UNRESOLVED,
    FileStrings,
    Resolution,
    StringReference,
)
from archguard.errors import SourceSyntaxError

CACHE_FILE = "strings.json"


@dataclass(frozen=True)
class FoundReference:
    """A reference of a module of the project, and where it leads."""

    importer: str
    file: Path
    reference: StringReference
    resolution: Resolution


@dataclass
class StringScan:
    """What the files say, before anything is resolved: the strings, classes, tables and
    constants of each module that has any, the files that could not be parsed, and how
    many files were parsed (the others were answered by the prefilter or the cache)."""

    files: dict[str, FileStrings]
    errors: list[SourceSyntaxError]
    files_parsed: int


def scan_project(config: ArchitectureConfig, modules: dict[str, Path], project_dir: Path,
                 cache_dir: Path | None,
                 signatures: dict[str, tuple[int, int]] | None = None,
                 parsed: dict[Path, tuple[bytes, ast.Module]] | None = None) -> StringScan:
    """Read the string references of ``modules`` (dotted name: file); with ``cache_dir``,
    through the scan cache kept there. ``signatures``: each module's file's modification
    time and size, as the project's manifest read them; ``parsed``: files parsed already,
    with the bytes each was parsed from."""
    signatures = signatures or {}
    parsed = parsed if parsed is not None else {}
    spec = config.strings
    rules = ScanRules(config.root_package, spec.loaders, bool(spec.settings))
    prefilter = rules.prefilter()
    settings = set(spec.settings)
    # A settings module is read for more than other files, so which modules are settings
    # modules keys the cache as the rules do.
    salt = repr((rules.fingerprint, sorted(settings)))
    cache = FileScanCache(cache_dir / CACHE_FILE if cache_dir else None, salt,
                          strings_to_json, strings_from_json)
    definition_file = config.definitions.file
    modules_prefix = config.modules_package + "."
    depth = modules_prefix.count(".") + 1
    found = StringScan({}, [], 0)
    empty = FileStrings()
    for module, path in modules.items():
        definition = (path.name == definition_file and module.startswith(modules_prefix)
                      and module.count(".") == depth)
        is_settings = module in settings

        def compute(data: bytes, path=path, definition=definition,
                    is_settings=is_settings) -> FileStrings:
            if not (definition or is_settings or prefilter.search(data)):
                return empty
            found.files_parsed += 1
            known = parsed.get(path)
            return scan_strings(path, data, rules, definition=definition,
                                settings=is_settings,
                                tree=known[1] if known is not None and known[0] == data else None)

        try:
            scan = cache.fetch(cache_key(path, project_dir), path, compute,
                               signatures.get(module))
        except SourceSyntaxError as exc:
            found.errors.append(exc)
            continue
        except OSError:
            continue
        if scan.references or scan.classes or scan.tables or scan.constants or scan.apps:
            found.files[module] = scan
    cache.save()
    return found


#: The labels of Django's own apps (``django.contrib``): never the project's, so a reference
#: to one is no dependency and no unresolved reference.
DJANGO_APPS = frozenset({
    "admin", "admindocs", "auth", "contenttypes", "flatpages", "gis", "humanize",
    "messages", "postgres", "redirects", "sessions", "sitemaps", "sites", "staticfiles",
    "syndication",
})


class StringFinder:
    """The string references of the project's modules, resolved.

    ``modules`` are the project's dotted modules (from the import graph) with their files.
    """

    def __init__(self, config: ArchitectureConfig, inventory: Inventory,
                 modules: dict[str, Path], project_dir: Path, cache_dir: Path | None,
                 scan: StringScan | None = None) -> None:
        self.config = config
        self.project_dir = project_dir
        self.modules = modules
        if scan is None:
            scan = scan_project(config, modules, project_dir, cache_dir)
        self.errors = scan.errors
        self.files_parsed = scan.files_parsed
        self.scans = scan.files
        self.labels = {m.name: f"{config.modules_package}.{m.name}" for m in inventory.modules}
        self.labels.update(self._app_configs())
        self.labels.update(dict(config.strings.app_labels))
        self._index()

    def _app_configs(self) -> dict[str, str]:
        """The app labels the project's AppConfig classes declare: Django labels an app
        ``label``, or the last name of its ``name`` (the app's package, by default the
        package of the file that defines the class)."""
        labels: dict[str, str] = {}
        for module in sorted(self.scans):
            for name, label in self.scans[module].apps:
                package = name or module.rpartition(".")[0]
                if package in self.modules:
                    labels.setdefault(label or package.rpartition(".")[2], package)
        return labels

    def _index(self) -> None:
        self.settings: dict[str, str] = {}
        for module in self.config.strings.settings:
            scan = self.scans.get(module)
            if scan is not None:
                self.settings.update(dict(scan.constants))
        self.tables: dict[str, set[str]] = defaultdict(set)
        classes: list[tuple[str, str, tuple[str, ...], bool]] = []
        for module, scan in self.scans.items():
            for table, _line in scan.tables:
                self.tables[table].add(module)
            for cls in scan.classes:
                classes.append((module, cls.name, cls.bases, cls.marked))
        # A class is mapped by its own marks or by inheriting a mapped class; another
        # module's plain class of the same name is not mapped. Bases are known by name only.
        mapped = {(module, name) for module, name, _b, marked in classes if marked}
        while True:  # single-table inheritance: subclasses of mapped classes are mapped
            names = {name.rsplit(".", 1)[-1] for _module, name in mapped}
            more = {(module, name) for module, name, bases, _ in classes
                    if names.intersection(bases)} - mapped
            if not more:
                break
            mapped |= more
        self.classes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for module, name, _bases, _marked in classes:
            if (module, name) in mapped:
                self.classes[name.rsplit(".", 1)[-1]].append((module, name))

    def references(self) -> Iterator[FoundReference]:
        """Every reference of the project's modules, with its resolution, in module order."""
        for module in sorted(self.scans):
            path = self.modules[module]
            is_package = path.name == "__init__.py"
            for reference in self.scans[module].references:
                yield FoundReference(module, path, reference,
                                     self.resolve(module, is_package, reference))

    # -- resolving ---------------------------------------------------------------------------

    def resolve(self, importer: str, is_package: bool, ref: StringReference) -> Resolution:
        text = ref.text
        if ref.setting:
            value = self.settings.get(ref.setting)
            if value is None:
                return Resolution(DYNAMIC)
            text = value
        if ref.form in (MODULE_PATH, OBJECT_PATH):
            if ref.package is not None or text.startswith("."):
                absolute = _absolute(text, ref.package, importer, is_package)
                if absolute is None:
                    return Resolution(DYNAMIC, text=text)
                text = absolute
            if ref.prefix:
                return self._prefix(text)
            return self._path(text, ref.form == OBJECT_PATH)
        if ref.form in (APP_MODULE, APP_LABEL):
            return self._app(text, ref)
        if ref.form == MAPPED_CLASS:
            return self._class(text, ref.tentative)
        if ref.form in (TABLE, TABLE_COLUMN):
            return self._table(text, ref.form == TABLE_COLUMN)
        return Resolution(DYNAMIC, text=text)

    def _is_project(self, dotted: str) -> bool:
        root = self.config.root_package
        return dotted == root or dotted.startswith(root + ".")

    def _path(self, text: str, as_object: bool) -> Resolution:
        """``a.b`` (a module), ``a.b.C`` (an attribute of a module, or a module) or
        ``a.b:C``. A project path that names no module is unresolved; another package's
        is kept as it is, for contracts on external packages."""
        module, colon, _attribute = text.partition(":")
        candidates = [module]
        if as_object and not colon and "." in module:
            candidates.append(module.rsplit(".", 1)[0])
        target = text.replace(":", ".")
        for candidate in candidates:
            if candidate in self.modules:
                return Resolution(RESOLVED, (candidate,), target, text)
        if self._is_project(module):
            return Resolution(UNRESOLVED, target=text, text=text)
        if not all(part.isidentifier() for part in module.split(".")):
            return Resolution(DYNAMIC, text=text)
        return Resolution(RESOLVED, (candidates[-1],), target, text)

    def _prefix(self, text: str) -> Resolution:
        """``f"app.modules.{name}"`` reaches every module: a discovery, not a dependency;
        ``f"app.modules.catalog.{name}"`` depends on catalog."""
        base = text.rsplit(".", 1)[0] if "." in text else ""
        parts = base.split(".") if base else []
        generic = {self.config.root_package, self.config.modules_package}
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self.modules:
                if candidate in generic or self.config.modules_package.startswith(
                        candidate + "."):
                    return Resolution(DYNAMIC, text=text)
                return Resolution(RESOLVED, (candidate,), candidate, text)
        return Resolution(DYNAMIC, text=text)

    def _app(self, text: str, ref: StringReference) -> Resolution:
        label, _, rest = text.partition(".")
        package = self.labels.get(label)
        if package is None:
            if label in DJANGO_APPS or label in self.config.strings.external_apps:
                return Resolution(DYNAMIC, text=text)  # an app that is not the project's
            return Resolution(UNRESOLVED, target=f"app label {label!r}", text=text)
        if package not in self.modules:
            return Resolution(UNRESOLVED, target=package, text=text)
        if ref.form == APP_MODULE:
            module = f"{package}.{rest}" if rest else package
            if module not in self.modules:
                return Resolution(UNRESOLVED, target=module, text=text)
            return Resolution(RESOLVED, (module,), module, text)
        module = package
        if ref.submodule and f"{package}.{ref.submodule}" in self.modules:
            module = f"{package}.{ref.submodule}"
        target = f"{module}.{rest}" if rest else module
        return Resolution(RESOLVED, (module,), target, text)

    def _class(self, text: str, tentative: bool) -> Resolution:
        if "." in text:
            module, name = text.rsplit(".", 1)
            if module in self.modules:
                return Resolution(RESOLVED, (module,), text, text)
            suffix = [m for m in self.modules if m.endswith("." + module)]
            if len(suffix) == 1:
                return Resolution(RESOLVED, (suffix[0],), f"{suffix[0]}.{name}", text)
            if len(suffix) > 1:
                return Resolution(AMBIGUOUS, tuple(sorted(suffix)), text, text)
            return Resolution(DYNAMIC if tentative else UNRESOLVED, target=text, text=text)
        candidates = self.classes.get(text, [])
        modules = tuple(sorted({module for module, _ in candidates}))
        if len(modules) == 1:
            return Resolution(RESOLVED, modules, f"{modules[0]}.{candidates[0][1]}", text)
        if len(modules) > 1:
            return Resolution(AMBIGUOUS, modules, text, text)
        return Resolution(DYNAMIC if tentative else UNRESOLVED, target=text, text=text)

    def _table(self, text: str, with_column: bool) -> Resolution:
        parts = text.split(".")
        if with_column:
            parts = parts[:-1]
        for candidate in (".".join(parts), parts[-1] if parts else ""):
            modules = tuple(sorted(self.tables.get(candidate, ())))
            if len(modules) == 1:
                return Resolution(RESOLVED, modules, f"table {candidate} ({modules[0]})", text)
            if len(modules) > 1:
                return Resolution(AMBIGUOUS, modules, f"table {candidate}", text)
        return Resolution(UNRESOLVED, target=f"table {'.'.join(parts)}", text=text)


def _absolute(text: str, package: str | None, importer: str, is_package: bool) -> str | None:
    """``import_module(".routes", package=…)`` as an absolute name."""
    level = len(text) - len(text.lstrip("."))
    if not level:
        return text
    if package is None:
        return None
    base = package or (importer if is_package else importer.rpartition(".")[0])
    return absolute_name(text[level:], level, base)
