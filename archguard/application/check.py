"""``check``: the import graph against the contracts, with kinds, positions and uses."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from archguard.adapters.import_statements import classify_imports
from archguard.application.inventory import build_inventory
from archguard.application.reading import CACHE_DIR, read_project
from archguard.application.structure import check_structure
from archguard.contracts import Contract, build_contract
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import STRING, ImportStatement, UseSite
from archguard.domain.inventory import Finding
from archguard.domain.patterns import matches
from archguard.domain.layout import KERNEL, MODULE, PROJECT, Layout, Owner
from archguard.domain.violations import CheckResult, ContractOutcome, Violation
from archguard.errors import SourceSyntaxError

def module_file(source_root: Path, dotted: str) -> Path:
    """The file of a module: ``a/b.py`` or ``a/b/__init__.py``."""
    base = source_root / Path(*dotted.split("."))
    as_file = base.with_suffix(".py")
    return as_file if as_file.is_file() else base / "__init__.py"


_KIND_ORDER = ("module", "lazy", "guarded", "type_checking")


def _weakest(kinds: list[str]) -> str:
    """A chain runs only as far as its weakest link: one TYPE_CHECKING link never runs."""
    return max(kinds, key=_KIND_ORDER.index)


class _Checker:
    """One check run: the graph, the contracts, and the files read so far."""

    def __init__(self, project_dir: Path, config: ArchitectureConfig, use_cache: bool,
                 manifest: list[tuple[str, int, int]] | None = None):
        self.project_dir = project_dir.resolve()
        self.config = config
        self.inventory = build_inventory(project_dir, config)
        self.layout = Layout(config, self.inventory)
        self.source_root = (project_dir / config.source_root).resolve()
        reading = read_project(project_dir, config, use_cache=use_cache, manifest=manifest)
        self.table = reading.imports.table
        self.string_scan = reading.strings
        self.errors: list[str] = [str(e) for e in reading.imports.unparsable]
        _check_module_names(config, self.inventory)
        self.contracts: list[Contract] = [
            c for c in (build_contract(spec, self.layout) for spec in config.contracts)
            if c is not None
        ]
        self.statements: dict[str, list[ImportStatement]] = {}
        #: The bytes of each file classified, by project-relative path: read once.
        self.sources: dict[str, bytes] = {}
        self.found: dict[str, list[Violation]] = defaultdict(list)
        self.seen: set[tuple[str, str, int, str]] = set()
        self.used_ignores: set[int] = set()
        self.inline_used: set[tuple[str, int]] = set()
        self.importers = self.table.project_modules
        self.imports_checked = 0
        self.files = {m: path for m, path in reading.files.items() if m in self.table}
        self.relatives: dict[str, tuple[Path, str]] = {}
        self.references_checked = 0
        self.string_findings: list[Finding] = []
        #: String references carrying an inline ignore, by file, for unused-ignore findings.
        self.string_ignores: list[tuple[str, object]] = []

    # -- reading ---------------------------------------------------------------------------

    def relative(self, importer: str) -> tuple[Path, str]:
        """The file of a module, and its path relative to the project (as reported)."""
        known = self.relatives.get(importer)
        if known is not None:
            return known
        path = self.files.get(importer) or module_file(self.source_root, importer)
        if path.is_relative_to(self.project_dir):
            known = path, path.relative_to(self.project_dir).as_posix()
        else:
            known = path, str(path)
        self.relatives[importer] = known
        return known

    def statements_of(self, importer: str) -> list[ImportStatement]:
        path, relative = self.relative(importer)
        statements = self.statements.get(relative)
        if statements is None:
            try:
                source = path.read_bytes()
                statements = classify_imports(path, source)
                self.sources[relative] = source
            except SourceSyntaxError as exc:
                self.errors.append(str(exc))
                statements = []
            except OSError as exc:
                self.errors.append(f"{path}: cannot be read: {exc.strerror or exc}")
                statements = []
            self.statements[relative] = statements
        return statements

    def links(self, importer: str, imported: str) -> list[ImportStatement]:
        """The statements of ``importer`` that import ``imported``."""
        statements = self.statements_of(importer)
        found = []
        for line in self.table.lines(importer, imported):
            statement = next((s for s in statements if s.spans(line)), None)
            if statement is not None and statement not in found:
                found.append(statement)
        return found

    # -- judging ---------------------------------------------------------------------------

    def run(self) -> CheckResult:
        for importer in self.importers:
            source = self.layout.owner_of(importer)
            for imported in self.table.imported_by(importer):
                self.imports_checked += 1
                target = self.layout.owner_of(imported)
                breaking = [(c, reason) for c in self.contracts
                            if (reason := c.forbids(source, target)) is not None]
                if breaking:
                    self.report_direct(importer, imported, source, target, breaking)
                elif source.kind == MODULE and target.kind in (KERNEL, PROJECT):
                    self.follow_indirect(importer, imported, source)
        if self.config.strings.enabled:
            self.check_strings()
        found = _with_uses(_number_occurrences(self.found), self.project_dir,
                           self.statements, self.sources)
        outcomes = []
        for spec in self.config.contracts:
            if spec.type == "structure":
                outcomes.append(ContractOutcome(
                    id=spec.id, name=spec.name, type=spec.type, severity=spec.severity,
                    problems=tuple(check_structure(spec, self.config, self.inventory)),
                ))
                continue
            violations = sorted(found.get(spec.id, []), key=lambda v: (v.file, v.line))
            outcomes.append(ContractOutcome(id=spec.id, name=spec.name, type=spec.type,
                                            severity=spec.severity,
                                            violations=tuple(violations)))
        outcomes = tuple(outcomes)
        sites = [(file, s) for file, statements in self.statements.items() for s in statements]
        findings = (*self.inventory.findings, *self.string_findings,
                    *_ignore_findings(self.config, self.used_ignores,
                                      [*sites, *self.string_ignores], self.inline_used,
                                      self.project_dir))
        return CheckResult(
            project_dir=str(self.project_dir), contracts=outcomes, findings=findings,
            errors=tuple(self.errors), modules_checked=len(self.importers),
            imports_checked=self.imports_checked, references_checked=self.references_checked,
        )

    def check_strings(self) -> None:
        """String references judged like imports; ambiguous and unresolved ones reported."""
        from archguard.application.strings import StringFinder
        from archguard.domain.references import AMBIGUOUS, RESOLVED, UNRESOLVED

        finder = StringFinder(self.config, self.inventory, self.files, self.project_dir, None,
                              self.string_scan)
        for error in map(str, finder.errors):
            if error not in self.errors:
                self.errors.append(error)
        for found in finder.references():
            ref, resolution = found.reference, found.resolution
            _, relative = self.relative(found.importer)
            if ref.ignore is not None:
                self.string_ignores.append((relative, ref))
            if resolution.status == AMBIGUOUS and ref.kind == STRING:
                self.string_findings.append(Finding(
                    "ambiguous-reference",
                    f"{ref.written} may name any of {', '.join(resolution.modules)}; write "
                    "the full module path so that it names one", found.file, ref.line,
                ))
            elif resolution.status == UNRESOLVED and ref.kind == STRING:
                self.string_findings.append(Finding(
                    "unresolved-reference",
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
            breaking = [(c, reason) for c in self.contracts
                        if (reason := c.forbids(source, target)) is not None]
            for contract, reason in breaking:
                self.add(contract, f"{reason}, by the string {resolution.text!r}", source,
                         target, relative, ref, found.importer, imported, ref.kind, (),
                         names=_named(resolution.target, imported), reference=ref.written,
                         used_in=(_holder_use(ref),))

    def report_direct(self, importer: str, imported: str, source: Owner, target: Owner,
                      breaking: list[tuple[Contract, str]]) -> None:
        path, relative = self.relative(importer)
        is_package = path.name == "__init__.py"
        for statement in self.links(importer, imported):
            written = statement.source_module(importer, is_package) or imported
            if self.layout.owner_of(written) != target:  # `from app.modules import catalog`
                written = imported
            for contract, reason in breaking:
                key = (contract.id, relative, statement.line, written)
                if key in self.seen:  # one statement reaching a package and its submodule
                    continue
                self.seen.add(key)
                self.add(contract, reason, source, target, relative, statement, importer,
                         written, statement.kind, ())

    def follow_indirect(self, importer: str, first: str, source: Owner) -> None:
        """Chains from a module through kernel or uncategorised code into another module."""
        frontier = [(first, (importer, first))]
        visited = {first}
        while frontier:
            current, chain = frontier.pop(0)
            for imported in self.table.imported_by(current):
                target = self.layout.owner_of(imported)
                if target.kind in (KERNEL, PROJECT):
                    if imported not in visited:
                        visited.add(imported)
                        frontier.append((imported, (*chain, imported)))
                    continue
                if target.kind != MODULE or target.name == source.name:
                    continue
                breaking = [(c, reason) for c in self.contracts
                            if (reason := c.forbids(source, target)) is not None]
                if breaking:
                    self.report_chain((*chain, imported), source, target, breaking)

    def report_chain(self, chain: tuple[str, ...], source: Owner, target: Owner,
                     breaking: list[tuple[Contract, str]]) -> None:
        rendered, kinds, first_statement = [], [], None
        for importer, imported in zip(chain, chain[1:], strict=False):
            statements = self.links(importer, imported)
            if not statements:
                return
            statement = statements[0]
            first_statement = first_statement or statement
            kinds.append(statement.kind)
            _, file = self.relative(importer)
            rendered.append(f"{importer} ({file}:{statement.line}) -> {imported}")
        _, relative = self.relative(chain[0])
        kind = _weakest(kinds)
        for contract, reason in breaking:
            key = (contract.id, relative, first_statement.line, chain[-1])
            if key in self.seen:
                continue
            self.seen.add(key)
            self.add(contract, f"{reason}, through {' -> '.join(chain[1:-1])}", source, target,
                     relative, first_statement, chain[0], chain[-1], kind, tuple(rendered))

    def add(self, contract: Contract, reason: str, source: Owner, target: Owner, relative: str,
            statement, importer: str, imported: str, kind: str,
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
        ignore = _matching_ignore(self.config, contract, importer, imported)
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


_MODULE_OPTIONS = {"forbidden": ("source", "forbidden"), "independence": ("modules",),
                   "purity": ("modules",), "category_layering": ("allow",)}


def _check_module_names(config: ArchitectureConfig, inventory) -> None:
    """Module names in contracts must name modules that exist (globs aside)."""
    from archguard.config.schema import nearest
    from archguard.errors import ConfigError, Position

    known = tuple(sorted({m.name for m in inventory.modules} | {m.code for m in inventory.modules}))
    for spec in config.contracts:
        for key in _MODULE_OPTIONS.get(spec.type, ()):
            for name in spec.options.get(key, []):
                if "*" not in name and name not in known:
                    raise ConfigError(
                        f"unknown module '{name}': no such module in {config.modules_package}",
                        Position(config.source, spec.line), key=f"{spec.id}.{key}",
                        suggestion=nearest(name, known),
                    )


def run_check(project_dir: Path, config: ArchitectureConfig, *,
              use_cache: bool = True) -> CheckResult:
    """Check ``project_dir`` against ``config``'s contracts.

    With ``use_cache``, a project unchanged since the last check (every file of the package
    by path, modification time and size, and the configuration) is answered from
    ``.archguard_cache/result.json``.

    Direct imports are judged by every contract. A module's import of kernel or
    uncategorised code is followed through that code: a chain that reaches a module the
    contract forbids is reported at its first link, with every link's file and line, and
    with the kind of its weakest link.
    """
    if not use_cache:
        return _Checker(project_dir, config, use_cache).run()
    from archguard.application.result_cache import ResultCache

    cache = ResultCache(project_dir, config, project_dir / CACHE_DIR)
    result = cache.load()
    if result is None:
        result = _Checker(project_dir, config, use_cache, cache.manifest).run()
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


def _matching_ignore(config: ArchitectureConfig, contract: Contract, importer: str,
                     imported: str):
    for ignore in (*contract.spec.ignores, *config.ignores):
        if ignore.contracts and contract.id not in ignore.contracts:
            continue
        if matches(ignore.importer, importer) and matches(ignore.imported, imported):
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
            findings.append(Finding(
                "unused-ignore",
                f"ignore of {ignore.importer} -> {ignore.imported} matches no violation; "
                "remove it", config.source, ignore.line,
            ))
    for file, site in sites:
        if site.ignore is None:
            continue
        if not site.ignore_reason:
            findings.append(Finding(
                "ignore-without-reason",
                "`# archguard: ignore` needs a reason after it; the dependency is reported",
                project_dir / file, site.line, "error",
            ))
        elif (file, site.line) not in inline_used:
            findings.append(Finding(
                "unused-ignore", "inline ignore matches no violation; remove it",
                project_dir / file, site.line,
            ))
    return findings


def _with_uses(found: dict[str, list[Violation]], project_dir: Path,
               statements: dict[str, list[ImportStatement]],
               sources: dict[str, bytes]) -> dict[str, list[Violation]]:
    """Fill in ``used_in`` from the scopes of each file with violations, given the
    statements and bytes of each file classified (by project-relative path)."""
    from dataclasses import replace

    from archguard.adapters.usage import find_uses

    by_file: dict[str, set[int]] = defaultdict(set)
    for violations in found.values():
        for v in violations:
            if v.reference is None:  # a string reference knows its use already
                by_file[v.file].add(v.line)
    uses: dict[tuple[str, int], tuple] = {}
    for file, lines in by_file.items():
        wanted = [s for s in statements.get(file, ()) if s.line in lines]
        if not wanted or file not in sources:
            continue
        for line, sites in find_uses(project_dir / file, sources[file], wanted).items():
            uses[(file, line)] = sites
    return {
        contract: [v if v.reference is not None else
                   replace(v, used_in=uses.get((v.file, v.line), ())) for v in violations]
        for contract, violations in found.items()
    }
