"""Contract kinds: each decides what a configured contract forbids.

Each kind is one :class:`~archguard.contracts.base.Contract` subclass in one module of this
package, found here by walking the package: adding a kind is adding its module. The kind
carries its type name, its options (from which the configuration's schema and the loader's
checks are made), its documentation (``archguard explain``, SARIF) and its check.
"""

from __future__ import annotations

import importlib
import pkgutil

from archguard.contracts.base import Contract, Option, OptionType
from archguard.domain.architecture import ContractSpec
from archguard.domain.layout import Layout


def _kinds() -> dict[str, type[Contract]]:
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    found = {kind.type: kind for kind in Contract.__subclasses__()}
    return dict(sorted(found.items()))


#: Every contract kind, by its ``type``.
CONTRACT_KINDS: dict[str, type[Contract]] = _kinds()


def build_contract(spec: ContractSpec, layout: Layout) -> Contract:
    """The contract ``spec`` configures (its type is one of :data:`CONTRACT_KINDS`)."""
    return CONTRACT_KINDS[spec.type](spec, layout)


__all__ = ["CONTRACT_KINDS", "Contract", "Option", "OptionType", "build_contract"]
