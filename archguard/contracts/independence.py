"""``independence``: none of the listed modules depends on another of them."""

from __future__ import annotations

from archguard.contracts.base import Contract, Option, OptionType, matches_module
from archguard.domain.layout import Owner
from archguard.domain.rules import DocBlock


class Independence(Contract):
    type = "independence"
    summary = "None of these modules depends on another of them."
    doc = DocBlock(
        what="No module of the list depends on another module of the list.",
        why="Modules that declare no dependencies promise to be removable one at a time; a "
            "dependency between two of them breaks that promise for both.",
        example="# analytics and orders are independent; in app/modules/analytics/report.py:\n"
                "from app.modules.orders.models import Order",
        fix="Reach the other module's data through a provider Protocol in contracts, or "
            "declare the dependency and take the module out of the list.",
    )

    modules = Option(OptionType.MODULES, "The modules: names or globs (`*` for every module, "
                                         "`shop_*`); a glob may stand for many.",
                     required=True, min_items=1)

    def passes_through(self, owner: Owner) -> bool:
        """A chain passes none of the modules: one through another of them has a link this
        contract forbids itself, reported where it is (as lint-imports reports it)."""
        return not matches_module(owner, self.modules)

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.name != target.name and matches_module(source, self.modules) \
                and matches_module(target, self.modules):
            return f"{source.name} and {target.name} must be independent"
        return None
