"""The catalogue of contract-based rewrites: for a violation, how to remove it.

Each recipe is one :class:`~archguard.rewrites.base.Recipe` subclass in one module of this
package, found here by walking the package: adding a recipe is adding its module. The
recipe carries its id, its documentation (``archguard explain RECIPE``) and its detector;
the source transformations ``archguard fix`` writes live in :mod:`archguard.rewrites.codemods`.
"""

from __future__ import annotations

import importlib
import pkgutil

from archguard.rewrites.base import Recipe, RewriteContext

_NOT_RECIPES = frozenset({"base", "facts", "codemods"})


def _recipes() -> dict[str, type[Recipe]]:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_RECIPES:
            importlib.import_module(f"{__name__}.{info.name}")
    found = sorted(Recipe.__subclasses__(), key=lambda r: (r.rank, r.id))
    return {recipe.id: recipe for recipe in found}


#: Every recipe, by id, in the order they are tried.
RECIPES: dict[str, type[Recipe]] = _recipes()

__all__ = ["RECIPES", "Recipe", "RewriteContext"]
