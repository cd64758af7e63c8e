"""The module inventory as JSON (``archguard modules --format json``), schema version 1."""

from __future__ import annotations

from pathlib import Path

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.inventory import Inventory

SCHEMA_VERSION = 1


def relative_path(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def inventory_to_json(inventory: Inventory, config: ArchitectureConfig) -> dict:
    """A JSON-ready dict: modules (name, code, category and its source, requires and its
    source, definition file), kernel packages, and findings with file and line."""
    root = inventory.project_dir
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "archguard",
        "project": str(root),
        "config": str(config.source),
        "modules_package": inventory.modules_package,
        "categories": list(config.categories),
        "kernel": list(inventory.kernel),
        "modules": [
            {
                "name": m.name,
                "package": m.package,
                "code": m.code,
                "category": m.category,
                "category_source": m.category_source,
                "requires": list(m.requires),
                "requires_source": m.requires_source,
                "purpose": m.purpose,
                "definition": relative_path(m.definition, root),
            }
            for m in inventory.modules
        ],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "file": relative_path(f.path, root),
                "line": f.line,
            }
            for f in inventory.findings
        ],
    }
