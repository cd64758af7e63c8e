"""``archguard init``: a first configuration for an existing codebase, from what its tree
holds. Nothing of the codebase is imported: folders are listed, and the few files that say
what the modules are (``definition.py``, Django settings) are parsed.

The modules package is, in this order: the one asked for; a package named ``modules``
within the root package; the package that holds most of the apps Django settings list in
``INSTALLED_APPS``; the root package itself. The kernel is what lies beside the modules on
the way down from the root. Categories come from each module's ``definition.py`` where the
modules have one (its ``is_<category>`` flags), else every module is optional but those
named core. The contracts are the ones every modular monolith means to keep: core does
not depend on optional, nothing depends on internal, optional modules import only core and
what they declare, the kernel names no optional module, and modules keep their layout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from archguard.adapters.definitions import DefinitionShape, definition_shape
from archguard.adapters.package_tree import (
    class_label,
    installed_apps,
    modules_in,
    packages_in,
    settings_files,
)
from archguard.application.strings import DJANGO_APPS
from archguard.config.loader import CONFIG_FILENAME, find_config
from archguard.config.writer import ConfigDraft, DraftContract
from archguard.domain.violations import CheckResult
from archguard.errors import ConfigError, UsageError

#: The name of a modules package found by name.
MODULES_PACKAGE_NAME = "modules"
#: How deep below the root a package named ``modules`` is looked for.
MODULES_PACKAGE_DEPTH = 3
DEFINITION_FILE = "definition.py"
#: The category of a module nothing says otherwise of.
OPTIONAL = "optional"
CORE = "core"
INTERNAL = "internal"
CATEGORY_TEXTS = {
    CORE: "Always enabled; the application must run with only these and the kernel.",
    OPTIONAL: "Can be disabled or removed; nothing core may depend on one.",
    INTERNAL: "Internal tooling; nothing depends on it.",
}


@dataclass(frozen=True)
class InitRequest:
    """What the user says of the codebase; None: find it."""

    root: str | None = None
    modules_package: str | None = None
    source_root: str | None = None
    core: tuple[str, ...] = ()


@dataclass(frozen=True)
class Discovery:
    """The configuration drafted, and a line for each thing found and where it came from."""

    draft: ConfigDraft
    found: tuple[str, ...]


def discover(project_dir: Path, request: InitRequest) -> Discovery:
    """Draft the configuration of the codebase in ``project_dir``."""
    source_root = request.source_root or _source_root(project_dir)
    base = project_dir / source_root
    root = request.root or _root_package(base, source_root)
    if not (base / _folder(root) / "__init__.py").is_file():
        raise UsageError(f"{root} is not a package in {base}: its folder has no __init__.py")
    found = [f"root package: {root}"]
    modules_package, how = _modules_package(base, root, request.modules_package)
    found.append(f"modules package: {modules_package} ({how})")
    names = packages_in(base / _folder(modules_package))
    if not names:
        raise UsageError(f"{modules_package} has no subpackages to take as modules: pass "
                         "--modules-package with the package that holds them")
    shapes = {name: shape for name in names
              if (shape := definition_shape(base / _folder(modules_package) / name
                                            / DEFINITION_FILE)) is not None}
    if shapes and request.core:
        raise UsageError(f"{len(shapes)} modules of {modules_package} have a "
                         f"{DEFINITION_FILE}, whose flags say which are core: --core is for "
                         f"modules without one")
    unknown = sorted(set(request.core) - set(names))
    if unknown:
        raise UsageError(f"--core names {', '.join(unknown)}, which "
                         f"{'is' if len(unknown) == 1 else 'are'} not a module of "
                         f"{modules_package} (its modules: {', '.join(names)})")
    kernel = _kernel(base, root, modules_package)
    strings = _strings(_apps(base, root), modules_package)
    reading = _definitions(shapes) if shapes else None
    if reading is not None:
        categories = _flag_categories(reading)
        found.append(f"{len(names)} modules, {len(shapes)} with a {DEFINITION_FILE}: categories "
                     f"from its flags ({', '.join(reading['category_flags'])}), optional "
                     "where none is set"
                     + (", and requires" if "requires" in reading["read"] else ""))
        modules: dict[str, dict] = {}
    else:
        categories = [CORE, OPTIONAL]
        modules = {name: {"category": CORE if name in request.core else OPTIONAL}
                   for name in names}
        core_count = len(request.core)
        found.append(f"{len(names)} modules, none with a {DEFINITION_FILE}: "
                     + (f"{core_count} core (--core), {len(names) - core_count} optional"
                        if core_count else "every one optional (name the core ones with "
                                           "--core)"))
    if kernel:
        found.append(f"kernel: {', '.join(kernel)}")
    draft = ConfigDraft(
        header=(f"The architecture of {root}, as `archguard init` found it. Review it: the",
                "categories say which modules the application cannot run without, and the",
                "contracts below are the promises that make the others removable."),
        root_package=root,
        modules_package=modules_package,
        source_root=source_root,
        kernel=tuple(kernel),
        kernel_comment=("Code outside the modules that counts as core: it starts the "
                        "application and must stay generic.",),
        categories={name: CATEGORY_TEXTS.get(name, "") for name in categories},
        definitions=reading,
        definitions_comment=(
            (f"Each module's {DEFINITION_FILE} says what it is; it is read, never imported.",)
            if reading is not None else
            (f"No module has a {DEFINITION_FILE} to read: the modules below say what each "
             "is.",)),
        strings=strings,
        strings_comment=("The apps Django settings list: labels that are not a module's "
                         "package name, and apps from outside the project, which strings "
                         "such as 'label.Model' may name.",),
        modules=modules,
        modules_comment=("Every module is optional but those named core: mark the ones the "
                         "application cannot run without, and declare in requires the "
                         "modules each one needs.",),
        contracts=tuple(_contracts(categories, kernel, reading, shapes, base
                                   / _folder(modules_package), names)),
    )
    return Discovery(draft, tuple(found))


def _folder(dotted: str) -> Path:
    return Path(*dotted.split("."))


def _source_root(project_dir: Path) -> str:
    """``.``, or ``src`` when the packages are there and not beside it."""
    if not packages_in(project_dir) and packages_in(project_dir / "src"):
        return "src"
    return "."


def _root_package(base: Path, source_root: str) -> str:
    """The one top-level package; of several, the one holding a ``modules`` package or
    listing its own apps in Django settings."""
    candidates = packages_in(base)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UsageError(f"no Python package (a folder with __init__.py) in {base}: pass "
                         "--source-root with the folder that holds the application's package")
    for test in (lambda name: _named_modules(base, name) is not None,
                 lambda name: bool(_apps(base, name).labels)):
        chosen = [name for name in candidates if test(name)]
        if len(chosen) == 1:
            return chosen[0]
    raise UsageError(f"{len(candidates)} top-level packages in {base} "
                     f"({', '.join(candidates)}): pass --root with the application's")


def _modules_package(base: Path, root: str, asked: str | None) -> tuple[str, str]:
    """The modules package, and how it was found."""
    if asked is not None:
        if asked != root and not asked.startswith(root + "."):
            raise UsageError(f"--modules-package {asked} is not {root} or a package in it")
        if not (base / _folder(asked) / "__init__.py").is_file():
            raise UsageError(f"--modules-package {asked} is not a package: "
                             f"{base / _folder(asked)} has no __init__.py")
        return asked, "--modules-package"
    named = _named_modules(base, root)
    if named is not None:
        return named, f"a package named {MODULES_PACKAGE_NAME}"
    apps = _apps(base, root).labels
    if any("." in app for app in apps):
        parents = Counter(app.rpartition(".")[0] for app in apps if "." in app)
        most = max(parents.values())
        parent = min((p for p, n in parents.items() if n == most), key=lambda p: (len(p), p))
        if parent:
            count = parents[parent]
            return parent, f"holds {count} of the {len(apps)} apps in INSTALLED_APPS"
    return root, "its subpackages"


def _named_modules(base: Path, root: str) -> str | None:
    """The shallowest package named ``modules`` within ``root``, if any."""
    level = [root]
    for _depth in range(MODULES_PACKAGE_DEPTH):
        for package in level:
            if MODULES_PACKAGE_NAME in packages_in(base / _folder(package)):
                return f"{package}.{MODULES_PACKAGE_NAME}"
        level = [f"{p}.{name}" for p in level for name in packages_in(base / _folder(p))]
    return None


@dataclass(frozen=True)
class _Apps:
    """The apps Django settings list: the project's, by package with each one's label,
    and the labels of the others."""

    labels: dict[str, str]
    external: tuple[str, ...]


def _apps(base: Path, root: str) -> _Apps:
    """The apps the Django settings within ``root`` list, in the order first listed (an
    AppConfig path stands for its app's package, labelled as the class says)."""
    labels: dict[str, str] = {}
    external: dict[str, None] = {}
    for path in settings_files(base / root):
        for entry in installed_apps(path):
            package = _app_package(base, entry)
            if package is None or package.split(".")[0] != root:
                external.setdefault(_external_label(entry))
                continue
            labels.setdefault(package, _app_label(base, package, entry))
    return _Apps(labels, tuple(label for label in external
                               if label.isidentifier() and label not in DJANGO_APPS))


def _external_label(entry: str) -> str:
    """The label of an app outside the project: its package's last name
    (``django_tables2``; ``treebeard`` for ``treebeard.apps.TreebeardConfig``)."""
    parts = entry.split(".")
    if len(parts) > 1 and parts[-1][:1].isupper():
        parts = parts[:-1]
        if len(parts) > 1 and parts[-1] == "apps":
            parts = parts[:-1]
    return parts[-1]


def _app_label(base: Path, package: str, entry: str) -> str:
    """The label of the app of ``package`` that ``entry`` installs: the one its AppConfig
    class sets, else the package's last name."""
    parts = entry.split(".")
    if parts[-1][:1].isupper() and len(parts) > len(package.split(".")):
        label = class_label(_module_path(base, ".".join(parts[:-1])), parts[-1])
        if label is not None:
            return label
    return package.rpartition(".")[2]


def _module_path(base: Path, dotted: str) -> Path:
    """The file of module ``dotted``: its package's ``__init__.py``, or its ``.py``."""
    folder = base / _folder(dotted)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def _app_package(base: Path, entry: str) -> str | None:
    """The package of the app ``entry`` installs: the longest dotted prefix of it that is a
    package of the tree, or for an AppConfig path (``shop.apps.ShopConfig``) the package of
    the module that defines the class."""
    parts = entry.split(".")
    if parts[-1][:1].isupper() and len(parts) > 1:
        in_module = (base / _folder(".".join(parts[:-1]))).with_suffix(".py").is_file()
        parts = parts[:-2] if in_module else parts[:-1]
    for end in range(len(parts), 0, -1):
        if (base / Path(*parts[:end]) / "__init__.py").is_file():
            return ".".join(parts[:end])
    return None


def _strings(apps: _Apps, modules_package: str) -> dict | None:
    """The ``strings`` section that resolves the apps' labels, when any needs saying."""
    labels = {label: package for package, label in apps.labels.items()
              if package != f"{modules_package}.{label}"}
    strings: dict = {}
    if labels:
        strings["app_labels"] = labels
    if apps.external:
        strings["external_apps"] = list(apps.external)
    return strings or None


def _kernel(base: Path, root: str, modules_package: str) -> list[str]:
    """What lies beside the way from the root down to the modules package: the packages
    and modules of each package on it, but the next one on the way."""
    kernel: list[str] = []
    way = modules_package.split(".")
    depth = len(root.split("."))
    for end in range(depth, len(way) + 1):
        package = ".".join(way[:end])
        below = way[end] if end < len(way) else None
        folder = base / _folder(package)
        subpackages = [] if end == len(way) else packages_in(folder)
        kernel += [f"{package}.{name}" for name in sorted({*subpackages, *modules_in(folder)})
                   if name != below]
    return kernel


def _definitions(shapes: dict[str, DefinitionShape]) -> dict:
    """The ``definitions`` section that reads the modules' definition files as written."""
    class_name = Counter(s.class_name for s in shapes.values()).most_common(1)[0][0]
    variables = {s.variable.replace(name, "{package}", 1) if s.variable.startswith(name)
                 else s.variable for name, s in shapes.items()}
    variable = Counter(variables).most_common(1)[0][0]
    flags: dict[str, str] = {}
    for shape in shapes.values():
        for flag in shape.flags:
            category = flag.removeprefix("is_").replace("_", "-").lower()
            if flag.startswith("is_") and category and category != OPTIONAL:
                flags.setdefault(flag, category)
    read = ["category"] + (["requires"] if any(s.gives_requires for s in shapes.values())
                           else [])
    return {"file": DEFINITION_FILE, "variable": variable, "class_name": class_name,
            "category_flags": flags, "default_category": OPTIONAL, "read": read}


def _flag_categories(reading: dict) -> list[str]:
    """Core first, the categories the flags give, then optional."""
    given = [c for c in reading["category_flags"].values() if c not in (CORE, OPTIONAL)]
    return [CORE, *dict.fromkeys(given), OPTIONAL]


def _contracts(categories: list[str], kernel: list[str], reading: dict | None,
               shapes: dict[str, DefinitionShape], modules_folder: Path,
               names: list[str]) -> list[DraftContract]:
    where = ("its definition.py" if reading is not None and "requires" in reading["read"]
             else "the modules section above")
    contracts = [
        DraftContract(
            "core-not-optional", "category_layering",
            name="Core modules do not depend on optional modules",
            description="An optional module can be disabled or deleted; a core module "
                        "that imports one crashes the application, at start-up or on the "
                        "code path that runs the import.",
            options={"source": [CORE], "forbidden": [OPTIONAL]}),
    ]
    if INTERNAL in categories:
        contracts.append(DraftContract(
            "nothing-depends-on-internal", "category_layering",
            name="No module depends on an internal module",
            description="Internal modules are tooling that is not deployed everywhere.",
            options={"source": ["*"], "forbidden": [INTERNAL]}))
    contracts.append(DraftContract(
        "optional-declared-dependencies", "declared_dependencies",
        name="Optional modules import only core modules and what they declare",
        description="An optional module goes when a module it requires goes; an "
                    "undeclared import breaks when its target is removed and the importer "
                    f"is not. A module declares what it requires in {where}.",
        options={"categories": [OPTIONAL], "allow_categories": [CORE]}))
    if kernel:
        forbidden = [OPTIONAL] + ([INTERNAL] if INTERNAL in categories else [])
        contracts.append(DraftContract(
            "kernel-generic", "kernel_generic",
            name="The kernel names no optional module",
            description="The kernel runs whatever modules are installed: it discovers them "
                        "and lists none.",
            options={"forbidden": forbidden}))
    if reading is not None:
        contracts.append(_structure(shapes, modules_folder, names))
    return contracts


def _structure(shapes: dict[str, DefinitionShape], modules_folder: Path,
               names: list[str]) -> DraftContract:
    """The layout every module follows today: its files, its definition variable, the
    public functions every definition file defines, and an exceptions module if each has."""
    functions = set.intersection(*(set(s.functions) for s in shapes.values()))
    options: dict = {"required_files": ["__init__.py", DEFINITION_FILE]}
    if all((modules_folder / name / "exceptions.py").is_file() for name in names):
        options["exceptions_module"] = "exceptions.py"
    options["definition_variable"] = True
    public = sorted(f for f in functions if not f.startswith("_"))
    if public:
        options["definition_functions"] = public
    return DraftContract("module-structure", "structure",
                         name="Every module follows the layout conventions",
                         description="Modules are discovered by convention: one without "
                                     "its definition, or with it under another name, is "
                                     "silently not loaded.",
                         options=options, severity="warning")


@dataclass(frozen=True)
class Initialised:
    """What ``archguard init`` wrote, and what the contracts say of the code today."""

    config: Path
    discovery: Discovery
    result: CheckResult
    baseline: Path | None


def may_write(project_dir: Path, target: Path, baseline: Path | None, *, force: bool) -> None:
    """Refuse to write outside the project, or over a file that exists without ``force``
    (a ``[tool.archguard]`` table in pyproject.toml counts as a configuration)."""
    project = project_dir.resolve()
    for path in (target, baseline):
        if path is None:
            continue
        if not path.resolve().is_relative_to(project):
            raise UsageError(f"{path} is outside the project ({project}): init writes only "
                             "inside it")
        if path.exists() and not force:
            raise UsageError(f"{path} exists: pass --force to replace it")
    if not force and target.resolve() == project / CONFIG_FILENAME \
            and _configured_in_pyproject(project):
        raise UsageError(f"{project / 'pyproject.toml'} has a [tool.archguard] table: pass "
                         f"--force to write {CONFIG_FILENAME} beside it (it is read first)")


def initialise(project_dir: Path, discovery: Discovery, target: Path, *, force: bool,
               baseline: Path | None) -> Initialised:
    """Write ``discovery``'s configuration at ``target`` (and, with ``baseline``, today's
    violations there), after reading it back and checking the code against it. A file that
    exists is replaced only with ``force``; nothing is written when anything fails."""
    from archguard.adapters.files import atomic_write
    from archguard.application.baseline import baseline_document
    from archguard.application.check import run_check
    from archguard.config import config_from_text
    from archguard.config.writer import render

    may_write(project_dir, target, baseline, force=force)
    text = render(discovery.draft)
    config = config_from_text(text, target, project_dir=project_dir)
    result = run_check(project_dir, config)
    atomic_write(target, text)
    if baseline is not None:
        atomic_write(baseline, baseline_document(result))
    return Initialised(target, discovery, result, baseline)


def _configured_in_pyproject(project: Path) -> bool:
    """Whether the project's configuration is its pyproject.toml's ``[tool.archguard]``, as
    the commands find it; a pyproject.toml that cannot be read configures nothing."""
    try:
        return find_config(project).name == "pyproject.toml"
    except ConfigError:
        return False
