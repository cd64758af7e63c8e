"""``kernel_generic``: the app kernel names no module of the forbidden categories."""

from __future__ import annotations

from archguard.contracts.base import Contract, Option, OptionType, matches_category
from archguard.domain.layout import Owner, OwnerKind
from archguard.domain.rules import DocBlock


class KernelGeneric(Contract):
    type = "kernel_generic"
    summary = ("Kernel packages (app.main, app.api, app.core, middleware) import no module of "
               "the forbidden categories.")
    doc = DocBlock(
        what="No kernel package (the packages outside the modules listed under kernel) "
             "depends on a module of the forbidden categories.",
        why="The kernel starts the application whatever modules are installed: it finds "
            "modules by discovery, and a hard-coded import of one makes that module "
            "impossible to remove.",
        example="# app/api/main.py\n"
                "from app.modules.analytics.routes import router",
        fix="Register the module's routes, middleware or static files through its "
            "definition.py and let the kernel discover them.",
    )

    forbidden = Option(OptionType.CATEGORIES, "Categories the kernel must not depend on.",
                       default=("optional", "internal"), min_items=1)

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.kind != OwnerKind.KERNEL or target.kind != OwnerKind.MODULE:
            return None
        if matches_category(target, self.forbidden):
            return f"kernel package {source.name} depends on {target.category} module " \
                   f"{target.name}"
        return None
