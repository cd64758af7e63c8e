"""Words shared by every report format."""

from __future__ import annotations

from archguard.domain.violations import Violation


def import_text(violation: Violation, separator: str = "\n") -> str:
    """What a violation depends on: ``Order (app.modules.orders.models)``; a chain's links;
    for a string reference, the call and where it leads."""
    named = (f"{', '.join(violation.names)} ({violation.imported})" if violation.names
             else violation.imported)
    if violation.reference:
        return f"{violation.reference}{separator}→ {named}"
    if violation.chain:
        return separator.join([f"{violation.imported}, through:", *violation.chain])
    return named
