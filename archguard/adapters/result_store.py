"""A check's result kept in one JSON file, under the key it was computed for.

The file holds its format, the key, when it was written and the result, and is replaced
atomically. One that cannot be read, is of another format or key, or is malformed reads as
nothing: never trusted, never an error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from archguard.adapters.cache_folder import make_cache_folder
from archguard.adapters.files import atomic_write
from archguard.domain.imports import UseSite
from archguard.domain.inventory import Finding
from archguard.domain.violations import CheckResult, ContractOutcome, Violation
from archguard.errors import ArchguardError

FORMAT = 3


@dataclass(frozen=True)
class StoredResult:
    """A result read back, with the time (ns since the epoch) its file was written."""

    result: CheckResult
    written_at_ns: int


class ResultStore:
    """The result kept in the file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, key: str) -> StoredResult | None:
        """The result stored under ``key``; None when there is none, or it cannot be read."""
        try:
            document = json.loads(self.path.read_bytes())
            if document.get("format") != FORMAT or document.get("key") != key:
                return None
            written_at_ns = int(document["written_at_ns"])
            return StoredResult(_result(document["result"]), written_at_ns)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def save(self, key: str, result: CheckResult) -> None:
        """Keep ``result`` under ``key``; a folder that cannot be written keeps nothing."""
        document = {"format": FORMAT, "key": key, "written_at_ns": time.time_ns(),
                    "result": _plain(result)}
        try:
            make_cache_folder(self.path.parent)
            atomic_write(self.path, json.dumps(document, default=str, separators=(",", ":")))
        except (OSError, ArchguardError):
            return  # a read-only checkout: the next run computes again


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: object) -> object:
    """``value`` as JSON data: what :func:`dataclasses.asdict` gives, without its deep copy
    of every leaf (a result of 20,000 violations took it most of a second)."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    return value


def _finding(data: dict) -> Finding:
    return Finding(rule=data["rule"], message=data["message"],
                   path=Path(data["path"]) if data["path"] is not None else None,
                   line=data["line"], severity=data["severity"])


def _violation(data: dict) -> Violation:
    return Violation(**{
        **data,
        "names": tuple(data["names"]),
        "used_in": tuple(UseSite(u["symbol"], tuple(u["lines"]), tuple(u["labels"]))
                         for u in data["used_in"]),
        "chain": tuple(data["chain"]),
    })


def _result(data: dict) -> CheckResult:
    contracts = tuple(
        ContractOutcome(id=c["id"], name=c["name"], type=c["type"], severity=c["severity"],
                        violations=tuple(_violation(v) for v in c["violations"]),
                        problems=tuple(_finding(p) for p in c["problems"]),
                        description=c["description"])
        for c in data["contracts"]
    )
    return CheckResult(
        project_dir=data["project_dir"], contracts=contracts,
        findings=tuple(_finding(f) for f in data["findings"]),
        errors=tuple(data["errors"]), modules_checked=data["modules_checked"],
        imports_checked=data["imports_checked"],
        references_checked=data["references_checked"],
        stale=tuple(data["stale"]), baseline_file=data["baseline_file"],
        left_out=tuple((file, reason) for file, reason in data["left_out"]),
    )
