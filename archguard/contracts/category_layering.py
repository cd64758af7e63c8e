"""``category_layering``: modules of some categories must not depend on modules of others."""

from __future__ import annotations

from archguard.contracts.base import (
    Contract,
    Option,
    OptionType,
    between_modules,
    matches_category,
    matches_module,
)
from archguard.domain.layout import Owner
from archguard.domain.rules import DocBlock


class CategoryLayering(Contract):
    type = "category_layering"
    summary = "Modules of the source categories must not depend on modules of the forbidden ones."
    doc = DocBlock(
        what="No module of a source category depends on a module of a forbidden category: "
             "by an import at module level, in a function, or by a string.",
        why="A module that can be removed must not be needed by one that stays: a core "
            "module importing an optional one crashes at start-up, or on the code path that "
            "runs the import, the day the optional module is switched off or deleted.",
        example="# app/modules/tenancy/services/store_service.py (tenancy is core)\n"
                "from app.modules.catalog.models import Product   # catalog is optional",
        fix="Invert the dependency: a Protocol in contracts, implemented by the optional "
            "module and looked up when it is enabled; or move the code to the optional "
            "module; or define the SQLAlchemy relationship on the optional side.",
    )

    source = Option(OptionType.CATEGORIES, "Categories whose modules are judged.",
                    required=True, min_items=1)
    forbidden = Option(OptionType.CATEGORIES, "Categories they must not depend on.",
                       required=True, min_items=1)
    allow = Option(OptionType.MODULES, "Modules of the forbidden categories that may be "
                                       "depended on all the same.", default=())

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if not between_modules(source, target):
            return None
        if not matches_category(source, self.source) \
                or not matches_category(target, self.forbidden):
            return None
        if matches_module(target, self.allow):
            return None
        return f"{source.category} module {source.name} depends on {target.category} " \
               f"module {target.name}"
