"""``purity``: modules that import nothing but the standard library and what is allowed."""

from __future__ import annotations

from archguard.contracts.base import Contract, Option, OptionType, matches_module
from archguard.domain.layout import Owner, OwnerKind
from archguard.domain.rules import DocBlock


class Purity(Contract):
    type = "purity"
    summary = ("These modules import nothing but the standard library, the listed packages and "
               "themselves.")
    doc = DocBlock(
        what="The modules import only themselves, the standard library (unless allow_stdlib "
             "is false) and the packages listed in allow.",
        why="A module every other module depends on, such as contracts, must depend on "
            "nothing, or every module inherits its dependencies.",
        example="# app/modules/contracts/metrics.py\n"
                "from app.modules.catalog.models import Product",
        fix="Keep only Protocols and plain data in the module; move what needs other code to "
            "the module that implements the Protocol.",
    )

    modules = Option(OptionType.MODULES, "The modules kept pure (names or globs).",
                     required=True, min_items=1)
    allow = Option(OptionType.PACKAGES, "Packages they may import besides the standard "
                                        "library.", default=())
    allow_stdlib = Option(OptionType.FLAG, "Whether the standard library may be imported.",
                          default=True)

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if not matches_module(source, self.modules) or source.name == target.name:
            return None
        if target.kind == OwnerKind.STDLIB and self.allow_stdlib:
            return None
        if target.kind in (OwnerKind.EXTERNAL, OwnerKind.KERNEL) and target.name in self.allow:
            return None
        if target.kind in (OwnerKind.MODULE, OwnerKind.KERNEL, OwnerKind.PROJECT):
            return f"{source.name} must import nothing of the project but itself"
        return f"{source.name} must not import the third-party package {target.name}"
