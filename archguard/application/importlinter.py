"""An import-linter configuration converted to archguard's (``archguard init
--from-importlinter``); what both directions share (the export is
:mod:`archguard.application.importlinter_export`).

import-linter names any module by its dotted name; archguard's contracts name the packages
directly in one modules package, by their last name. A contract is converted only when
archguard then reaches exactly the verdicts lint-imports reaches: every module it names is
such a package, and archguard counts the import statements lint-imports counts (every one,
wherever it is) and follows the chains it follows. A contract that cannot be said so is left
out, with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archguard.adapters.module_files import module_folders
from archguard.adapters.package_tree import modules_in
from archguard.application.init import Discovery
from archguard.config.importlinter import LinterConfig, LinterContract, read_importlinter
from archguard.config.writer import ConfigDraft, DraftContract
from archguard.domain.architecture import ANY, Indirect
from archguard.domain.imports import ImportKind
from archguard.errors import ConfigError, UsageError

#: The kinds of import statement lint-imports counts: every one, wherever it is.
LINT_IMPORTS_KINDS = (ImportKind.MODULE, ImportKind.LAZY, ImportKind.TYPE_CHECKING,
                      ImportKind.GUARDED)
#: The one category of a converted configuration's modules.
CATEGORY = "module"
#: The contract types archguard converts.
CONVERTED_TYPES = ("forbidden", "layers", "independence")
WILDCARD, RECURSIVE = "*", "**"
#: Where each kind of import statement sits, as a comment says it.
WHERE = {ImportKind.MODULE: "at module level", ImportKind.LAZY: "inside functions",
         ImportKind.TYPE_CHECKING: "under TYPE_CHECKING",
         ImportKind.GUARDED: "in try/except ImportError"}
_EVERY_CHAIN = "lint-imports follows every chain of imports, through any code"
STRINGS_NOTE = ("dependencies made by strings (importlib, Django 'app.Model' labels, "
                 "SQLAlchemy relationship('Class'), …)")


#: A converted contract's options: each a list of module names (or layers).
_Options = dict[str, list[str]]


class Inexpressible(Exception):
    """A contract the other tool cannot say exactly: ``str()`` is why."""


class _Missing(Inexpressible):
    """A module a contract names that the project does not have."""


# -- import-linter to archguard ---------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    """A contract of the import-linter file, with the modules it names (dotted; ``P.*`` for
    a wildcard of P's children), or why it cannot be converted whatever the modules package."""

    contract: LinterContract
    named: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class _Target:
    """Where the converted contracts' modules are: the root and modules packages, and the
    modules package's children: archguard's modules, and the others grimp reads (each with
    what it is)."""

    root: str
    package: str
    source_root: str
    modules: frozenset[str]
    others: dict[str, str] = field(default_factory=dict)

    def module(self, dotted: str) -> str:
        """The archguard name of the module import-linter calls ``dotted``."""
        if dotted == f"{self.package}.{WILDCARD}":
            if self.others:
                shown = ", ".join(f"{self.package}.{name} ({why})"
                                  for name, why in sorted(self.others.items()))
                raise Inexpressible(f"{dotted} also matches {shown}, which archguard does "
                                     f"not take as modules: its '*' stands for the packages "
                                     f"of {self.package} only")
            return ANY
        if WILDCARD in dotted:
            raise Inexpressible(f"the wildcard {dotted}: archguard's contracts can say "
                                 f"{self.package}.* (every module) only")
        parent, _, name = dotted.rpartition(".")
        if parent != self.package:
            raise Inexpressible(f"{dotted} is not a package directly in {self.package}, the "
                                 "modules package: archguard's contracts name those only")
        if name in self.modules:
            return name
        if name in self.others:
            raise Inexpressible(f"{dotted} is {self.others[name]}, not one of archguard's "
                                 f"modules (the public packages of {self.package})")
        raise _Missing(f"{dotted} does not exist (lint-imports fails on it too)")


def convert(project_dir: Path, file: Path) -> Discovery:
    """The archguard configuration equivalent to the import-linter configuration ``file``,
    for the codebase in ``project_dir``: each contract that archguard can say exactly, and
    for each other one, the reason, in a ``found`` line and in the footer."""
    linter = read_importlinter(file)
    plans = [_plan(contract, linter) for contract in linter.contracts]
    named = [name for plan in plans if plan.reason is None for name in plan.named]
    if not named:
        raise _nothing_converted(linter, [(plan.contract, plan.reason) for plan in plans])
    target = _target(project_dir, linter, named)
    contracts: list[DraftContract] = []
    left_out: list[tuple[LinterContract, str]] = []
    used: set[str] = set()
    for plan in plans:
        if plan.reason is not None:
            left_out.append((plan.contract, plan.reason))
            continue
        try:
            contracts.append(_draft(plan.contract, linter, target, used))
        except Inexpressible as exc:
            left_out.append((plan.contract, str(exc)))
    if not contracts:
        raise _nothing_converted(linter, left_out)
    return Discovery(_config_draft(linter, target, contracts, left_out),
                     _found(linter, target, named, contracts, left_out))


def _nothing_converted(linter: LinterConfig,
                       left_out: Sequence[tuple[LinterContract, str | None]]) -> ConfigError:
    """The error when no contract of the file can be said exactly: each one's reason."""
    reasons = "; ".join(f"{contract.id} (line {contract.line}): {reason}"
                        for contract, reason in left_out)
    first = left_out[0][0].position() if left_out else linter.position
    return ConfigError(f"no contract of {linter.file.name} can be converted to archguard, "
                       f"which would judge it otherwise: {reasons}", first)


def _plan(contract: LinterContract, linter: LinterConfig) -> _Plan:
    """What ``contract`` names, or why no modules package would let archguard say it."""
    try:
        return _Plan(contract, tuple(_names(contract, linter)))
    except Inexpressible as exc:
        return _Plan(contract, reason=str(exc))


def _names(contract: LinterContract, linter: LinterConfig) -> list[str]:
    """The modules ``contract`` names, once its type and options are ones archguard has."""
    if contract.type not in CONVERTED_TYPES:
        raise Inexpressible(f"archguard has no contract kind for import-linter's "
                             f"{contract.type} contracts")
    if _follows_chains(contract):
        _check_chains(contract, linter)
    if contract.type == "forbidden":
        if not contract.flag("as_packages", default=True):
            raise Inexpressible("as_packages = False: archguard's modules are packages, "
                                 "judged with everything in them")
        names = [*contract.values("source_modules"), *contract.values("forbidden_modules")]
        outside = [name for name in names if not _in_roots(name, linter.root_packages)]
        if outside:
            raise Inexpressible(f"{', '.join(outside)} is outside the project's root "
                                 "package: "
                                 "archguard's forbidden contracts name modules of the "
                                 "project (a purity contract allows, it does not forbid)")
        return names
    if contract.type == "independence":
        return list(contract.values("modules"))
    if contract.flag("exhaustive"):
        raise Inexpressible("exhaustive = True: archguard's layers do not require every "
                             "package of the container to be a layer")
    prefix = _container(contract)
    return [prefix + tail for layer in _layers(contract) for tail, _optional in layer[1]]


def _follows_chains(contract: LinterContract) -> bool:
    """Whether lint-imports follows chains of imports for ``contract``: layers and
    independence always, forbidden unless ``allow_indirect_imports = True``."""
    return contract.type != "forbidden" or not contract.flag("allow_indirect_imports")


def _check_chains(contract: LinterContract, linter: LinterConfig) -> None:
    """A contract that follows chains is exact in archguard only without what makes
    archguard's chains differ from grimp's."""
    if len(linter.root_packages) > 1:
        raise Inexpressible(f"several root packages ({', '.join(linter.root_packages)}) "
                             "with a contract that follows chains of imports: a chain may "
                             "pass through a root package archguard does not read")


def _in_roots(name: str, roots: Iterable[str]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _container(contract: LinterContract) -> str:
    """The prefix of a layers contract's layers: its one container and a dot, or none."""
    containers = contract.values("containers")
    if len(containers) > 1:
        raise Inexpressible(f"{len(containers)} containers: archguard's layers contract "
                             "is one stack of modules, in one modules package")
    if containers and WILDCARD in containers[0]:
        raise Inexpressible(f"the container {containers[0]} is a wildcard: archguard's "
                             "layers contract is one stack of modules, in one modules "
                             "package")
    return f"{containers[0]}." if containers else ""


def _layers(contract: LinterContract) -> list[tuple[bool, list[tuple[str, bool]]]]:
    """Each layer as import-linter reads it: whether its members are independent, and each
    member with whether it is optional (written in parentheses)."""
    layers = []
    for text in contract.values("layers"):
        if "|" in text and ":" in text:
            raise ConfigError(f"layer '{text}' mixes '|' and ':' (lint-imports refuses it)",
                              contract.position("layers"), key=f"{contract.id}.layers")
        separator = "|" if "|" in text else ":"
        members = []
        for raw in (part.strip() for part in text.split(separator)):
            optional = raw.startswith("(") and raw.endswith(")")
            members.append((raw[1:-1].strip() if optional else raw, optional))
        layers.append((separator == "|", members))
    return layers


def _target(project_dir: Path, linter: LinterConfig, named: list[str]) -> _Target:
    """The root package, the modules package (the parent most of the named modules share)
    and what the tree holds in it."""
    roots = sorted({root for name in named for root in linter.root_packages
                    if _in_roots(name, [root])})
    if len(roots) > 1:
        raise UsageError(f"the contracts of {linter.file.name} name modules of {len(roots)} "
                         f"root packages ({', '.join(roots)}): archguard checks one root "
                         "package; convert a file whose contracts name one of them")
    root = roots[0]
    source_root = _source_root(project_dir, root)
    parents = Counter(name.rpartition(".")[0] for name in set(named)
                      if name.rpartition(".")[0])
    package = min(parents, key=lambda parent: (-parents[parent], parent.count("."), parent)
                  ) if parents else root
    folder = project_dir / source_root / Path(*package.split("."))
    modules = frozenset(entry.name for entry, has_init in _module_folders(folder)
                        if has_init and entry.name.isidentifier())
    others = dict.fromkeys(modules_in(folder), "a module, not a package")
    others.update(dict.fromkeys(_private_packages(folder), "a private package"))
    return _Target(root, package, source_root, modules, others)


def _module_folders(folder: Path) -> list[tuple[Path, bool]]:
    try:
        return module_folders(folder)
    except OSError:
        return []


def _private_packages(folder: Path) -> list[str]:
    """The packages of ``folder`` whose names start with ``_``, which grimp reads and
    archguard does not take as modules."""
    try:
        return sorted(entry.name for entry in folder.iterdir()
                      if entry.name.startswith("_") and (entry / "__init__.py").is_file())
    except OSError:
        return []


def _source_root(project_dir: Path, root: str) -> str:
    """``.`` or ``src``: where ``root`` is a package, as lint-imports run in
    ``project_dir`` imports it."""
    for candidate in (".", "src"):
        if (project_dir / candidate / Path(*root.split(".")) / "__init__.py").is_file():
            return candidate
    raise UsageError(f"{root}, the root package of the import-linter configuration, is not "
                     f"a package in {project_dir} (nor in its src folder)")


def _draft(contract: LinterContract, linter: LinterConfig, target: _Target,
           used: set[str]) -> DraftContract:
    """``contract`` as archguard writes it."""
    contract_id = _archguard_id(contract.id, used)
    comment = [f"{linter.file.name}:{contract.line}: import-linter's {contract.type} contract "
               f"'{contract.id}'" + (f", written {contract_id} here" if contract_id !=
                                     contract.id else "") + "."]
    ignore = tuple(_ignores(contract, linter))
    if contract.type == "forbidden":
        options, indirect, note = _forbidden(contract, target)
    elif contract.type == "independence":
        options = {"modules": _unique(target.module(name) for name in contract.values("modules"))}
        indirect, note = Indirect.ANY, _EVERY_CHAIN
    else:
        options, dropped = _layers_option(contract, target)
        indirect, note = Indirect.ANY, _EVERY_CHAIN
        if dropped:
            comment.append(f"Left out of its layers until they exist, as they are optional: "
                           f"{', '.join(dropped)}.")
    comment.append(f"{note} (indirect: {indirect}).")
    if ignore:
        comment.append(f"Its ignore_imports, as ignores: {_alerting_note(contract)}")
    return DraftContract(contract_id, contract.type, name=contract.name,
                         description=contract.text("broken_contract_guidance").strip(),
                         options=options, indirect=indirect.value, ignore=ignore,
                         comment=tuple(comment))


def _forbidden(contract: LinterContract, target: _Target) -> tuple[_Options, Indirect, str]:
    sources = _unique(target.module(name) for name in contract.values("source_modules"))
    forbidden = _unique(target.module(name) for name in contract.values("forbidden_modules"))
    both = [name for name in sources if name in forbidden and name != ANY]
    if both:
        raise Inexpressible(f"{', '.join(both)} is both a source and forbidden: lint-imports "
                             "skips the pair, archguard refuses the contract")
    if contract.flag("allow_indirect_imports"):
        indirect, note = Indirect.NONE, "allow_indirect_imports = True: direct imports only"
    else:
        indirect, note = Indirect.ANY, ("allow_indirect_imports = False: every chain of "
                                        "imports counts, through any code")
    return {"source": sources, "forbidden": forbidden}, indirect, note


def _layers_option(contract: LinterContract, target: _Target) -> tuple[_Options, list[str]]:
    """The ``layers`` option, and the optional layers left out as the project lacks them."""
    prefix = _container(contract)
    layers, dropped = [], []
    for independent, members in _layers(contract):
        names = []
        for tail, optional in members:
            try:
                names.append(target.module(prefix + tail))
            except _Missing:
                if not optional:
                    raise
                dropped.append(prefix + tail)
        if names:
            layers.append((" | " if independent else " : ").join(names))
    if len(layers) < 2:
        raise Inexpressible("fewer than two of its layers exist: archguard's layers "
                             "contracts have two or more")
    return {"layers": layers}, dropped


def _alerting_note(contract: LinterContract) -> str:
    """What becomes of an ignore that matches nothing, in each tool."""
    alerting = contract.text("unmatched_ignore_imports_alerting").strip() or "error"
    if alerting == "error":
        return ("lint-imports stops when one matches no import; archguard warns "
                "(unused-ignore).")
    if alerting == "warn":
        return "one that matches nothing is a warning in both (archguard's unused-ignore)."
    return ("one that matches nothing is no finding in lint-imports, a warning in archguard "
            "(unused-ignore).")


def _ignores(contract: LinterContract, linter: LinterConfig) -> Iterable[dict[str, str]]:
    """The contract's ignore_imports, as archguard ignores."""
    for line in contract.values("ignore_imports"):
        importer, arrow, imported = (part.strip() for part in line.partition("->"))
        if not (arrow and importer and imported):
            raise ConfigError(f"'{line}' is not an ignored import such as a.b -> c.d "
                              "(lint-imports refuses it)", contract.position("ignore_imports"),
                              key=f"{contract.id}.ignore_imports")
        yield {"importer": _archguard_pattern(importer, contract),
               "imported": _archguard_pattern(imported, contract),
               "reason": f"ignored in {linter.file.name}"}


def _archguard_pattern(expression: str, contract: LinterContract) -> str:
    """An import-linter module expression as an archguard pattern: ``*`` is one segment in
    both; import-linter's ``**`` is one or more, archguard's none or more after the first
    segment, so ``a.**`` is written ``a.*.**``."""
    parts = expression.split(".")
    for part in parts:
        if WILDCARD in part and part not in (WILDCARD, RECURSIVE):
            raise ConfigError(f"'{expression}': a wildcard replaces a whole name "
                              "(lint-imports refuses it)", contract.position("ignore_imports"),
                              key=f"{contract.id}.ignore_imports")
    return ".".join(f"{WILDCARD}.{RECURSIVE}" if part == RECURSIVE and index else part
                    for index, part in enumerate(parts))


def _archguard_id(linter_id: str, used: set[str]) -> str:
    """An id archguard accepts (lower case, digits, ``.``, ``_``, ``-``), unique."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-"
                      for c in linter_id.lower()).strip("-._") or "contract"
    candidate, number = cleaned, 2
    while candidate in used:
        candidate, number = f"{cleaned}-{number}", number + 1
    used.add(candidate)
    return candidate


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _config_draft(linter: LinterConfig, target: _Target, contracts: list[DraftContract],
                  left_out: Sequence[tuple[LinterContract, str]]) -> ConfigDraft:
    """The configuration: every package of the modules package a module of one category,
    counting what lint-imports counts, the contracts, and those left out in the footer."""
    counted = tuple(kind.value for kind in LINT_IMPORTS_KINDS
                    if not (kind == ImportKind.TYPE_CHECKING
                            and linter.exclude_type_checking_imports))
    where = ", ".join(WHERE[ImportKind(kind)] for kind in counted)
    footer: tuple[str, ...] = ()
    if left_out:
        footer = (f"Left out of {linter.file.name}, as archguard would judge them otherwise:",
                  *(f"- {contract.id} ({linter.file.name}:{contract.line}): {reason}"
                    for contract, reason in left_out))
    return ConfigDraft(
        header=(f"The contracts of {linter.file.name}, as archguard contracts: each judges "
                "what lint-imports judges, over the same import statements.",),
        root_package=target.root,
        modules_package=target.package,
        source_root=target.source_root,
        categories={CATEGORY: f"A package of {target.package}, as import-linter names it."},
        definitions_comment=("import-linter reads no module definitions: the modules are "
                             "the packages below.",),
        modules={name: {"category": CATEGORY} for name in sorted(target.modules)},
        modules_comment=(f"Every package of {target.package}, the contracts naming them by "
                         "their last name.",),
        strings={"enabled": False},
        strings_comment=("lint-imports sees no dependency made by a string: none is read, "
                         "those under TYPE_CHECKING or in try/except ImportError included.",),
        count=counted,
        count_comment=(f"lint-imports counts every import statement: {where}. Enable strings "
                       f"and add `string` to also count the {STRINGS_NOTE}, which "
                       "import-linter cannot see.",),
        contracts=tuple(contracts),
        footer=footer,
    )


def _found(linter: LinterConfig, target: _Target, named: list[str],
           contracts: list[DraftContract],
           left_out: Sequence[tuple[LinterContract, str]]) -> tuple[str, ...]:
    """What ``init`` says it found: the packages, and what became of each contract."""
    modules = {name for name in named if not name.endswith(f".{WILDCARD}")}
    inside = [name for name in modules if name.rpartition(".")[0] == target.package]
    how = "root_packages" if len(linter.root_packages) > 1 else "root_package"
    return (f"root package: {target.root} ({how} in {linter.file.name})",
            f"modules package: {target.package} (it holds {len(inside)} of the "
            f"{len(modules)} modules the contracts name)",
            f"{len(contracts)} of the {len(linter.contracts)} contracts of "
            f"{linter.file.name} converted",
            *(f"contract {contract.id} left out: {reason}" for contract, reason in left_out))
