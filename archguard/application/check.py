"""``check``: the import graph against the contracts, with kinds, positions and uses."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from archguard.adapters.module_files import ModuleFiles
from archguard.application.project import Project
from archguard.application.reading import CACHE_DIR, NO_PROGRESS, CheckProgress
from archguard.contracts import Contract, OptionType, build_contract
from archguard.domain import finding_rules as rules
from archguard.domain.architecture import ArchitectureConfig, Ignore, Indirect
from archguard.domain.chains import Hops, chain_from, hops_to
from archguard.domain.imports import ImportKind, UseSite
from archguard.domain.inventory import Finding, Inventory
from archguard.domain.layout import Owner, OwnerKind
from archguard.domain.patterns import matches
from archguard.domain.violations import CheckResult, ContractOutcome, Violation

_KIND_ORDER = (ImportKind.MODULE, ImportKind.LAZY, ImportKind.GUARDED, ImportKind.TYPE_CHECKING)


def _weakest(kinds: list[ImportKind]) -> ImportKind:
    """A chain runs only as far as its weakest link: one TYPE_CHECKING link never runs."""
    return max(kinds, key=_KIND_ORDER.index)


class _CheckRun:
    """One check run: the project read once, the contracts, and what they found;
    ``progress`` is told as it judges."""

    def __init__(self, project: Project, progress: CheckProgress = NO_PROGRESS) -> None:
        self.project = project
        self.progress = progress
        self.config = project.config
        self.layout = project.layout
        self.project_dir = project.project_dir
        self.table = project.table
        _check_module_names(self.config, project.inventory)
        self.contracts: list[Contract] = [build_contract(spec, self.layout)
                                          for spec in self.config.contracts]
        self.judging = [c for c in self.contracts if c.judges_dependencies]
        self.found: dict[str, list[Violation]] = defaultdict(list)
        self.seen: set[tuple[str, str, int, str]] = set()
        self.used_ignores: set[int] = set()
        self.inline_used: set[tuple[str, int]] = set()
        self.importers = self.table.project_modules
        self.imports_checked = 0
        self.references_checked = 0
        self.string_findings: list[Finding] = []
        #: String references carrying an inline ignore, by file, for unused-ignore findings.
        self.string_ignores: list[tuple[str, object]] = []
        self.targets: dict[tuple[str, str], list[Owner]] = {}
        self.chains: dict[tuple[str, ...], Hops] = {}
        self.module_owners: dict[str, list[str]] = defaultdict(list)
        #: The reports the graph calls for, in the order they are made once the files they
        #: name are read: a direct import, or a chain.
        self.pending: list[tuple[str, tuple]] = []
        self.verdicts: dict[tuple[str, str, str, str], list[tuple[Contract, str]]] = {}
        #: For a chain's source, and each first module, where its chains go: the same for
        #: every importer of that module in that source.
        self.onward: dict[tuple[str, str],
                          dict[str, list[tuple[Contract, Owner, tuple[str, ...], str]]]] = {}
        #: For contracts searching the chains into a module once (see :meth:`reach_index`).
        self.reach: dict[tuple, tuple[dict[str, list[Owner]], list[Owner]]] = {}
        #: The ignores that apply to each contract, by its id (see :meth:`cuts`).
        self.ignores_of: dict[str, tuple[Ignore, ...]] = {}
        self.cutters: dict[str, Callable[[str, str], bool] | None] = {}
        #: For each set of counted kinds, the links (importer, imported) whose statements
        #: are all of other kinds: no chain of a contract counting those passes them.
        self.uncounted: dict[tuple[str, ...], set[tuple[str, str]]] = defaultdict(set)
        #: The first imports (importer, first, source) whose chains are to be searched
        #: again, without the links found uncounted (see :meth:`search_again`).
        self.retries: list[tuple[str, str, Owner]] = []
        self.counted_kinds: dict[str, tuple[str, ...]] = {}
        #: The links found uncounted since the chains were last searched again.
        self.found_uncounted: set[tuple[str, str]] = set()
        self.module_order = {owner: n for n, owner in enumerate(self.layout.modules.values())}

    def breaking(self, source: Owner, target: Owner) -> list[tuple[Contract, str]]:
        """The contracts an import from ``source`` into ``target`` breaks, with the reasons:
        asked once for each pair of owners."""
        key = (source.name, source.kind, target.name, target.kind)
        known = self.verdicts.get(key)
        if known is None:
            known = self.verdicts[key] = [(c, reason) for c in self.judging
                                          if (reason := c.forbids(source, target)) is not None]
        return known

    # -- judging ---------------------------------------------------------------------------

    def run(self) -> CheckResult:
        # What each source's imports of a module break: the same for each importer there.
        judged: dict[tuple[str, str], dict[str, tuple[Owner, list]]] = {}
        self.progress.phase("judging imports")
        for importer in self.importers:
            source = self.layout.owner_of(importer)
            verdicts = judged.setdefault((source.name, source.kind), {})
            imported_modules = self.table.imported_by(importer)
            self.imports_checked += len(imported_modules)
            for imported in imported_modules:
                known = verdicts.get(imported)
                if known is None:
                    target = self.layout.owner_of(imported)
                    known = verdicts[imported] = (target, self.breaking(source, target))
                if known[1]:
                    self.pending.append(("direct", (importer, imported, source, known[0],
                                                    known[1])))
            if source.kind == OwnerKind.MODULE:
                onward = self.onward.setdefault((source.name, source.kind), {})
                for imported in imported_modules:
                    self.follow_chains(importer, imported, source, onward)
        self.project.read_ahead(self.files_reported(), self.progress)
        for kind, arguments in self.pending:
            if kind == "direct":
                self.report_direct(*arguments)
            else:
                self.report_chain(*arguments)
        self.search_again()
        # The imports' uses first: a large project's strings are still being read meanwhile.
        uses = _import_uses(self.found, self.project)
        self.progress.phase("reading string references")
        self.check_strings()
        found = _with_uses(_number_occurrences(self.found), uses)
        sources = ModuleFiles(self.config.definitions)
        modules = self.project.inventory.modules
        outcomes = tuple(
            ContractOutcome(
                id=c.id, name=c.spec.name, type=c.spec.type, severity=c.spec.severity,
                violations=tuple(sorted(found.get(c.id, []), key=lambda v: (v.file, v.line))),
                problems=tuple(c.problems(modules, sources)), description=c.spec.description,
            )
            for c in self.contracts
        )
        sites = [(file, s) for file, statements in self.project.classified.items()
                 for s in statements]
        findings = (*self.project.inventory.findings, *self.string_findings,
                    *self.beyond_top_findings(), *self.project.syntax_findings,
                    *_ignore_findings(self.config, self.used_ignores,
                                      [*sites, *self.string_ignores], self.inline_used,
                                      self.project_dir))
        self.project.save()
        return CheckResult(
            project_dir=str(self.project_dir), contracts=outcomes, findings=findings,
            errors=tuple(self.project.errors), modules_checked=len(self.importers),
            imports_checked=self.imports_checked, references_checked=self.references_checked,
            left_out=self.project.left_out,
        )

    def beyond_top_findings(self) -> list[Finding]:
        """Each relative import that climbs above the top-level package, with its text."""
        found = []
        for module in self.project.table.project_modules:
            lines = self.project.table.beyond_top(module)
            if not lines:
                continue
            path = self.project.relative(module)[0]
            statements = self.project.statements_of(module)
            depth = len(module.split(".")) - (0 if path.name == "__init__.py" else 1)
            for line in lines:
                statement = next((s for s in statements if s.spans(line)), None)
                written = statement.statement if statement is not None else f"line {line}"
                level = statement.level if statement is not None else 0
                found.append(rules.IMPORT_BEYOND_TOP_LEVEL.finding(
                    f"{written}: {level} levels up from {module}, which is {depth} "
                    f"package{'s' if depth != 1 else ''} deep, is above the top-level package "
                    f"{module.split('.')[0]}; Python raises ImportError here",
                    path, line))
        return found

    def check_strings(self) -> None:
        """String references judged like imports; ambiguous and unresolved ones reported."""
        from archguard.domain.references import AMBIGUOUS, RESOLVED, UNRESOLVED

        for found in self.project.string_references:
            ref, resolution = found.reference, found.resolution
            _, relative = self.project.relative(found.importer)
            if ref.ignore is not None:
                self.string_ignores.append((relative, ref))
            if resolution.status == AMBIGUOUS and ref.kind == ImportKind.STRING:
                self.string_findings.append(rules.AMBIGUOUS_REFERENCE.finding(
                    f"{ref.written} may name any of {', '.join(resolution.modules)}; write "
                    "the full module path so that it names one", found.file, ref.line,
                ))
            elif resolution.status == UNRESOLVED and ref.kind == ImportKind.STRING:
                self.string_findings.append(rules.UNRESOLVED_REFERENCE.finding(
                    f"{ref.written} names {resolution.target}, which is nowhere in the "
                    "project; it fails when it runs", found.file, ref.line,
                ))
            if resolution.status != RESOLVED:
                continue
            self.references_checked += 1
            imported = resolution.modules[0]
            source = self.layout.owner_of(found.importer)
            target = self.layout.owner_of(imported)
            if target == source:
                continue
            for contract, reason in self.breaking(source, target):
                self.add(contract, f"{reason}, by the string {resolution.text!r}", source,
                         target, relative, ref, found.importer, imported, ref.kind, (),
                         names=(ref.name,) if ref.name else _named(resolution.target,
                                                                  imported),
                         reference=ref.written,
                         used_in=(_holder_use(ref),))

    def report_direct(self, importer: str, imported: str, source: Owner, target: Owner,
                      breaking: list[tuple[Contract, str]]) -> None:
        path, relative = self.project.relative(importer)
        is_package = path.name == "__init__.py"
        for statement in self.project.links(importer, imported):
            written = statement.source_module(importer, is_package) or imported
            if self.layout.owner_of(written) != target:  # `from app.modules import catalog`
                written = imported
            for contract, reason in breaking:
                key = (contract.id, relative, statement.line, written)
                if key in self.seen:  # one statement reaching a package and its submodule
                    continue
                self.seen.add(key)
                # A chain from the same statement into the same module says no more.
                self.seen.add((contract.id, relative, statement.line, _reached(target)))
                self.add(contract, reason, source, target, relative, statement, importer,
                         written, statement.kind, ())

    def chain_targets(self, contract: Contract, source: Owner) -> list[Owner]:
        """The modules ``contract`` forbids ``source`` to depend on, if it follows chains."""
        key = (contract.id, source.name)
        if key not in self.targets:
            self.targets[key] = [] if contract.spec.indirect == Indirect.NONE else [
                target for target in self.layout.modules.values()
                if contract.forbids(source, target) is not None]
        return self.targets[key]

    def shares_hops(self, contract: Contract, owner: Owner) -> bool:
        """Whether a chain ``contract`` follows never passes ``owner``'s code, whether it
        starts or ends there: then the chains into a target are the same from every such
        source (see :meth:`hops`), and searched once."""
        return contract.spec.indirect == Indirect.KERNEL or not contract.passes_through(owner)

    def hops(self, contract: Contract, source: Owner, target: Owner) -> Hops:
        """The chains into ``target`` that ``contract`` follows from ``source``: through
        kernel and uncategorised code (``indirect: kernel``), or through any code the
        contract lets a chain pass but the source's and the target's (``any``)."""
        ignores = self.cuts(contract)
        if contract.spec.indirect == Indirect.KERNEL:
            key: tuple = (Indirect.KERNEL, target.name, self.counted(contract),
                          *map(id, ignores))

            def passes(owner: Owner) -> bool:
                return owner.kind in (OwnerKind.KERNEL, OwnerKind.PROJECT)
        elif self.shares_hops(contract, source) and self.shares_hops(contract, target):
            key = (contract.id, target.name)  # neither would be passed through anyway
            passes = contract.passes_through
        else:
            key = (contract.id, source.name, target.name)

            def passes(owner: Owner) -> bool:
                return owner != source and owner != target and contract.passes_through(owner)
        if key not in self.chains:
            verdicts: dict[tuple[str, str], bool] = {}  # each owner judged once

            def passable(module: str) -> bool:
                owner = self.layout.owner_of(module)
                known = verdicts.get((owner.name, owner.kind))
                if known is None:
                    known = verdicts[(owner.name, owner.kind)] = passes(owner)
                return known

            self.chains[key] = hops_to(self.table, self.modules_of(target), passable,
                                       self.cutter(contract))
        return self.chains[key]

    def cuts(self, contract: Contract) -> tuple[Ignore, ...]:
        """The ignores that apply to ``contract``: no chain it follows passes an import one
        of them accepts, as lint-imports takes an ignored import out of its graph."""
        ignores = self.ignores_of.get(contract.id)
        if ignores is None:
            ignores = self.ignores_of[contract.id] = tuple(
                ignore for ignore in (*contract.spec.ignores, *self.config.ignores)
                if not ignore.contracts or contract.id in ignore.contracts)
        return ignores

    def cutter(self, contract: Contract) -> Callable[[str, str], bool] | None:
        """Whether a chain of ``contract`` cannot pass the import of a module by another: an
        ignore that applies to the contract accepts it (then counted as used), or it is a
        link the contract does not count; None when there is none of either."""
        if contract.id not in self.cutters:
            ignores = self.cuts(contract)
            uncounted = self.uncounted.get(self.counted(contract), set())

            def cut(importer: str, imported: str) -> bool:
                if (importer, imported) in uncounted:
                    return True
                ignore = _accepting(ignores, importer, imported)
                if ignore is not None:
                    self.used_ignores.add(id(ignore))
                return ignore is not None

            self.cutters[contract.id] = cut if ignores or uncounted else None
        return self.cutters[contract.id]

    def modules_of(self, owner: Owner) -> list[str]:
        if not self.module_owners:
            for module in self.importers:
                self.module_owners[self.layout.owner_of(module).name].append(module)
        return self.module_owners.get(owner.name, [])

    def follow_chains(self, importer: str, first: str, source: Owner,
                      onward: dict[str, list]) -> None:
        """Each chain from ``importer`` through ``first`` on into a module that a contract
        forbids ``source`` to depend on, by the modules that contract lets it pass.
        ``onward``: where the chains through each module go from ``source``, so far."""
        found = onward.get(first)
        if found is None:
            first_owner = self.layout.owner_of(first)
            found = onward[first] = [
                (contract, target, chain_from(hops, first), reason)
                for contract in self.contracts_through(source, first_owner)
                for target, hops, reason in self.reached(contract, source, first)
                if target != first_owner] or _NOWHERE
        for contract, target, chain, reason in found:
            cut = self.cutter(contract)
            if cut is None or not cut(importer, first):
                self.pending.append(("chain", ((importer, *chain), source, target,
                                               [(contract, reason)])))

    def contracts_through(self, source: Owner, first_owner: Owner) -> list[Contract]:
        """The contracts whose chains from ``source`` may go on through ``first_owner``."""
        if first_owner == source or first_owner.kind not in (OwnerKind.MODULE,
                                                             OwnerKind.KERNEL,
                                                             OwnerKind.PROJECT):
            return []
        return [contract for contract in self.judging
                if contract.spec.indirect != Indirect.NONE
                and (first_owner.kind != OwnerKind.MODULE
                     if contract.spec.indirect == Indirect.KERNEL
                     else contract.passes_through(first_owner))]

    def reached(self, contract: Contract, source: Owner, first: str
                ) -> Iterator[tuple[Owner, Hops, str]]:
        """Each module ``contract`` forbids ``source`` to depend on that a chain through
        ``first`` reaches, with the chains into it and the reason, in the order of the
        modules."""
        if not self.shares_hops(contract, source):
            targets = self.chain_targets(contract, source)
        else:
            reach, others = self.reach_index(contract)
            targets = reach.get(first, [])  # in the order of the modules already
            if others:
                targets = sorted({*targets, *others}, key=self.module_order.__getitem__)
        for target in targets:
            reason = next((r for c, r in self.breaking(source, target) if c is contract), None)
            if reason is not None:
                hops = self.hops(contract, source, target)
                if first in hops:
                    yield target, hops, reason

    def reach_index(self, contract: Contract) -> tuple[dict[str, list[Owner]], list[Owner]]:
        """For a contract whose chains into a module are searched once for every source
        (see :meth:`shares_hops`): which modules each module's chains reach, and the
        modules whose chains depend on the source (searched for each)."""
        key = (Indirect.KERNEL if contract.spec.indirect == Indirect.KERNEL else contract.id,
               self.counted(contract), *map(id, self.cuts(contract)))
        if key not in self.reach:
            reach: dict[str, list[Owner]] = defaultdict(list)
            others = []
            for target in self.layout.modules.values():
                if not self.shares_hops(contract, target):
                    others.append(target)
                    continue
                for module in self.hops(contract, target, target):
                    reach[module].append(target)
            self.reach[key] = (reach, others)
        return self.reach[key]

    def files_reported(self) -> dict[str, dict[str, bool]]:
        """The modules whose statements the pending reports read, with the imports whose
        uses they report (see :meth:`Project.read_ahead`)."""
        wanted: dict[str, dict[str, bool]] = defaultdict(dict)
        for kind, arguments in self.pending:
            if kind == "direct":
                importer, imported = arguments[0], arguments[1]
                wanted[importer][imported] = True
                continue
            chain = arguments[0]
            wanted[chain[0]].setdefault(chain[1], False)
            for importer in chain[1:-1]:  # passed through: its statements only
                wanted.setdefault(importer, {})
        return wanted

    def report_chain(self, chain: tuple[str, ...], source: Owner, target: Owner,
                     breaking: list[tuple[Contract, str]]) -> None:
        """Report the chain for each contract of ``breaking`` that counts every one of its
        links (each as strong as its strongest statement). A link a contract does not count
        (an import under TYPE_CHECKING) is one its chains cannot pass: the chains from the
        same first import are searched again without it (see :meth:`search_again`)."""
        rendered, kinds, first_statement = [], [], None
        links = list(itertools.pairwise(chain))
        for importer, imported in links:
            statements = self.project.links(importer, imported)
            if not statements:
                return
            statement = min(statements, key=lambda s: _KIND_ORDER.index(s.kind))
            first_statement = first_statement or statement
            kinds.append(statement.kind)
            _, file = self.project.relative(importer)
            rendered.append(f"{importer} ({file}:{statement.line}) -> {imported}")
        _, relative = self.project.relative(chain[0])
        kind = _weakest(kinds)
        for contract, reason in breaking:
            counted = self.counted(contract)
            if not all(k in counted for k in kinds):
                uncounted = {link for link, k in zip(links, kinds, strict=True)
                             if k not in counted}
                known = self.uncounted[counted]
                if not uncounted <= known:
                    self.found_uncounted |= uncounted - known
                    known |= uncounted
                    self.retries.append((chain[0], chain[1], source))
                continue
            key = (contract.id, relative, first_statement.line, _reached(target))
            if key in self.seen:
                continue
            self.seen.add(key)
            self.add(contract, f"{reason}, through {' -> '.join(chain[1:-1])}", source, target,
                     relative, first_statement, chain[0], chain[-1], kind, tuple(rendered))

    def counted(self, contract: Contract) -> tuple[str, ...]:
        """The kinds of import ``contract`` counts."""
        kinds = self.counted_kinds.get(contract.id)
        if kinds is None:
            kinds = self.counted_kinds[contract.id] = tuple(contract.spec.count
                                                            or self.config.counted_kinds)
        return kinds

    def search_again(self) -> None:
        """Search the chains from the first imports whose chains passed a link their
        contract does not count, without the links found so (and so on, while a search
        finds more), and report what they find."""
        while self.retries:
            retries, self.retries = list(dict.fromkeys(self.retries)), []
            # A search is done again only where its shortest chains passed a link now found
            # uncounted: one that passes none is what a search without those links finds.
            # What each module's chains reach (the reach index) can only have shrunk.
            cut, self.found_uncounted = self.found_uncounted, set()
            self.chains = {key: hops for key, hops in self.chains.items()
                           if not any(hops.get(importer) == imported
                                      for importer, imported in cut)}
            self.onward.clear()
            self.cutters.clear()
            self.pending = []
            for importer, first, source in retries:
                self.follow_chains(importer, first, source,
                                   self.onward.setdefault((source.name, source.kind), {}))
            self.project.read_ahead(self.files_reported(), self.progress)
            for _kind, arguments in self.pending:
                self.report_chain(*arguments)

    def add(self, contract: Contract, reason: str, source: Owner, target: Owner, relative: str,
            statement, importer: str, imported: str, kind: ImportKind,
            chain: tuple[str, ...], *, names: tuple[str, ...] | None = None,
            reference: str | None = None, used_in: tuple[UseSite, ...] = ()) -> None:
        """Record a violation by ``statement``: an :class:`ImportStatement`, or a
        :class:`~archguard.domain.references.StringReference` with its ``names``,
        ``reference`` and ``used_in``."""
        counted = contract.spec.count or self.config.counted_kinds
        if kind not in counted:
            return
        if statement.ignore is not None and statement.ignore_reason and (
            not statement.ignore or contract.id in statement.ignore
        ):
            self.inline_used.add((relative, statement.line))
            return
        submodules = statement.names if reference is None and not chain else ()
        ignore = _accepting(self.cuts(contract), importer, imported, submodules)
        if ignore is not None:
            self.used_ignores.add(id(ignore))
            return
        self.found[contract.id].append(Violation(
            contract=contract.id, severity=contract.spec.severity, message=reason,
            source_module=source.name, source_category=source.category,
            target_module=target.name, target_category=target.category,
            file=relative, line=statement.line, column=statement.column,
            importer=importer, imported=imported,
            names=names if names is not None else statement.names if not chain else (),
            statement=statement.statement, kind=kind, function=statement.function,
            chain=chain, reference=reference, used_in=used_in,
        ))


#: Where the chains through a module go when they reach nothing forbidden.
_NOWHERE: list = []


def _reached(target: Owner) -> str:
    """What a chain reaches, as the last part of the key that reports it once."""
    return f"{target.kind}:{target.name}"


def _check_module_names(config: ArchitectureConfig, inventory: Inventory) -> None:
    """Module names in contracts must name modules that exist (globs aside)."""
    from archguard.config.schema import nearest
    from archguard.contracts import CONTRACT_KINDS
    from archguard.errors import ConfigError, Position

    known = tuple(sorted({m.name for m in inventory.modules} | {m.code for m in inventory.modules}))
    for spec in config.contracts:
        for key, _index, name in CONTRACT_KINDS[spec.type].option_values(spec,
                                                                         OptionType.MODULES):
            if "*" not in name and name not in known:
                raise ConfigError(
                    f"unknown module '{name}': no such module in {config.modules_package}",
                    Position(config.source, spec.line), key=f"{spec.id}.{key}",
                    suggestion=nearest(name, known),
                )


def run_check(project_dir: Path, config: ArchitectureConfig, *,
              use_cache: bool = True, project: Project | None = None,
              progress: CheckProgress = NO_PROGRESS) -> CheckResult:
    """Check ``project_dir`` against ``config``'s contracts.

    With ``use_cache``, a project unchanged since the last check (every file of the package
    by path, modification time and size, and the configuration) is answered from
    ``.archguard_cache/result.json``.

    Direct imports are judged by every contract. A module's import of kernel or
    uncategorised code is followed through that code: a chain that reaches a module the
    contract forbids is reported at its first link, with every link's file and line, and
    with the kind of its weakest link.

    ``project``, already read by a caller that goes on reading it (``--propose``, ``fix``),
    is checked as it is, without the result cache.

    ``progress`` is told each phase of a check that reads the project (not one answered
    from the result cache).
    """
    if project is not None:
        return _CheckRun(project, progress).run()
    if not use_cache:
        return _CheckRun(Project(project_dir, config, use_cache=False, progress=progress),
                         progress).run()
    from archguard.application.result_cache import ResultCache

    cache = ResultCache(project_dir, config, project_dir / CACHE_DIR)
    result = cache.load()
    if result is None:
        result = _CheckRun(Project(project_dir, config, manifest=cache.manifest,
                                   progress=progress), progress).run()
        if not result.errors:
            cache.save(result)
    return result


def _number_occurrences(found: dict[str, list[Violation]]) -> dict[str, list[Violation]]:
    """Tell identical statements of one scope apart by their order, for stable fingerprints."""
    from dataclasses import replace

    numbered: dict[str, list[Violation]] = {}
    for contract, violations in found.items():
        seen: dict[str, int] = defaultdict(int)
        numbered[contract] = []
        for violation in sorted(violations, key=lambda v: (v.file, v.line)):
            key = violation.fingerprint_key
            numbered[contract].append(replace(violation, occurrence=seen[key]))
            seen[key] += 1
    return numbered


def _accepting(ignores: tuple[Ignore, ...], importer: str, imported: str,
               names: tuple[str, ...] = ()) -> Ignore | None:
    """The first of ``ignores`` that accepts ``importer``'s import of ``imported``;
    ``names``: what ``from imported import …`` names, any of which may be a submodule that
    the ignore names (``app.a -> app.b.models`` accepts ``from app.b import models``, as
    import-linter does)."""
    reached = (imported, *(f"{imported}.{name}" for name in names if name != "*"))
    for ignore in ignores:
        if matches(ignore.importer, importer) and any(matches(ignore.imported, target)
                                                      for target in reached):
            return ignore
    return None


def _named(target: str, module: str) -> tuple[str, ...]:
    """What a string names inside the module it reaches: ``MarketplaceImportJob``."""
    return (target[len(module) + 1:],) if target.startswith(module + ".") else ()


def _holder_use(ref) -> UseSite:
    """Where a string reference is used: itself, in its function or class body."""
    if ref.function:
        return UseSite(ref.function, (ref.line,))
    if ref.holder:
        return UseSite("<module>", (ref.line,), (f"class body of {ref.holder} (line {ref.line})",))
    return UseSite("<module>", (ref.line,))


def _ignore_findings(config: ArchitectureConfig, used: set[int], sites: list[tuple[str, object]],
                     inline_used: set[tuple[str, int]], project_dir: Path) -> list[Finding]:
    """Ignores that match nothing, and inline ignores without a reason."""
    findings = []
    every = [*config.ignores, *(i for c in config.contracts for i in c.ignores)]
    for ignore in every:
        if id(ignore) not in used:
            findings.append(rules.UNUSED_IGNORE.finding(
                f"ignore of {ignore.importer} -> {ignore.imported} matches no violation; "
                "remove it", config.source, ignore.line,
            ))
    for file, site in sites:
        if site.ignore is None:
            continue
        if not site.ignore_reason:
            findings.append(rules.IGNORE_WITHOUT_REASON.finding(
                "`# archguard: ignore` needs a reason after it; the dependency is reported",
                project_dir / file, site.line,
            ))
        elif (file, site.line) not in inline_used:
            findings.append(rules.UNUSED_IGNORE.finding(
                "inline ignore matches no violation; remove it",
                project_dir / file, site.line,
            ))
    return findings


def _import_uses(found: dict[str, list[Violation]],
                 project: Project) -> dict[tuple[str, int], tuple]:
    """Where the names of each violating import statement are used, by (file, line)."""
    by_file: dict[str, set[int]] = defaultdict(set)
    for violations in found.values():
        for v in violations:
            if v.reference is None:  # a string reference knows its use already
                by_file[v.file].add(v.line)
    asked = {file: wanted for file, lines in by_file.items()
             if (wanted := [s for s in project.classified.get(file, ()) if s.line in lines])}
    return {(file, line): sites for file, found in project.uses_in(asked).items()
            for line, sites in found.items()}


def _with_uses(found: dict[str, list[Violation]],
               uses: dict[tuple[str, int], tuple]) -> dict[str, list[Violation]]:
    """``used_in`` filled in for the import violations (a string reference knows its use
    already)."""
    from dataclasses import replace

    return {
        contract: [v if v.reference is not None else
                   replace(v, used_in=uses.get((v.file, v.line), ())) for v in violations]
        for contract, violations in found.items()
    }
