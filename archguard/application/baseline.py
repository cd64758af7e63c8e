"""Baselines: the known violations of a legacy codebase, so that only new ones fail.

A baseline is a JSON file of fingerprints (which never include line numbers) with enough
context to read it in a review, sorted for clean diffs. Entries that match nothing any more
are stale: the violation was fixed, and the baseline should shrink.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from archguard.domain.violations import CheckResult, Violation
from archguard.errors import ConfigError, Position

BASELINE_VERSION = 1


def baseline_document(result: CheckResult) -> str:
    """The baseline file's text for every violation of ``result``."""
    entries = sorted(
        ({
            "fingerprint": v.fingerprint,
            "contract": v.contract,
            "file": v.file,
            "importer": v.importer,
            "imported": v.imported,
            "names": list(v.names),
            "kind": v.kind,
            "function": v.function,
        } for v in result.violations),
        key=lambda e: (e["contract"], e["file"], e["imported"], e["fingerprint"]),
    )
    document = {"archguard_baseline": BASELINE_VERSION, "violations": entries}
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def read_baseline(path: Path) -> list[dict]:
    """The entries of a baseline file; a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror}", Position(path)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc.msg}",
                          Position(path, exc.lineno, exc.colno)) from None
    if not isinstance(data, dict) or data.get("archguard_baseline") != BASELINE_VERSION:
        raise ConfigError("not an archguard baseline (version 1)", Position(path, 1))
    entries = data.get("violations")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ConfigError("baseline 'violations' must be a list of entries with a fingerprint",
                          Position(path))
    return entries


def apply_baseline(result: CheckResult, entries: list[dict], path: Path) -> CheckResult:
    """Mark baselined violations and list the stale entries."""
    known = {entry["fingerprint"]: entry for entry in entries}
    matched: set[str] = set()

    def mark(violation: Violation) -> Violation:
        if violation.fingerprint in known:
            matched.add(violation.fingerprint)
            return replace(violation, baselined=True)
        return violation

    contracts = tuple(replace(c, violations=tuple(mark(v) for v in c.violations))
                      for c in result.contracts)
    stale = tuple(entry for fingerprint, entry in known.items() if fingerprint not in matched)
    return replace(result, contracts=contracts, stale=stale, baseline_file=str(path))
