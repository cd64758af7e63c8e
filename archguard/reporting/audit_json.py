"""The audit as JSON: every section's data, with violations, removals and proposals in the
forms ``check --format json`` and ``simulate --format json`` give them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from archguard.domain.audit import AuditReport
from archguard.reporting.check_json import finding_to_json, violation_to_json
from archguard.reporting.proposals import proposals_to_json
from archguard.reporting.simulate_json import scenario_to_json

SCHEMA_VERSION = 1


def audit_to_json(report: AuditReport) -> dict[str, Any]:
    unique = {v.fingerprint: v for v in report.result.violations}
    agreement = report.agreement
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "archguard",
        "project": report.project,
        "answers": [asdict(a) for a in report.answers],
        "key_findings": [asdict(k) for k in report.key_findings],
        "works": [{**asdict(w), "status": str(w.status)} for w in report.works],
        "contracts": [{"id": c.id, "name": c.name, "type": c.type, "severity": c.severity,
                       "violations": len({v.fingerprint for v in c.violations})}
                      for c in report.result.contracts],
        "violations": [violation_to_json(v) for v in unique.values()],
        "modules": [asdict(m) for m in report.modules],
        "graph": asdict(report.graph),
        "removals": [scenario_to_json(s) for s in report.removals],
        "ran": report.ran,
        "agreement": None if agreement is None else
        {"agreed": agreement[0], "scenarios": agreement[1]},
        "proposals": proposals_to_json(report.proposals),
        "findings": [finding_to_json(f, report.result) for f in report.findings],
        "progress": None if report.progress is None else asdict(report.progress),
        "errors": list(report.errors),
    }
