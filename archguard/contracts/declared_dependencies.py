"""``declared_dependencies``: a module imports only allowed categories and what it requires."""

from __future__ import annotations

from archguard.contracts.base import Contract, Option, OptionType, between_modules, matches_category
from archguard.domain.layout import Owner
from archguard.domain.rules import DocBlock


class DeclaredDependencies(Contract):
    type = "declared_dependencies"
    summary = ("Modules of these categories import only modules of the allowed categories and "
               "the modules they declare in requires.")
    doc = DocBlock(
        what="A module of the judged categories depends only on modules of the allowed "
             "categories and on the modules it declares in requires (in the configuration "
             "or its definition.py).",
        why="The registry loads a module only when everything it requires is installed. An "
            "undeclared dependency breaks when its target is removed while the importer is "
            "still loaded.",
        example="# app/modules/cart/services.py; cart requires [inventory]\n"
                "from app.modules.orders.models import Order   # orders is not declared",
        fix="Declare the dependency in requires (the module then goes when its requirement "
            "goes), or reach the other module through a Protocol in contracts.",
    )

    categories = Option(OptionType.CATEGORIES, "Categories whose modules are judged.",
                        default=("optional",), min_items=1)
    allow_categories = Option(OptionType.CATEGORIES, "Categories every module may depend on.",
                              default=("core",), min_items=1)

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if not between_modules(source, target) or not matches_category(source, self.categories):
            return None
        if matches_category(target, self.allow_categories) or target.name in source.requires:
            return None
        return f"{source.name} imports {target.name}, which it does not declare in requires"
