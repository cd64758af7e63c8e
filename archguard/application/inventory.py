"""Building the module inventory: what is on disk, merged with what the config and each
``definition.py`` declare. Nothing of the analysed project is imported."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from archguard.adapters.definitions import read_definition
from archguard.adapters.module_files import (
    definition_file,
    folders_without_init,
    module_folders,
    modules_folder,
)
from archguard.domain import finding_rules as rules
from archguard.domain.architecture import ArchitectureConfig, ModuleDeclaration
from archguard.domain.inventory import (
    FROM_CONFIG,
    FROM_DEFINITION,
    DefinitionFacts,
    Finding,
    Inventory,
    Module,
)
from archguard.domain.patterns import matches_path
from archguard.errors import SourceSyntaxError


def build_inventory(project_dir: Path, config: ArchitectureConfig,
                    manifest: Sequence[tuple[str, int, int]] | None = None) -> Inventory:
    """Find every module of ``project_dir`` and settle its category and requires.
    ``manifest``: the package folder's :func:`~archguard.adapters.files.source_manifest`,
    when the caller has read it."""
    folder = modules_folder(project_dir, config)
    findings: list[Finding] = []
    modules: list[Module] = []
    on_disk: set[str] = set()
    source_root = project_dir / config.source_root
    unread: list[Path] = []
    namespace = _namespace_modules_package(source_root, config)
    if namespace is not None:
        unread.append(namespace[0])
        findings.append(namespace[1])
    for entry, has_init in module_folders(folder):
        if not has_init:
            declared = _declared_by(entry, config)
            if declared and not _excluded(entry, source_root, config):
                on_disk.add(entry.name)  # reported here, not as missing
                unread.append(entry)
                findings.append(rules.MISSING_INIT.finding(
                    f"module '{entry.name}' is declared {declared} but {entry.name}/ has no "
                    "__init__.py: it is not a package, so import graphs drop it with every "
                    "import it makes, and it is not checked; add __init__.py",
                    entry, severity="error",
                ))
            continue
        on_disk.add(entry.name)
        declared = config.modules.get(entry.name)
        facts = _read_facts(entry, config, findings)
        modules.append(_settle(entry, config, declared, facts, findings))

    for name, declared in config.modules.items():
        if name not in on_disk:
            findings.append(rules.DECLARED_MODULE_MISSING.finding(
                f"module '{name}' is declared but {config.modules_package}.{name} does not exist",
                config.source, declared.line,
            ))
    _check_requires(modules, config, findings)
    for path, finding in _folders_without_init(source_root, config, set(unread), manifest):
        unread.append(path)
        findings.append(finding)
    findings += _missing_names(source_root, config)
    return Inventory(
        project_dir=project_dir,
        modules_package=config.modules_package,
        modules=tuple(modules),
        kernel=config.kernel,
        findings=tuple(findings),
        unread_folders=tuple(unread),
    )


def _namespace_modules_package(source_root: Path, config: ArchitectureConfig
                               ) -> tuple[Path, Finding] | None:
    """The first folder, from below the root package down to the modules package, that has
    no ``__init__.py``, with its finding (an error); None when each has one.

    Python imports such a folder as a namespace package, but no import graph reads one:
    none of the modules below it would be checked, and every contract would be kept by
    checking nothing.
    """
    root = config.root_package.split(".")
    parts = config.modules_package.split(".")
    for depth in range(len(root) + 1, len(parts) + 1):
        folder = source_root / Path(*parts[:depth])
        if (folder / "__init__.py").is_file():
            continue
        shown = folder.relative_to(source_root).as_posix()
        return folder, rules.MISSING_INIT.finding(
            f"{shown}/ has no __init__.py: {'.'.join(parts[:depth])} is a namespace package, "
            "which no import graph reads (grimp's, so neither import-linter's nor "
            f"archguard's): no module of {config.modules_package} is checked; add "
            f"{shown}/__init__.py",
            folder, severity="error",
        )
    return None


def _declared_by(folder: Path, config: ArchitectureConfig) -> str | None:
    """Where a folder of the modules package is declared a module: ``in archguard.yaml``,
    ``by its definition.py``; None when it is not."""
    if folder.name in config.modules:
        return f"in {config.source.name}"
    if config.definitions.enabled and definition_file(folder, config.definitions):
        return f"by its {config.definitions.file}"
    return None


def _folders_without_init(source_root: Path, config: ArchitectureConfig,
                          reported: set[Path], manifest: Sequence[tuple[str, int, int]] | None
                          ) -> list[tuple[Path, Finding]]:
    """Folders of the package tree that hold Python files but no ``__init__.py``, each with
    its finding; those ``reported`` (as errors, by the inventory) are left out.

    Inside a regular package such a folder is not importable as part of it, and import
    graphs leave it out silently, with every import its files make.
    """
    package_dir = source_root / Path(*config.root_package.split("."))
    found = []
    for path, count in folders_without_init(
            package_dir, lambda p: p in reported or _excluded(p, source_root, config),
            manifest):
        shown = path.relative_to(source_root).as_posix()
        found.append((path, rules.MISSING_INIT.finding(
            f"{shown}/ holds {count} Python file{'s' if count != 1 else ''} but no "
            "__init__.py: import graphs leave it out, with every import "
            f"{'they make' if count != 1 else 'it makes'}, and it is not checked; add "
            "__init__.py, or list the folder under project.exclude if it holds no code "
            "of the package",
            path,
        )))
    return found


def _missing_names(source_root: Path, config: ArchitectureConfig) -> list[Finding]:
    """Kernel packages and entry points the configuration names that are not in the tree,
    each a warning at its line: a stale entry classifies or starts nothing, but neither
    does it make what exists judged wrongly (``simulate`` refuses a missing entry point
    itself)."""
    found = []
    named = [(rules.MISSING_KERNEL_PACKAGE, "kernel", name, True,
              f"kernel entry '{name}' names no module or package of the project: it counts "
              "nothing as core") for name in config.kernel]
    named += [(rules.MISSING_ENTRY_POINT, "runtime.entry_points", name, False,
               f"entry point '{name}' names no module of the project: start-up cannot be "
               "followed from it") for name in config.runtime.entry_points]
    for rule, key, name, folder_counts, message in named:
        if _in_tree(source_root, name, folder_counts):
            continue
        hint = _nearest_module(source_root, name)
        found.append(rule.finding(message + (f" (did you mean '{hint}'?)" if hint else ""),
                                  config.source, config.lines.get((key, name))))
    return found


def _in_tree(source_root: Path, dotted: str, folder_counts: bool) -> bool:
    """Whether ``dotted`` is a module of the tree (``a/b.py``, ``a/b/__init__.py``), or,
    when ``folder_counts``, any folder (one without ``__init__.py`` is a ``missing-init``
    finding of its own). What cannot be searched is taken to be there: the reading reports
    it."""
    base = source_root / Path(*dotted.split("."))
    try:
        if base.with_name(base.name + ".py").is_file() or (base / "__init__.py").is_file():
            return True
        return folder_counts and base.is_dir()
    except OSError:
        return True


def _nearest_module(source_root: Path, dotted: str) -> str | None:
    """The module or package beside where ``dotted`` would be whose name is closest to its
    last part, when it is close enough to be a typo: closer than the configuration's own
    suggestions ask, since packages of a tree share endings (``orders`` is not what
    ``providers`` meant)."""
    parent, _, name = dotted.rpartition(".")
    folder = source_root / Path(*parent.split(".")) if parent else source_root
    try:
        names = [entry.name.removesuffix(".py") for entry in folder.iterdir()
                 if entry.suffix == ".py" or (entry / "__init__.py").is_file()]
    except OSError:
        return None
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if not found:
        return None
    return f"{parent}.{found[0]}" if parent else found[0]


def _excluded(path: Path, source_root: Path, config: ArchitectureConfig) -> bool:
    """Whether ``path`` matches a glob of ``project.exclude``."""
    relative = path.relative_to(source_root).as_posix()
    return any(matches_path(pattern, relative) for pattern in config.exclude)


def _read_facts(entry: Path, config: ArchitectureConfig,
                findings: list[Finding]) -> DefinitionFacts | None:
    reading = config.definitions
    if not reading.enabled:
        return None
    path = definition_file(entry, reading)
    if path is None:
        return None
    try:
        facts = read_definition(path, entry.name, reading)
    except SourceSyntaxError as exc:
        findings.append(rules.UNPARSABLE_DEFINITION.finding(str(exc), exc.path, exc.line))
        return None
    for problem in facts.problems:
        findings.append(rules.UNREADABLE_DEFINITION.finding(problem, path, facts.line))
    return facts


def _settle(entry: Path, config: ArchitectureConfig, declared: ModuleDeclaration | None,
            facts: DefinitionFacts | None, findings: list[Finding]) -> Module:
    reading = config.definitions
    declared = declared or ModuleDeclaration(name=entry.name)
    from_definition = facts is not None and facts.variable is not None

    category, category_source = declared.category, FROM_CONFIG if declared.category else None
    if from_definition and "category" in reading.read:
        defined = facts.category(reading)
        if declared.category is not None and defined != declared.category:
            findings.append(rules.CATEGORY_MISMATCH.finding(
                f"{entry.name}: {reading.file} makes it {defined} "
                f"({_flags_text(facts)}), {config.source.name} says {declared.category}",
                facts.path, facts.line,
            ))
        category, category_source = defined, FROM_DEFINITION

    requires, requires_source = declared.requires, FROM_CONFIG
    if from_definition and "requires" in reading.read and facts.requires is not None:
        if declared.requires is not None and set(declared.requires) != set(facts.requires):
            findings.append(rules.REQUIRES_MISMATCH.finding(
                f"{entry.name}: {reading.file} requires [{', '.join(facts.requires)}], "
                f"{config.source.name} says [{', '.join(declared.requires)}]",
                facts.path, facts.requires_line or facts.line,
            ))
        requires, requires_source = facts.requires, FROM_DEFINITION
    if requires is None:
        requires, requires_source = (), None

    code = declared.code or (facts.code if facts and facts.code else None) or entry.name
    if category is None:
        findings.append(rules.UNCATEGORISED_MODULE.finding(
            f"module '{entry.name}' has no category: declare it under modules in "
            f"{config.source.name}" + (f" or in its {reading.file}" if reading.enabled else ""),
            entry,
        ))
    return Module(
        name=entry.name,
        package=f"{config.modules_package}.{entry.name}",
        path=entry,
        code=code,
        category=category,
        category_source=category_source,
        requires=tuple(requires),
        requires_source=requires_source,
        purpose=declared.purpose,
        definition=facts.path if facts is not None else None,
    )


def _flags_text(facts: DefinitionFacts) -> str:
    return ", ".join(f"{k}={v}" for k, v in facts.flags.items()) or "no flags set"


def _check_requires(modules: list[Module], config: ArchitectureConfig,
                    findings: list[Finding]) -> None:
    known = {m.name for m in modules} | {m.code for m in modules}
    for module in modules:
        for required in module.requires:
            if required not in known:
                findings.append(rules.UNKNOWN_REQUIREMENT.finding(
                    f"{module.name} requires '{required}', which is not a module of "
                    f"{config.modules_package}",
                    module.definition or config.source,
                ))
