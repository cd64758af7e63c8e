"""Words shared by every report format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archguard.domain.violations import Violation
from archguard.reporting.escape import printable

if TYPE_CHECKING:
    from archguard.domain.simulation import Scenario


def import_text(violation: Violation, separator: str = "\n") -> str:
    """What a violation depends on: ``Order (app.modules.orders.models)``; a chain's links;
    for a string reference, the call and where it leads. Each name is printable (see
    :mod:`archguard.reporting.escape`), so that only ``separator`` breaks the text."""
    imported = printable(violation.imported)
    named = (f"{printable(', '.join(violation.names))} ({imported})" if violation.names
             else imported)
    if violation.reference:
        return f"{printable(violation.reference)}{separator}→ {named}"
    if violation.chain:
        return separator.join([f"{imported}, through:", *map(printable, violation.chain)])
    return named


def removed_text(scenario: Scenario) -> str:
    """``orders (+ checkout)``: the removed modules and those the cascade takes with them."""
    text = ", ".join(scenario.removed)
    if scenario.prediction.cascade:
        text += " (+ " + ", ".join(name for name, _ in scenario.prediction.cascade) + ")"
    return printable(text)


def observed_text(scenario: Scenario) -> str:
    observation = scenario.observation
    if observation is None:
        return "-"
    if observation.ok:
        return f"runs ({observation.seconds:.1f} s)"
    state = "crashes at import" if observation.import_crash else "fails"
    return f"{state} ({observation.seconds:.1f} s)"


def agreed_text(scenario: Scenario) -> str:
    return "-" if scenario.agreed is None else ("yes" if scenario.agreed else "NO")


#: Said of a prediction made without ``runtime`` settings.
EVERY_MODULE_STARTED = (
    "no runtime.entry_points (nor scanned or discovered patterns) in the configuration: "
    "every module is taken as imported at start-up, so a module that fails to import is a "
    "crash; set runtime.entry_points to follow start-up from the app's entry point, with the "
    "chain to each failing import, and to leave out code start-up never imports")
