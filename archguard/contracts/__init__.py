"""Contract kinds: each decides whether a dependency between two owners is allowed.

A contract answers :meth:`Contract.forbids` with the reason a dependency breaks it, or None.
Which import kinds count is applied by the checker, from the contract or the policy.
"""

from __future__ import annotations

from archguard.contracts.base import Contract
from archguard.contracts.kinds import CONTRACT_CLASSES, build_contract

__all__ = ["CONTRACT_CLASSES", "Contract", "build_contract"]
