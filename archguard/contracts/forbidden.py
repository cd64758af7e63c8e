"""``forbidden``: named modules must not depend on other named modules."""

from __future__ import annotations

from archguard.contracts.base import Contract, Option, OptionType, matches_module
from archguard.domain.layout import Owner
from archguard.domain.rules import DocBlock


class Forbidden(Contract):
    type = "forbidden"
    summary = "The source modules must not depend on the forbidden modules."
    doc = DocBlock(
        what="None of the source modules depends on any of the forbidden modules.",
        why="Some dependencies are wrong whatever the categories say: one that makes a cycle "
            "between two core modules, or one a team has decided to remove.",
        example="# billing requires payments; in app/modules/payments/gateway.py:\n"
                "from app.modules.billing.models import Invoice",
        fix="Move the code that needs the other module to it, or pass what is needed in as "
            "an argument.",
    )

    source = Option(OptionType.MODULES, "Modules that are judged (names or globs).",
                    required=True, min_items=1)
    forbidden = Option(OptionType.MODULES, "Modules they must not depend on.",
                       required=True, min_items=1)

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.name != target.name and matches_module(source, self.source) \
                and matches_module(target, self.forbidden):
            return f"{source.name} must not depend on {target.name}"
        return None
