"""Baselines: the known violations of a legacy codebase, so that only new ones fail.

A baseline lists fingerprints (which never include line numbers) with enough context to
read it in a review, sorted for clean diffs; its file is read and written by
:mod:`archguard.adapters.baseline_file`. Entries that match nothing any more are stale: the
violation was fixed, and the baseline should shrink.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from archguard.adapters.baseline_file import baseline_text, read_baseline
from archguard.domain.violations import CheckResult, Violation

__all__ = ["apply_baseline", "baseline_document", "baseline_entries", "read_baseline"]


def baseline_entries(result: CheckResult) -> list[dict]:
    """A baseline entry for every violation of ``result``, sorted by contract, file,
    imported module and fingerprint."""
    return sorted(
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


def baseline_document(result: CheckResult) -> str:
    """The baseline file's text for every violation of ``result``."""
    return baseline_text(baseline_entries(result))


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
