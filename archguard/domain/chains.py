"""Chains of imports: from a module's import, the shortest way on to a module it may not
depend on, through the modules a contract lets a chain pass."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from archguard.domain.imports import ImportTable

#: For each module a chain can start from, the next module on a shortest chain to the
#: targets; a target maps to None.
Hops = dict[str, str | None]


def hops_to(table: ImportTable, targets: Iterable[str], passable: Callable[[str], bool],
            cut: Callable[[str, str], bool] | None = None) -> Hops:
    """Every module from which chains of imports through ``passable`` modules only reach one
    of ``targets``, with its next module on a shortest such chain (ties go to the first
    module by name, so the same graph gives the same chains); ``cut(importer, imported)``:
    an import no chain passes."""
    hops: Hops = dict.fromkeys(sorted(targets))
    queue = deque(hops)
    while queue:
        module = queue.popleft()
        for importer in table.importers_of(module):
            if importer not in hops and passable(importer) and (
                    cut is None or not cut(importer, module)):
                hops[importer] = module
                queue.append(importer)
    return hops


def chain_from(hops: Hops, module: str) -> tuple[str, ...]:
    """The chain from ``module`` (which ``hops`` has) to the target it reaches first."""
    chain = [module]
    while (after := hops[chain[-1]]) is not None:
        chain.append(after)
    return tuple(chain)
