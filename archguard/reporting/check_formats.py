"""A check's result for machines and review tools: Markdown, GitHub annotations, JUnit XML
and SARIF 2.1.0. Each renderer returns the whole document as text."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

from archguard import __version__
from archguard.domain.inventory import Finding
from archguard.domain.proposals import ProposalSet
from archguard.domain.violations import CheckResult, Violation
from archguard.reporting.inventory_json import relative_path
from archguard.reporting.proposals import (
    MOVE_COLUMNS,
    fix_line,
    fixes_for,
    move_rows,
    proposal_to_json,
)
from archguard.reporting.wording import import_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _used_in(violation: Violation) -> str:
    return "; ".join(use.render() for use in violation.used_in) or "-"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: CheckResult, proposals: ProposalSet | None = None) -> str:
    """Sections per module pair and a table per file, as in a written architecture review;
    with ``proposals``, a "Fix" line under each table and a "What to move where" table."""
    lines = ["# archguard check", ""]
    broken = [c for c in result.contracts if not c.kept]
    new = sum(len(c.new_violations) for c in result.contracts)
    lines.append(f"{len(result.contracts)} contracts: {len(result.contracts) - len(broken)} "
                 f"kept, {len(broken)} broken; {new} violations.")
    lines.append("")
    lines.append("| Contract | Type | Severity | Result |")
    lines.append("|---|---|---|---|")
    for contract in result.contracts:
        outcome = "kept" if contract.kept else f"broken ({len(contract.new_violations)})"
        lines.append(f"| `{contract.id}` | {contract.type} | {contract.severity} | {outcome} |")
    for contract in broken:
        lines += ["", f"## `{contract.id}`: {_md(contract.name)}"]
        pairs: dict[tuple, list[Violation]] = defaultdict(list)
        for violation in contract.new_violations:
            pairs[(violation.source_module, violation.source_category, violation.target_module,
                   violation.target_category)].append(violation)
        for (source, source_cat, target, target_cat), violations in sorted(pairs.items()):
            lines += ["", f"### {source} ({source_cat}) → {target} ({target_cat})"]
            by_file: dict[str, list[Violation]] = defaultdict(list)
            for violation in violations:
                by_file[violation.file].append(violation)
            for file, in_file in sorted(by_file.items()):
                lines += ["", f"File: `{file}`", "", "| Line | Import | Kind | Used in |",
                          "|---|---|---|---|"]
                for violation in sorted(in_file, key=lambda v: v.line):
                    shown = _md(import_text(violation, "; "))
                    lines.append(f"| {violation.line} | {shown} | "
                                 f"{violation.kind} | {_md(_used_in(violation))} |")
                if proposals is not None:
                    lines += [""] + [f"**Fix** {_md(fix_line(p).removeprefix('Fix '))}"
                                     for p in fixes_for(proposals, in_file)]
    if proposals is not None and proposals.proposals:
        lines += ["", "## What to move where", "", "| " + " | ".join(MOVE_COLUMNS) + " |",
                  "|" + "---|" * len(MOVE_COLUMNS)]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |"
                  for row in move_rows(proposals)]
    if result.errors:
        lines += ["", "## Files that could not be parsed", ""]
        lines += [f"- `{_md(error)}`" for error in result.errors]
    return "\n".join(lines) + "\n"


def _escape_property(text: str) -> str:
    return (text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def to_github(result: CheckResult) -> str:
    """GitHub workflow commands: one ``::error file=…,line=…::`` line per violation."""
    lines = []
    for violation in (v for v in result.violations if not v.baselined):
        level = {"error": "error", "warning": "warning"}.get(violation.severity, "notice")
        title = _escape_property(f"archguard {violation.contract}")
        message = _escape_data(f"{violation.message}: {violation.statement} ({violation.kind}); "
                               f"used in {_used_in(violation)}")
        lines.append(f"::{level} file={_escape_property(violation.file)},line={violation.line},"
                     f"col={violation.column},title={title}::{message}")
    for finding in result.findings:
        level = {"error": "error", "warning": "warning"}.get(finding.severity, "notice")
        where = _finding_file(finding, result)
        place = (f"file={_escape_property(where)}," + (f"line={finding.line}," if finding.line
                                                      else "")) if where else ""
        lines.append(f"::{level} {place}title={_escape_property(f'archguard {finding.rule}')}"
                     f"::{_escape_data(finding.message)}")
    for error in result.errors:
        lines.append(f"::error title=archguard::{_escape_data(error)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _finding_file(finding: Finding, result: CheckResult) -> str | None:
    return relative_path(finding.path, Path(result.project_dir))


def to_junit(result: CheckResult) -> str:
    """JUnit XML: one test case per contract, failing with its violations."""
    failures = sum(1 for c in result.contracts if not c.kept)
    suite = ElementTree.Element("testsuite", {
        "name": "archguard", "tests": str(len(result.contracts)),
        "failures": str(failures), "errors": str(len(result.errors)),
    })
    for contract in result.contracts:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": f"archguard.{contract.type}", "name": contract.id,
        })
        if not contract.kept:
            failure = ElementTree.SubElement(case, "failure", {
                "message": f"{len(contract.new_violations)} violation(s) of {contract.name}",
                "type": contract.severity,
            })
            failure.text = "\n".join(
                f"{v.file}:{v.line}: {v.statement} ({v.kind}); used in {_used_in(v)}"
                for v in contract.new_violations
            )
    for error in result.errors:
        case = ElementTree.SubElement(suite, "testcase", {"classname": "archguard.source",
                                                          "name": "parse"})
        ElementTree.SubElement(case, "error", {"message": error})
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        suite, encoding="unicode") + "\n"


def to_sarif(result: CheckResult, proposals: ProposalSet | None = None) -> str:
    """SARIF 2.1.0: one rule per contract, one result per violation; with ``proposals``,
    each result carries its proposal (properties) and the files it changes
    (``relatedLocations``)."""
    from archguard.reporting.rule_docs import rule_docs

    docs = rule_docs()
    rules = [
        {
            "id": contract.id,
            "name": contract.type,
            "shortDescription": {"text": contract.name},
            **_sarif_help(docs.get(contract.type)),
            "defaultConfiguration": {"level": SARIF_LEVEL.get(contract.severity, "warning")},
        }
        for contract in result.contracts
    ]
    finding_rules = sorted({finding.rule for finding in result.findings})
    rules += [{"id": rule, "name": rule,
               "shortDescription": {"text": docs[rule].title if rule in docs
                                    else rule.replace("-", " ")},
               **_sarif_help(docs.get(rule)),
               "defaultConfiguration": {"level": "warning"}} for rule in finding_rules]
    index = {contract.id: i for i, contract in enumerate(result.contracts)}
    index.update({rule: len(result.contracts) + i for i, rule in enumerate(finding_rules)})
    results = []
    for violation in result.violations:
        results.append({
            "ruleId": violation.contract,
            "ruleIndex": index[violation.contract],
            "level": SARIF_LEVEL.get(violation.severity, "warning"),
            "message": {"text": f"{violation.message}: {violation.statement} "
                                f"({violation.kind}); used in {_used_in(violation)}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": violation.file, "uriBaseId": "PROJECT"},
                    "region": {"startLine": violation.line, "startColumn": violation.column},
                },
            }],
            **_sarif_proposal(proposals, violation),
            "partialFingerprints": {"archguard/v1": violation.fingerprint},
            "baselineState": "unchanged" if violation.baselined else "new",
            "properties": {**_proposal_property(proposals, violation),
                           "kind": violation.kind, "importer": violation.importer,
                           "imported": violation.imported, "names": list(violation.names),
                           **({"reference": violation.reference} if violation.reference
                              else {})},
        })
    for finding in result.findings:
        entry = {"ruleId": finding.rule, "ruleIndex": index[finding.rule],
                 "level": SARIF_LEVEL.get(finding.severity, "warning"),
                 "message": {"text": finding.message}}
        where = _finding_file(finding, result)
        if where:
            region = {"startLine": finding.line} if finding.line else {}
            entry["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": where, "uriBaseId": "PROJECT"},
                **({"region": region} if region else {})}}]
        results.append(entry)
    notifications = [{"level": "error", "message": {"text": error}} for error in result.errors]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "archguard", "version": __version__,
                                "informationUri": "https://archguard.dev", "rules": rules}},
            "originalUriBaseIds": {"PROJECT": {"uri": _file_uri(result.project_dir)}},
            "results": results,
            "invocations": [{"executionSuccessful": not result.errors,
                             "toolExecutionNotifications": notifications}],
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_proposal(proposals: ProposalSet | None, violation: Violation) -> dict:
    proposal = proposals.for_violation(violation.fingerprint) if proposals else None
    if proposal is None:
        return {}
    chosen = proposal.chosen()
    related = [{"id": i, "message": {"text": f"{chosen.recipe} changes this file"},
                "physicalLocation": {"artifactLocation": {"uri": file, "uriBaseId": "PROJECT"}}}
               for i, file in enumerate(f for f in chosen.files if f != violation.file)]
    return {"relatedLocations": related} if related else {}


def _proposal_property(proposals: ProposalSet | None, violation: Violation) -> dict:
    proposal = proposals.for_violation(violation.fingerprint) if proposals else None
    return {"proposal": proposal_to_json(proposal)} if proposal else {}


def _sarif_help(doc) -> dict:
    """A rule's ``fullDescription`` and ``help`` from its documentation, when it has one."""
    if doc is None:
        return {}
    return {"fullDescription": {"text": doc.doc.what},
            "help": {"text": doc.render(), "markdown": doc.markdown()}}


def _file_uri(path: str) -> str:
    return Path(path).resolve().as_uri() + "/"
