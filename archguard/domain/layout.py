"""Which part of the architecture a dotted module name belongs to."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.inventory import Inventory

KERNEL_CATEGORY = "core"


class OwnerKind(StrEnum):
    """What a dotted name belongs to: a module of the modules package, a kernel package,
    other project code (uncategorised), the standard library or a third-party package."""

    MODULE = "module"
    KERNEL = "kernel"
    PROJECT = "project"
    STDLIB = "stdlib"
    EXTERNAL = "external"


@dataclass(frozen=True)
class Owner:
    """What a dotted name belongs to: a module, a kernel package, other project code
    (uncategorised), the standard library or a third-party package."""

    name: str
    kind: OwnerKind
    category: str | None = None
    requires: frozenset[str] = frozenset()

    def __hash__(self) -> int:
        # Equal owners have the same name and kind; hashing these two strings (whose hashes
        # Python keeps) spares hashing ``requires`` on every lookup of a chain's search.
        return hash((self.name, self.kind))


class Layout:
    """Maps dotted names to their :class:`Owner`, from the config and the module inventory."""

    def __init__(self, config: ArchitectureConfig, inventory: Inventory) -> None:
        self.root = config.root_package
        self.modules_prefix = config.modules_package + "."
        self.kernel = tuple(sorted(config.kernel, key=len, reverse=True))
        by_code = {m.code: m.name for m in inventory.modules}
        self.modules = {
            m.name: Owner(m.name, OwnerKind.MODULE, m.category,
                          frozenset(by_code.get(r, r) for r in m.requires))
            for m in inventory.modules
        }
        self.owner_of = lru_cache(maxsize=None)(self._owner_of)

    def _owner_of(self, dotted: str) -> Owner:
        if dotted == self.root or dotted.startswith(self.root + "."):
            for package in self.kernel:
                if dotted == package or dotted.startswith(package + "."):
                    return Owner(package, OwnerKind.KERNEL, KERNEL_CATEGORY)
            if dotted.startswith(self.modules_prefix):
                name = dotted[len(self.modules_prefix):].split(".")[0]
                if name in self.modules:
                    return self.modules[name]
            return Owner(dotted, OwnerKind.PROJECT)
        top = dotted.split(".")[0]
        kind = OwnerKind.STDLIB if top in sys.stdlib_module_names else OwnerKind.EXTERNAL
        return Owner(top, kind)
