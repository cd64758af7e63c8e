"""The contract interface."""

from __future__ import annotations

import fnmatch

from archguard.domain.architecture import ANY, ContractSpec
from archguard.domain.layout import MODULE, Layout, Owner


class Contract:
    """A configured contract. Subclasses implement :meth:`forbids`."""

    #: Whether this contract judges imports (others judge files and folders).
    judges_imports = True

    def __init__(self, spec: ContractSpec, layout: Layout) -> None:
        self.spec = spec
        self.layout = layout
        self.options = spec.options

    @property
    def id(self) -> str:
        return self.spec.id

    def forbids(self, source: Owner, target: Owner) -> str | None:
        """Why ``source`` may not depend on ``target`` under this contract, or None."""
        raise NotImplementedError


def matches_category(owner: Owner, categories: list[str]) -> bool:
    return owner.category is not None and (ANY in categories or owner.category in categories)


def matches_module(owner: Owner, patterns: list[str]) -> bool:
    return owner.kind == MODULE and any(fnmatch.fnmatchcase(owner.name, p) for p in patterns)
