"""A check's result kept between runs: an unchanged project is answered without rebuilding.

The key is everything the result depends on: archguard's version, the configuration
file's bytes, and every Python file of the package by path, modification time and size. A
result written when a file had been modified too recently for its signature to vouch for it
(see :mod:`archguard.adapters.freshness`) is not trusted. The result is one JSON file,
replaced atomically; one that cannot be read, is of another version or key, or is malformed
is ignored and recomputed: never trusted, never an error.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

from archguard import __version__
from archguard.adapters.files import source_manifest
from archguard.adapters.freshness import settled
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import UseSite
from archguard.domain.inventory import Finding
from archguard.domain.violations import CheckResult, ContractOutcome, Violation

FORMAT = 1
FILE = "result.json"


class ResultCache:
    """The cached result of one project under one configuration."""

    def __init__(self, project_dir: Path, config: ArchitectureConfig, cache_dir: Path) -> None:
        self.path = cache_dir / FILE
        source_root = (project_dir / config.source_root).resolve()
        package_dir = source_root / Path(*config.root_package.split("."))
        manifest = source_manifest(package_dir)
        #: Every Python file of the package folder: (relative path, mtime in ns, size).
        self.manifest = manifest
        self.newest_ns = max((mtime for _, mtime, _ in manifest), default=0)
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}|{__version__}|{project_dir.resolve()}|".encode())
        try:
            digest.update(Path(config.source).read_bytes())
        except OSError:
            digest.update(b"<no configuration file>")
        for path, mtime, size in manifest:
            digest.update(f"\n{path}|{mtime}|{size}".encode())
        self.key = digest.hexdigest()

    def load(self) -> CheckResult | None:
        try:
            document = json.loads(self.path.read_bytes())
            if document.get("format") != FORMAT or document.get("key") != self.key:
                return None
            written = int(document["written_at_ns"])
            if not settled(self.newest_ns, written):
                return None
            return _result(document["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, result: CheckResult) -> None:
        from archguard.adapters.files import atomic_write
        from archguard.errors import ArchguardError

        document = {"format": FORMAT, "key": self.key, "written_at_ns": time.time_ns(),
                    "result": asdict(result)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(document, default=str, separators=(",", ":")))
        except (OSError, ArchguardError):
            return  # a read-only checkout: the next run computes again


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
                        problems=tuple(_finding(p) for p in c["problems"]))
        for c in data["contracts"]
    )
    return CheckResult(
        project_dir=data["project_dir"], contracts=contracts,
        findings=tuple(_finding(f) for f in data["findings"]),
        errors=tuple(data["errors"]), modules_checked=data["modules_checked"],
        imports_checked=data["imports_checked"],
        references_checked=data["references_checked"],
        stale=tuple(data["stale"]), baseline_file=data["baseline_file"],
    )
