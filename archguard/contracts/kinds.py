"""The import contracts: category layering, declared dependencies, forbidden, independence,
purity and kernel generic."""

from __future__ import annotations

from archguard.contracts.base import Contract, matches_category, matches_module
from archguard.domain.architecture import ContractSpec
from archguard.domain.layout import EXTERNAL, KERNEL, MODULE, PROJECT, STDLIB, Layout, Owner


class CategoryLayering(Contract):
    """Modules of the source categories must not depend on modules of forbidden categories."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.kind != MODULE or target.kind != MODULE or source.name == target.name:
            return None
        if not matches_category(source, self.options["source"]):
            return None
        if not matches_category(target, self.options["forbidden"]):
            return None
        if matches_module(target, self.options.get("allow", [])):
            return None
        return f"{source.category} module {source.name} depends on {target.category} " \
               f"module {target.name}"


class DeclaredDependencies(Contract):
    """Modules of these categories import only allowed categories and what they require."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.kind != MODULE or target.kind != MODULE or source.name == target.name:
            return None
        if not matches_category(source, self.options["categories"]):
            return None
        if matches_category(target, self.options["allow_categories"]):
            return None
        if target.name in source.requires:
            return None
        return f"{source.name} imports {target.name}, which it does not declare in requires"


class Forbidden(Contract):
    """The source modules must not depend on the forbidden modules."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.name == target.name:
            return None
        if matches_module(source, self.options["source"]) and matches_module(
            target, self.options["forbidden"]
        ):
            return f"{source.name} must not depend on {target.name}"
        return None


class Independence(Contract):
    """None of the listed modules depends on another of them."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        modules = self.options["modules"]
        if source.name != target.name and matches_module(source, modules) and matches_module(
            target, modules
        ):
            return f"{source.name} and {target.name} must be independent"
        return None


class Purity(Contract):
    """These modules import only the standard library, allowed packages and themselves."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if not matches_module(source, self.options["modules"]) or source.name == target.name:
            return None
        if target.kind == STDLIB and self.options.get("allow_stdlib", True):
            return None
        if target.kind in (EXTERNAL, KERNEL) and target.name in self.options.get("allow", []):
            return None
        if target.kind in (MODULE, KERNEL, PROJECT):
            return f"{source.name} must import nothing of the project but itself"
        return f"{source.name} must not import the third-party package {target.name}"


class KernelGeneric(Contract):
    """Kernel packages import no module of the forbidden categories."""

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if source.kind != KERNEL or target.kind != MODULE:
            return None
        if matches_category(target, self.options["forbidden"]):
            return f"kernel package {source.name} depends on {target.category} module " \
                   f"{target.name}"
        return None


CONTRACT_CLASSES: dict[str, type[Contract]] = {
    "category_layering": CategoryLayering,
    "declared_dependencies": DeclaredDependencies,
    "forbidden": Forbidden,
    "independence": Independence,
    "purity": Purity,
    "kernel_generic": KernelGeneric,
}


def build_contract(spec: ContractSpec, layout: Layout) -> Contract | None:
    """The contract for ``spec``, or None for kinds that do not judge imports."""
    cls = CONTRACT_CLASSES.get(spec.type)
    return cls(spec, layout) if cls is not None else None
