"""A configuration's import contracts written as import-linter's (``archguard export
importlinter``): the mapping of :mod:`archguard.application.importlinter` read the other way,
names expanded against the project's modules as they are today, categories to the modules
that have them, and a comment wherever lint-imports will judge otherwise than archguard
(strings it cannot see, chains it follows or not).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from archguard.adapters.module_files import module_file
from archguard.application.importlinter import (
    LINT_IMPORTS_KINDS,
    RECURSIVE,
    STRINGS_NOTE,
    WHERE,
    WILDCARD,
    Inexpressible,
)
from archguard.application.inventory import build_inventory
from archguard.contracts.base import LAYER_CATEGORY
from archguard.contracts.layers import parse_layer
from archguard.domain.architecture import ANY, ArchitectureConfig, ContractSpec, Ignore, Indirect
from archguard.domain.imports import ImportKind
from archguard.domain.inventory import Module
from archguard.errors import UsageError


@dataclass(frozen=True)
class LinterSection:
    """A contract of the import-linter file being written: its id, name and type, its options
    in the order written (a list is written one item a line), and the comment above it."""

    id: str
    name: str
    type: str
    options: tuple[tuple[str, str | tuple[str, ...]], ...]
    comment: tuple[str, ...] = ()
    #: The id of the archguard contract it says.
    contract: str = ""


@dataclass(frozen=True)
class Exported:
    """An import-linter configuration written from archguard's: its text, its contracts, and
    each archguard contract left out with the reason."""

    text: str
    sections: tuple[LinterSection, ...]
    left_out: tuple[tuple[str, str], ...]


class _Project:
    """What the export needs of the project: its modules as the inventory settles them, and
    the way to full names."""

    def __init__(self, project_dir: Path, config: ArchitectureConfig) -> None:
        self.config = config
        self.modules: tuple[Module, ...] = build_inventory(project_dir, config).modules
        self.source_root = project_dir / config.source_root
        self.by_code = {module.code: module.name for module in self.modules}

    def dotted(self, names: Iterable[str]) -> tuple[str, ...]:
        """The modules' full names."""
        return tuple(f"{self.config.modules_package}.{name}" for name in names)

    def matching(self, patterns: Sequence[str]) -> list[str]:
        """The modules whose names match one of ``patterns`` (globs), in name order."""
        return [m.name for m in self.modules if any(fnmatchcase(m.name, p) for p in patterns)]

    def of_categories(self, categories: Sequence[str]) -> list[str]:
        """The modules of ``categories`` (``*``: of any category), in name order."""
        return [m.name for m in self.modules if m.category is not None
                and (ANY in categories or m.category in categories)]

    def exists(self, dotted: str) -> bool:
        """Whether ``dotted`` is a module or package of the tree."""
        return module_file(self.source_root, dotted).is_file()


def export_importlinter(project_dir: Path, config: ArchitectureConfig) -> Exported:
    """The import-linter configuration (the ``.importlinter`` form) of ``config``'s contracts
    that import-linter can express, each with a comment; a comment for each one left out."""
    project = _Project(project_dir, config)
    sections: list[LinterSection] = []
    specs: list[ContractSpec] = []
    left_out: list[tuple[str, str]] = []
    for spec in config.contracts:
        try:
            made = _export(spec, project)
        except Inexpressible as exc:
            left_out.append((spec.id, str(exc)))
            continue
        sections.extend(made)
        specs.append(spec)
    if not sections:
        raise UsageError(f"no contract of {config.source.name} can be written as an "
                         "import-linter contract: " + "; ".join(
                             f"{contract}: {reason}" for contract, reason in left_out))
    exclude = not any(ImportKind.TYPE_CHECKING in _counted(spec, config) for spec in specs)
    notes = {spec.id: _count_notes(spec, config, exclude) for spec in specs}
    shared = [note for note in notes[specs[0].id]
              if all(note in others for others in notes.values())]
    sections = [_with_comment(section, [n for n in notes[section.contract] if n not in shared])
                for section in sections]
    text = _render(config, sections, left_out, exclude, shared)
    return Exported(text, tuple(sections), tuple(left_out))


def _export(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """The import-linter contracts that say ``spec``."""
    exporters = {"forbidden": _export_forbidden, "category_layering": _export_categories,
                 "declared_dependencies": _export_declared, "kernel_generic": _export_kernel,
                 "independence": _export_independence, "layers": _export_layers}
    exporter = exporters.get(spec.type)
    if exporter is None:
        raise Inexpressible(_NOT_IMPORT_CONTRACTS.get(
            spec.type, f"import-linter has no contract that says what {spec.type} says"))
    return exporter(spec, project)


_NOT_IMPORT_CONTRACTS = {
    "purity": "purity allows the standard library and what it lists and forbids everything "
              "else; import-linter's contracts forbid named modules, and cannot say "
              "'nothing but'",
    "structure": "structure judges the files each module has, not its imports: import-linter "
                 "has no such contract",
}


def _export_forbidden(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """The modules the source and forbidden globs match today."""
    sources = project.matching(spec.options["source"])
    forbidden = project.matching(spec.options["forbidden"])
    globs = [p for p in (*spec.options["source"], *spec.options["forbidden"]) if "*" in p]
    comment = [f"Globs as the modules they match today: {', '.join(globs)}."] if globs else []
    return [_forbidden_section(spec, project, sources, forbidden, comment)]


def _export_categories(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """A forbidden contract: the modules of the source categories may not import those of
    the forbidden ones, but those ``allow`` names."""
    allowed = set(project.matching(spec.options.get("allow") or ()))
    sources = project.of_categories(spec.options["source"])
    forbidden = [name for name in project.of_categories(spec.options["forbidden"])
                 if name not in allowed]
    comment = [f"source: the modules of {', '.join(spec.options['source'])}; forbidden: those "
               f"of {', '.join(spec.options['forbidden'])}"
               + (f" but {', '.join(sorted(allowed))}" if allowed else "")
               + ", as the modules are categorised today."]
    return [_forbidden_section(spec, project, sources, forbidden, comment)]


def _export_declared(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """One forbidden contract a judged module: it may not import the modules of other
    categories than the allowed ones that it does not declare in requires."""
    judged = [m for m in project.modules if m.name in project.of_categories(
        spec.options.get("categories") or ("optional",))]
    allowed = set(project.of_categories(spec.options.get("allow_categories") or ("core",)))
    sections = []
    for module in judged:
        requires = {project.by_code.get(name, name) for name in module.requires}
        forbidden = [m.name for m in project.modules if m.name != module.name
                     and m.name not in allowed and m.name not in requires]
        if not forbidden:
            continue
        comment = [f"{module.name} ({module.category}) may import the modules of "
                   f"{', '.join(spec.options.get('allow_categories') or ('core',))}"
                   + (f" and what it requires ({', '.join(sorted(requires))})"
                      if requires else "") + ", as they are today."]
        section = _forbidden_section(spec, project, [module.name], forbidden, comment,
                                     suffix=module.name)
        sections.append(section)
    if not sections:
        raise Inexpressible("no module it judges may miss an import today: nothing to check")
    return sections


def _export_kernel(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """The kernel packages that exist, forbidden the modules of the forbidden categories.
    archguard follows no chain from the kernel: the imports are direct ones."""
    kernel = [name for name in project.config.kernel if project.exists(name)]
    missing = [name for name in project.config.kernel if name not in kernel]
    if not kernel:
        raise Inexpressible("none of its kernel packages exists")
    forbidden = project.of_categories(spec.options.get("forbidden") or ("optional",
                                                                         "internal"))
    comment = ["source: the kernel packages; forbidden: the modules of "
               f"{', '.join(spec.options.get('forbidden') or ('optional', 'internal'))}. "
               "archguard judges the imports the kernel's own code makes, as "
               "allow_indirect_imports = True does."]
    if missing:
        comment.append(f"Left out as they do not exist: {', '.join(missing)}.")
    return [_forbidden_section(spec, project, kernel, forbidden, comment, dotted=False,
                               direct=True)]


def _forbidden_section(spec: ContractSpec, project: _Project, sources: list[str],
                       forbidden: list[str], comment: list[str], *, suffix: str | None = None,
                       dotted: bool = True, direct: bool = False) -> LinterSection:
    """A forbidden contract from ``sources`` to ``forbidden`` (module names, or full names
    when not ``dotted``), following the chains ``spec`` follows unless ``direct``."""
    if not sources or not forbidden:
        raise Inexpressible(f"its {'source' if not sources else 'forbidden'} modules are "
                             "none today: nothing to check")
    if direct:
        allow_indirect = True
    else:
        allow_indirect, note = _indirect(spec)
        comment.append(note)
    options: list[tuple[str, str | tuple[str, ...]]] = [
        ("source_modules", project.dotted(sources) if dotted else tuple(sources)),
        ("forbidden_modules", project.dotted(forbidden)),
        ("allow_indirect_imports", str(allow_indirect))]
    return _section(spec, project, "forbidden", options, comment, suffix)


def _indirect(spec: ContractSpec) -> tuple[bool, str]:
    """``allow_indirect_imports`` for a forbidden contract, with what it says."""
    if spec.indirect == Indirect.ANY:
        return False, "Every chain of imports counts, through any code (indirect: any)."
    if spec.indirect == Indirect.NONE:
        return True, "Direct imports only (indirect: none)."
    return True, ("Direct imports only: archguard also follows chains of imports through the "
                  "kernel and uncategorised code (indirect: kernel), which import-linter "
                  "cannot follow through the kernel only.")


def _export_independence(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """The modules the globs match today, independent of each other."""
    modules = project.matching(spec.options["modules"])
    if len(modules) < 2:
        raise Inexpressible("fewer than two of its modules exist today: nothing to check")
    comment = [_chains_note(spec)]
    return [_section(spec, project, "independence",
                     [("modules", project.dotted(modules))], comment)]


def _export_layers(spec: ContractSpec, project: _Project) -> list[LinterSection]:
    """Each layer's members expanded to their modules, each module in the first layer and
    member that names it, as archguard places it."""
    placed: set[str] = set()
    layers = []
    for index, text in enumerate(spec.options["layers"]):
        layer = parse_layer(index, text)
        groups = []
        for member in layer.members:
            names = [name for name in _members(member, project) if name not in placed]
            placed.update(names)
            if names:
                groups.append(names)
        if layer.independent and len(groups) > 1 and any(len(g) > 1 for g in groups):
            raise Inexpressible(f"the layer '{text}' keeps its members independent, not the "
                                 "modules one member stands for, which import-linter cannot "
                                 "say")
        if groups:
            separator = " | " if layer.independent and len(groups) > 1 else " : "
            layers.append(separator.join(project.dotted(n for g in groups for n in g)))
    if len(layers) < 2:
        raise Inexpressible("fewer than two of its layers have modules today")
    comment = [_chains_note(spec)]
    return [_section(spec, project, "layers", [("layers", tuple(layers))], comment)]


def _members(member: str, project: _Project) -> list[str]:
    """The modules a layer's member stands for: a category's, or a glob's."""
    if member.startswith(LAYER_CATEGORY):
        return project.of_categories([member[len(LAYER_CATEGORY):]])
    return project.matching([member])


def _chains_note(spec: ContractSpec) -> str:
    """What a layers or independence contract follows, in each tool."""
    if spec.indirect == Indirect.ANY:
        return "lint-imports follows every chain of imports, as this contract does " \
               "(indirect: any)."
    followed = "through the kernel only" if spec.indirect == Indirect.KERNEL else "not at all"
    return ("lint-imports follows every chain of imports, through any code; this contract "
            f"follows them {followed} (indirect: {spec.indirect}): lint-imports can find "
            "chains archguard does not.")


def _section(spec: ContractSpec, project: _Project, kind: str,
             options: list[tuple[str, str | tuple[str, ...]]], comment: list[str],
             suffix: str | None = None) -> LinterSection:
    """The section of ``spec`` (for the module ``suffix``, when it is one of several), with
    the ignores that apply to it."""
    heading = (f"{spec.id} ({spec.type}"
               + (f", for {suffix}" if suffix else "") + f"), {project.config.source.name}"
               + (f":{spec.line}" if spec.line else "") + f": {spec.name}")
    ignores, ignore_notes = _linter_ignores(spec, project.config)
    if ignores:
        options.append(("ignore_imports", ignores))
        options.append(("unmatched_ignore_imports_alerting", "warn"))
    return LinterSection(
        id=f"{spec.id}.{suffix}" if suffix else spec.id,
        name=f"{spec.name} ({suffix})" if suffix else spec.name,
        type=kind, options=tuple(options), comment=(heading, *comment, *ignore_notes),
        contract=spec.id)


def _linter_ignores(spec: ContractSpec, config: ArchitectureConfig
                    ) -> tuple[tuple[str, ...], list[str]]:
    """The ignores that apply to ``spec`` as import-linter's ignore_imports, and a note for
    each one it cannot say."""
    applying = [*spec.ignores, *(i for i in config.ignores
                                 if not i.contracts or spec.id in i.contracts)]
    found: list[str] = []
    notes: list[str] = []
    for ignore in applying:
        expressions = _linter_expressions(ignore)
        if expressions is None:
            notes.append(f"The ignore {ignore.importer} -> {ignore.imported} is left out: "
                         "import-linter's wildcards stand for whole names, one (*) or one "
                         "or more (**); lint-imports reports the imports it accepts.")
            continue
        found += [e for e in expressions if e not in found]
    if found:
        notes.append("The ignores as ignore_imports; lint-imports takes each ignored import "
                     "out of the graph, archguard accepts the dependencies it names. One "
                     "that matches nothing is a warning in both.")
    return tuple(found), notes


def _linter_expressions(ignore: Ignore) -> list[str] | None:
    """``ignore`` as import-linter's ``importer -> imported`` lines; None when it cannot be."""
    importers = _linter_patterns(ignore.importer)
    imported = _linter_patterns(ignore.imported)
    if importers is None or imported is None:
        return None
    return [f"{a} -> {b}" for a in importers for b in imported]


def _linter_patterns(pattern: str) -> list[str] | None:
    """An archguard pattern as import-linter expressions that match the same names: ``*`` is
    one whole segment in both; archguard's ``**`` matches none or more segments (one or more
    first in the pattern), import-linter's one or more and never beside another wildcard.
    None when import-linter cannot say it."""
    parts = pattern.split(".")
    found: list[list[str]] = [[]]
    index = 0
    while index < len(parts):
        if parts[index] not in (WILDCARD, RECURSIVE):
            if WILDCARD in parts[index]:
                return None
            found = [[*done, parts[index]] for done in found]
            index += 1
            continue
        end = index
        while end < len(parts) and parts[end] in (WILDCARD, RECURSIVE):
            end += 1
        run = parts[index:end]
        if RECURSIVE not in run:
            found = [done + run for done in found]
        else:
            fewest = run.count(WILDCARD) + (index == 0 and run[0] == RECURSIVE)
            if fewest > 1:
                return None
            found = [[*done, RECURSIVE] for done in found] + (
                [list(done) for done in found] if fewest == 0 else [])
        index = end
    return [".".join(done) for done in found if done]


def _counted(spec: ContractSpec, config: ArchitectureConfig) -> tuple[str, ...]:
    """The kinds ``spec`` counts: its own, else the policy's."""
    return tuple(spec.count or config.counted_kinds)


def _count_notes(spec: ContractSpec, config: ArchitectureConfig, exclude: bool) -> list[str]:
    """What lint-imports counts for ``spec`` that archguard does not, and the other way."""
    counted = _counted(spec, config)
    linted = [kind for kind in LINT_IMPORTS_KINDS
              if not (kind == ImportKind.TYPE_CHECKING and exclude)]
    notes = []
    if config.strings.enabled and ImportKind.STRING in counted:
        notes.append(f"archguard also counts the {STRINGS_NOTE}, which lint-imports "
                     "cannot see.")
    elif config.strings.enabled and {ImportKind.GUARDED, ImportKind.TYPE_CHECKING} & set(counted):
        notes.append("archguard also counts the dependencies strings make under TYPE_CHECKING "
                     "or in try/except ImportError, which lint-imports cannot see.")
    extra = [WHERE[kind] for kind in linted if kind not in counted]
    if extra:
        notes.append(f"lint-imports also counts the imports {' and '.join(extra)}, which "
                     "archguard does not count here.")
    if spec.severity != "error":
        notes.append(f"archguard reports it as {spec.severity}; lint-imports fails on it as "
                     "on any other.")
    return notes


def _with_comment(section: LinterSection, notes: list[str]) -> LinterSection:
    return replace(section, comment=(*section.comment, *notes))


def _render(config: ArchitectureConfig, sections: list[LinterSection],
            left_out: list[tuple[str, str]], exclude: bool, shared: list[str]) -> str:
    """The INI text: the session, with the notes that hold for every contract, each contract
    with its comment, then what is left out."""
    lines = _comment((f"The import contracts of {config.source.name}, as import-linter "
                      "contracts: lint-imports --config FILE.",
                      "lint-imports counts every import statement, at module level, inside "
                      "functions and in try/except ImportError"
                      + (", not under TYPE_CHECKING" if exclude else ", and under "
                         "TYPE_CHECKING") + "; it sees no dependency made by a string, and "
                      "no inline `# archguard: ignore`.",
                      *((f"For every contract below: {' '.join(shared)}",) if shared else ())))
    lines += ["[importlinter]", f"root_package = {config.root_package}"]
    if exclude:
        lines.append("exclude_type_checking_imports = True")
    for section in sections:
        lines += ["", *_comment(section.comment), f"[importlinter:contract:{section.id}]",
                  f"name = {_ini_text(section.name)}", f"type = {section.type}"]
        for key, value in section.options:
            if isinstance(value, str):
                lines.append(f"{key} = {value}")
            else:
                lines += [f"{key} =", *(f"    {item}" for item in value)]
    if left_out:
        lines += ["", *_comment((f"Left out of {config.source.name}, as import-linter has no "
                                 "contract that says them:",
                                 *(f"- {contract}: {reason}." for contract, reason in left_out)))]
    return "\n".join(lines) + "\n"


def _comment(lines: Iterable[str]) -> list[str]:
    """INI comment lines, folded; a line starting ``- `` is a list item, its folds indented."""
    return [f"# {part}" for line in lines
            for part in textwrap.wrap(line, 90, break_on_hyphens=False,
                                            subsequent_indent="  " * line.startswith("- "))]


def _ini_text(text: str) -> str:
    """A value configparser reads back as written: one line, ``%`` doubled."""
    return " ".join(text.split()).replace("%", "%%")
