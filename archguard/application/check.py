"""``check``: the import graph against the contracts, with kinds, positions and uses."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from archguard.adapters.import_graph import build_import_graph
from archguard.adapters.import_statements import classify_imports
from archguard.application.inventory import build_inventory
from archguard.contracts import Contract, build_contract
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import ImportStatement
from archguard.domain.inventory import Finding
from archguard.domain.layout import Layout
from archguard.domain.violations import CheckResult, ContractOutcome, Violation
from archguard.errors import SourceSyntaxError

CACHE_DIR = ".archguard_cache"


def module_file(source_root: Path, dotted: str) -> Path:
    """The file of a module: ``a/b.py`` or ``a/b/__init__.py``."""
    base = source_root / Path(*dotted.split("."))
    as_file = base.with_suffix(".py")
    return as_file if as_file.is_file() else base / "__init__.py"


def run_check(project_dir: Path, config: ArchitectureConfig, *,
              use_cache: bool = True) -> CheckResult:
    """Check ``project_dir`` against ``config``'s contracts."""
    inventory = build_inventory(project_dir, config)
    layout = Layout(config, inventory)
    source_root = (project_dir / config.source_root).resolve()
    cache_dir = project_dir / CACHE_DIR / "grimp" if use_cache else None
    build = build_import_graph(source_root, config.root_package, cache_dir)
    graph = build.graph

    contracts: list[Contract] = [c for c in (build_contract(s, layout) for s in config.contracts)
                                 if c is not None]
    found: dict[str, list[Violation]] = defaultdict(list)
    statements_cache: dict[str, list[ImportStatement]] = {}
    errors: list[str] = [str(e) for e in build.unparsable]
    root_prefix = config.root_package + "."
    importers = sorted(m for m in graph.modules
                       if m == config.root_package or m.startswith(root_prefix))
    imports_checked = 0
    seen: set[tuple[str, str, int, str]] = set()
    used_ignores: set[int] = set()
    inline_used: set[tuple[str, int]] = set()
    for importer in importers:
        source = layout.owner_of(importer)
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            imports_checked += 1
            target = layout.owner_of(imported)
            breaking = [(c, reason) for c in contracts
                        if (reason := c.forbids(source, target)) is not None]
            if not breaking:
                continue
            path = module_file(source_root, importer)
            relative = path.relative_to(project_dir.resolve()).as_posix() \
                if path.is_relative_to(project_dir.resolve()) else str(path)
            statements = statements_cache.get(relative)
            if statements is None:
                try:
                    statements = classify_imports(path)
                except SourceSyntaxError as exc:
                    errors.append(str(exc))
                    statements = []
                statements_cache[relative] = statements
            is_package = path.name == "__init__.py"
            for detail in graph.get_import_details(importer=importer, imported=imported):
                line = detail["line_number"]
                statement = next((s for s in statements if s.spans(line)), None)
                if statement is None:
                    continue
                written = statement.source_module(importer, is_package) or imported
                if layout.owner_of(written) != target:  # `from app.modules import catalog`
                    written = imported
                for contract, reason in breaking:
                    key = (contract.id, relative, statement.line, written)
                    if key in seen:  # one statement reaching a package and its submodule
                        continue
                    seen.add(key)
                    counted = contract.spec.count or config.counted_kinds
                    if statement.kind not in counted:
                        continue
                    if statement.ignore is not None and statement.ignore_reason and (
                        not statement.ignore or contract.id in statement.ignore
                    ):
                        inline_used.add((relative, statement.line))
                        continue
                    ignore = _matching_ignore(config, contract, importer, imported)
                    if ignore is not None:
                        used_ignores.add(id(ignore))
                        continue
                    found[contract.id].append(Violation(
                        contract=contract.id, severity=contract.spec.severity, message=reason,
                        source_module=source.name, source_category=source.category,
                        target_module=target.name, target_category=target.category,
                        file=relative, line=statement.line, column=statement.column,
                        importer=importer, imported=written, names=statement.names,
                        statement=statement.statement, kind=statement.kind,
                        function=statement.function,
                    ))
    found = _with_uses(_number_occurrences(found), project_dir.resolve(), statements_cache)
    outcomes = tuple(
        ContractOutcome(
            id=spec.id, name=spec.name, type=spec.type, severity=spec.severity,
            violations=tuple(sorted(found.get(spec.id, []), key=lambda v: (v.file, v.line))),
        )
        for spec in config.contracts if build_contract(spec, layout) is not None
    )
    findings = (*inventory.findings,
                *_ignore_findings(config, used_ignores, statements_cache, inline_used,
                                  project_dir.resolve()))
    return CheckResult(
        project_dir=str(project_dir), contracts=outcomes, findings=findings,
        errors=tuple(errors), modules_checked=len(importers), imports_checked=imports_checked,
    )


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


def _matches(pattern: str, dotted: str) -> bool:
    """``*`` is one segment, ``**`` any number of segments (none included)."""
    import re

    regex = ""
    for index, part in enumerate(pattern.split(".")):
        separator = r"\." if index else ""
        if part == "**":
            regex += r"(?:\.[^.]+)*" if index else r"[^.]+(?:\.[^.]+)*"
        else:
            regex += separator + re.escape(part).replace(r"\*", "[^.]*")
    return re.fullmatch(regex, dotted) is not None


def _matching_ignore(config: ArchitectureConfig, contract: Contract, importer: str,
                     imported: str):
    for ignore in (*contract.spec.ignores, *config.ignores):
        if ignore.contracts and contract.id not in ignore.contracts:
            continue
        if _matches(ignore.importer, importer) and _matches(ignore.imported, imported):
            return ignore
    return None


def _ignore_findings(config: ArchitectureConfig, used: set[int],
                     statements_cache: dict[str, list[ImportStatement]],
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
    for file, statements in statements_cache.items():
        for statement in statements:
            if statement.ignore is None:
                continue
            if not statement.ignore_reason:
                findings.append(Finding(
                    "ignore-without-reason",
                    "`# archguard: ignore` needs a reason after it; the import is reported",
                    project_dir / file, statement.line, "error",
                ))
            elif (file, statement.line) not in inline_used:
                findings.append(Finding(
                    "unused-ignore", "inline ignore matches no violation; remove it",
                    project_dir / file, statement.line,
                ))
    return findings


def _with_uses(found: dict[str, list[Violation]], project_dir: Path,
               statements_cache: dict[str, list[ImportStatement]]) -> dict[str, list[Violation]]:
    # statements_cache: the classified statements of each file, by project-relative path
    """Fill in ``used_in``, reading each file with violations once more, for its scopes."""
    from dataclasses import replace

    from archguard.adapters.usage import find_uses

    by_file: dict[str, set[int]] = defaultdict(set)
    for violations in found.values():
        for v in violations:
            by_file[v.file].add(v.line)
    uses: dict[tuple[str, int], tuple] = {}
    for file, lines in by_file.items():
        path = project_dir / file
        wanted = [s for s in statements_cache[file] if s.line in lines]
        for line, sites in find_uses(path, path.read_bytes(), wanted).items():
            uses[(file, line)] = sites
    return {
        contract: [replace(v, used_in=uses.get((v.file, v.line), ())) for v in violations]
        for contract, violations in found.items()
    }
