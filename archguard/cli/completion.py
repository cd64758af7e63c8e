"""What the shell completes beyond commands and options: the project's module names (read
from its configuration and folders, nothing imported) and the ids ``explain`` knows. A
project that cannot be read completes nothing, silently: completion never prints an
error into the user's command line."""

from __future__ import annotations

from pathlib import Path

import typer


def module_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """The modules of the project the command line names (PROJECT_DIR and --config, as
    given so far), by name and by code."""
    from archguard.application.inventory import build_inventory
    from archguard.config import find_config, load_config
    from archguard.errors import ArchguardError

    # While completing, the parameters are still the words typed.
    project_dir = Path(ctx.params.get("project_dir") or ".")
    given = ctx.params.get("config")
    try:
        config = load_config(find_config(project_dir, Path(given) if given else None),
                             project_dir=project_dir)
        modules = build_inventory(project_dir, config).modules
    except (ArchguardError, OSError, ValueError, TypeError):
        return []
    names = sorted({m.name for m in modules} | {m.code for m in modules})
    return [name for name in names if name.startswith(incomplete)]


def explained_ids(incomplete: str) -> list[str]:
    """The contract kinds, finding rules and rewrite recipes ``explain`` documents."""
    from archguard.reporting.rule_docs import rule_docs

    return sorted(rule for rule in rule_docs() if rule.startswith(incomplete))
