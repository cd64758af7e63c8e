"""A check's result for machines and review tools: Markdown, GitHub annotations, JUnit XML
and SARIF 2.1.0. Each renderer returns the whole document as text."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from archguard import __version__
from archguard.domain.inventory import Finding
from archguard.domain.proposals import ProposalSet
from archguard.domain.violations import CheckResult, Violation
from archguard.reporting.escape import markdown_code, markdown_text, printable
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


@dataclass(frozen=True)
class FilesScope:
    """What ``check FILES`` reported: the violations in the ``files`` files given;
    ``outside`` counts those in other files (baselined ones aside), left out."""

    files: int
    outside: int

    def describe(self, shown: int, note: str = "") -> str:
        """``0 violations in the 2 files given; 5 more in other files (…)``, where ``shown``
        violations were reported; ``note`` follows the first part."""
        text = (f"{shown} violation{'' if shown == 1 else 's'} in the {self.files} "
                f"file{'' if self.files == 1 else 's'} given{note}")
        if self.outside:
            return text + (f"; {self.outside} more in other files (run without FILES to see "
                           "them)")
        return text + "; none in other files"

    def left_out(self) -> str | None:
        """The sentence about the violations left out; None when there are none."""
        if not self.outside:
            return None
        return (f"{self.outside} more violation{'' if self.outside == 1 else 's'} in files "
                "other than the given ones (run without FILES to see them)")


def prefixed(prefix: str, path: str) -> str:
    """``path`` below ``prefix`` (a relative folder with ``/``; '' for none)."""
    return f"{prefix}/{path}" if prefix else path


def _used_in(violation: Violation) -> str:
    return "; ".join(use.render() for use in violation.used_in) or "-"


def to_markdown(result: CheckResult, proposals: ProposalSet | None = None,
                scope: FilesScope | None = None) -> str:
    """Sections per module pair and a table per file, as in a written architecture review;
    with ``proposals``, a "Fix" line under each table and a "What to move where" table.
    With ``scope`` (FILES given), the summary counts the violations in the files given and
    those left out, and claims no contract kept."""
    lines = ["# archguard check", ""]
    broken = [c for c in result.contracts if not c.kept]
    new = sum(len(c.new_violations) for c in result.contracts)
    if scope is None:
        lines.append(f"{len(result.contracts)} contracts: "
                     f"{len(result.contracts) - len(broken)} kept, {len(broken)} broken; "
                     f"{new} violations.")
    else:
        lines.append(f"{len(result.contracts)} contracts: {scope.describe(new)}.")
    lines.append("")
    lines.append("| Contract | Type | Severity | Result |")
    lines.append("|---|---|---|---|")
    kept = "kept" if scope is None else "none in the files given"
    for contract in result.contracts:
        outcome = kept if contract.kept else f"broken ({len(contract.new_violations)})"
        lines.append(f"| `{contract.id}` | {contract.type} | {contract.severity} | {outcome} |")
    for contract in broken:
        named = f": {markdown_text(contract.name)}" if contract.name != contract.id else ""
        lines += ["", f"## `{contract.id}`{named}"]
        pairs: dict[tuple, list[Violation]] = defaultdict(list)
        for violation in contract.new_violations:
            pairs[(violation.source_module, violation.source_category, violation.target_module,
                   violation.target_category)].append(violation)
        for (source, source_cat, target, target_cat), violations in sorted(pairs.items()):
            pair = f"{source} ({source_cat}) → {target} ({target_cat})"
            lines += ["", f"### {markdown_text(pair)}"]
            by_file: dict[str, list[Violation]] = defaultdict(list)
            for violation in violations:
                by_file[violation.file].append(violation)
            for file, in_file in sorted(by_file.items()):
                lines += ["", f"File: {markdown_code(file)}", "",
                          "| Line | Import | Kind | Used in |", "|---|---|---|---|"]
                for violation in sorted(in_file, key=lambda v: v.line):
                    shown = markdown_text(import_text(violation, "; "))
                    lines.append(f"| {violation.line} | {shown} | "
                                 f"{violation.kind} | {markdown_text(_used_in(violation))} |")
                if proposals is not None:
                    lines += [""] + [f"**Fix** {markdown_text(fix_line(p).removeprefix('Fix '))}"
                                     for p in fixes_for(proposals, in_file)]
    if proposals is not None and proposals.proposals:
        lines += ["", "## What to move where", "", "| " + " | ".join(MOVE_COLUMNS) + " |",
                  "|" + "---|" * len(MOVE_COLUMNS)]
        lines += ["| " + " | ".join(markdown_text(cell) for cell in row) + " |"
                  for row in move_rows(proposals)]
    if result.errors:
        lines += ["", "## Files that could not be parsed", ""]
        lines += [f"- {markdown_code(error)}" for error in result.errors]
    return "\n".join(lines) + "\n"


def _escape_property(text: str) -> str:
    return (text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def to_github(result: CheckResult, *, path_prefix: str = "",
              scope: FilesScope | None = None) -> str:
    """GitHub workflow commands: one ``::error file=…,line=…::`` line per violation, its path
    below ``path_prefix`` (where the project is in the repository); with ``scope``, a
    notice of the violations in files other than those given."""
    lines = []
    for violation in (v for v in result.violations if not v.baselined):
        level = {"error": "error", "warning": "warning"}.get(violation.severity, "notice")
        title = _escape_property(f"archguard {violation.contract}")
        message = _escape_data(f"{violation.message}: {violation.statement} ({violation.kind}); "
                               f"used in {_used_in(violation)}")
        file = _escape_property(prefixed(path_prefix, violation.file))
        lines.append(f"::{level} file={file},line={violation.line},"
                     f"col={violation.column},title={title}::{message}")
    for finding in result.findings:
        level = {"error": "error", "warning": "warning"}.get(finding.severity, "notice")
        where = _finding_file(finding, result)
        place = (f"file={_escape_property(prefixed(path_prefix, where))},"
                 + (f"line={finding.line}," if finding.line else "")) if where else ""
        lines.append(f"::{level} {place}title={_escape_property(f'archguard {finding.rule}')}"
                     f"::{_escape_data(finding.message)}")
    for error in result.errors:
        lines.append(f"::error title=archguard::{_escape_data(error)}")
    left_out = scope.left_out() if scope is not None else None
    if left_out is not None:
        lines.append(f"::notice title=archguard::{_escape_data(left_out)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _finding_file(finding: Finding, result: CheckResult) -> str | None:
    return relative_path(finding.path, Path(result.project_dir))


def to_junit(result: CheckResult, scope: FilesScope | None = None) -> str:
    """JUnit XML: one test case per contract, failing with its violations; with ``scope``,
    the suite's output says how many violations files other than those given hold. Names
    are printable (see :mod:`archguard.reporting.escape`): XML cannot hold most control
    characters, even as character references."""
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
                "message": printable(f"{len(contract.new_violations)} violation(s) of "
                                     f"{contract.name}"),
                "type": contract.severity,
            })
            failure.text = "\n".join(
                printable(f"{v.file}:{v.line}: {v.statement} ({v.kind}); used in {_used_in(v)}")
                for v in contract.new_violations
            )
    for error in result.errors:
        case = ElementTree.SubElement(suite, "testcase", {"classname": "archguard.source",
                                                          "name": "parse"})
        ElementTree.SubElement(case, "error", {"message": printable(error)})
    left_out = scope.left_out() if scope is not None else None
    if left_out is not None:
        ElementTree.SubElement(suite, "system-out").text = left_out
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        suite, encoding="unicode") + "\n"


def to_sarif(result: CheckResult, proposals: ProposalSet | None = None, *,
             path_prefix: str = "", scope: FilesScope | None = None) -> str:
    """SARIF 2.1.0: one rule per contract, one result per violation; with ``proposals``,
    each result carries its proposal (properties) and the files it changes
    (``relatedLocations``).

    Paths are relative to the project (base ``PROJECT``); with ``path_prefix``, where the
    project is in its repository, they are relative to the repository's top (base
    ``SRCROOT``), as code scanning reads them. With ``scope``, a notification says how
    many violations files other than those given hold."""
    from archguard.reporting.rule_docs import rule_docs

    def location(file: str) -> dict:
        if not path_prefix:
            return {"uri": file, "uriBaseId": "PROJECT"}
        return {"uri": prefixed(path_prefix, file), "uriBaseId": "SRCROOT"}

    docs = rule_docs()
    rules = [
        {
            "id": contract.id,
            "name": contract.type,
            "shortDescription": {"text": contract.name},
            **_sarif_help(docs.get(contract.type), contract.description),
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
                    "artifactLocation": location(violation.file),
                    "region": {"startLine": violation.line, "startColumn": violation.column},
                },
            }],
            **_sarif_proposal(proposals, violation, location),
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
                "artifactLocation": location(where),
                **({"region": region} if region else {})}}]
        results.append(entry)
    notifications = [{"level": "error", "message": {"text": error}} for error in result.errors]
    left_out = scope.left_out() if scope is not None else None
    if left_out is not None:
        notifications.append({"level": "note", "message": {"text": left_out}})
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "archguard", "version": __version__,
                                **_information_uri(), "rules": rules}},
            "originalUriBaseIds": _uri_bases(result.project_dir, path_prefix),
            "results": results,
            "invocations": [{"executionSuccessful": not result.errors,
                             "toolExecutionNotifications": notifications}],
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_proposal(proposals: ProposalSet | None, violation: Violation, location) -> dict:
    proposal = proposals.for_violation(violation.fingerprint) if proposals else None
    if proposal is None:
        return {}
    chosen = proposal.chosen()
    related = [{"id": i, "message": {"text": f"{chosen.recipe} changes this file"},
                "physicalLocation": {"artifactLocation": location(file)}}
               for i, file in enumerate(f for f in chosen.files if f != violation.file)]
    return {"relatedLocations": related} if related else {}


def _proposal_property(proposals: ProposalSet | None, violation: Violation) -> dict:
    proposal = proposals.for_violation(violation.fingerprint) if proposals else None
    return {"proposal": proposal_to_json(proposal)} if proposal else {}


def _sarif_help(doc, description: str = "") -> dict:
    """A rule's ``fullDescription`` and ``help``: the contract's own ``description`` (why
    this team has it), then its kind's documentation (what it checks, why, an example, how
    to fix it), as far as there are any."""
    if doc is None and not description:
        return {}
    text = doc.render() if doc is not None else ""
    markdown = doc.markdown() if doc is not None else ""
    if description:
        text = f"{description}\n\n{text}" if text else f"{description}\n"
        markdown = (f"{markdown_text(description)}\n\n{markdown}" if markdown
                    else f"{markdown_text(description)}\n")
    return {"fullDescription": {"text": description or doc.doc.what},
            "help": {"text": text, "markdown": markdown}}


def _information_uri() -> dict:
    """Where the tool is documented, as the installed package's metadata names it (its
    ``Repository``, ``Documentation``, ``Source`` or ``Homepage`` URL); nothing when it
    names none, rather than an address of no use."""
    from importlib import metadata

    try:
        found = metadata.metadata("archguard")
    except metadata.PackageNotFoundError:
        return {}
    urls = {}
    for entry in found.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    for label in ("repository", "documentation", "source", "homepage"):
        if urls.get(label, "").startswith(("https://", "http://")):
            return {"informationUri": urls[label]}
    home = found.get("Home-page") or ""
    return {"informationUri": home} if home.startswith(("https://", "http://")) else {}


def _file_uri(path: str | Path) -> str:
    return Path(path).resolve().as_uri() + "/"


def _uri_bases(project_dir: str, path_prefix: str) -> dict:
    """``originalUriBaseIds``: ``PROJECT``, the project's folder; with ``path_prefix``,
    ``SRCROOT``, the repository's top: the project's folder less the prefix, when the
    folder ends with it, else unknown here (described, without a ``uri``)."""
    if not path_prefix:
        return {"PROJECT": {"uri": _file_uri(project_dir)}}
    folder = Path(project_dir).resolve()
    parts = tuple(path_prefix.split("/"))
    if len(folder.parts) > len(parts) and folder.parts[-len(parts):] == parts:
        return {"SRCROOT": {"uri": _file_uri(folder.parents[len(parts) - 1])}}
    return {"SRCROOT": {"description": {
        "text": f"The top of the repository, in which the project is {path_prefix}/"}}}
