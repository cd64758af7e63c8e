"""A check's result as JSON (``archguard check --format json``), schema version 1.

The schema is documented in docs/check-json.md.
"""

from __future__ import annotations

from pathlib import Path

from archguard.domain.inventory import Finding
from archguard.domain.proposals import ProposalSet
from archguard.domain.violations import CheckResult, Violation
from archguard.reporting.inventory_json import relative_path
from archguard.reporting.proposals import proposals_to_json

SCHEMA_VERSION = 1


def violation_to_json(violation: Violation) -> dict:
    return {
        "contract": violation.contract,
        "severity": violation.severity,
        "message": violation.message,
        "source_module": violation.source_module,
        "source_category": violation.source_category,
        "target_module": violation.target_module,
        "target_category": violation.target_category,
        "file": violation.file,
        "line": violation.line,
        "column": violation.column,
        "importer": violation.importer,
        "imported": violation.imported,
        "names": list(violation.names),
        "statement": violation.statement,
        "reference": violation.reference,
        "kind": violation.kind,
        "used_in": [
            {"symbol": use.symbol, "lines": list(use.lines), "labels": list(use.labels)}
            for use in violation.used_in
        ],
        "chain": list(violation.chain),
        "fingerprint": violation.fingerprint,
        "baselined": violation.baselined,
    }


def finding_to_json(finding: Finding, result: CheckResult) -> dict:
    return {"rule": finding.rule, "severity": finding.severity, "message": finding.message,
            "file": relative_path(finding.path, Path(result.project_dir)), "line": finding.line}


def result_to_json(result: CheckResult, proposals: ProposalSet | None = None) -> dict:
    """The whole result; with ``proposals``, their list, and each violation's proposal as
    an index into it."""
    violations = result.violations
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": "archguard",
        "contracts": [
            {"id": c.id, "name": c.name, "type": c.type, "severity": c.severity,
             "kept": c.kept, "violations": len(c.violations),
             "problems": [finding_to_json(f, result) for f in c.problems]}
            for c in result.contracts
        ],
        "violations": [violation_to_json(v) for v in violations],
        "findings": [finding_to_json(f, result) for f in result.findings],
        "errors": list(result.errors),
        "stale": [dict(entry) for entry in result.stale],
        "files_left_out": [{"file": file, "reason": reason} for file, reason in result.left_out],
        "summary": {
            "contracts": len(result.contracts),
            "contracts_broken": sum(1 for c in result.contracts if not c.kept),
            "violations": len(violations),
            "new": sum(1 for v in violations if not v.baselined),
            "baselined": sum(1 for v in violations if v.baselined),
            "stale": len(result.stale),
            "modules_checked": result.modules_checked,
            "files_left_out": len(result.left_out),
            "imports_checked": result.imports_checked,
            "references_checked": result.references_checked,
        },
    }
    if proposals is not None:
        document.update(proposals_to_json(proposals))
        index = {id(p): i for i, p in enumerate(proposals.proposals)}
        for entry, violation in zip(document["violations"], violations, strict=True):
            found = proposals.for_violation(violation.fingerprint)
            entry["proposal"] = index[id(found)] if found is not None else None
    return document
