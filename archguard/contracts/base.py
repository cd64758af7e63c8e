"""What a contract kind is: its type name, its options, its documentation and its check.

A kind is one class in one module of this package; the package finds them all (see
:mod:`archguard.contracts`). The configuration's schema, the loader's cross-checks, the
checker and ``archguard explain`` all read the kind from its class.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from archguard.domain.architecture import ANY, ContractSpec
from archguard.domain.inventory import Finding, Module, ModuleSources
from archguard.domain.layout import Layout, Owner, OwnerKind
from archguard.domain.rules import DocBlock


class OptionType(StrEnum):
    """What an option's value is, and so how it is validated and what it may name."""

    #: Category names, or ``*`` for every category; checked against the categories.
    CATEGORIES = "categories"
    #: Module names or globs; checked against the modules.
    MODULES = "modules"
    #: Dotted names of packages (``typing_extensions``, ``app.modules.base``).
    PACKAGES = "packages"
    #: Identifiers (function names).
    IDENTIFIERS = "identifiers"
    #: File names relative to a module's folder.
    FILES = "files"
    #: One file name, or none.
    FILE = "file"
    FLAG = "flag"
    #: Layers, from the top: each a module name or glob, ``category:NAME``, or several of
    #: them separated by ``|`` (independent) or `` : `` (not). Their modules and categories
    #: are checked as those of MODULES and CATEGORIES options are.
    LAYERS = "layers"


@dataclass(frozen=True)
class Option:
    """One option of a contract kind, read on an instance as ``contract.<name>``."""

    value_type: OptionType
    description: str
    required: bool = False
    default: Any = None
    #: For lists: the fewest items allowed.
    min_items: int | None = None
    name: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "name", name)

    def __get__(self, contract: Contract | None, owner: type) -> Any:
        if contract is None:
            return self
        value = contract.spec.options.get(self.name, self.default)
        return tuple(value) if isinstance(value, list) else value

    @property
    def is_list(self) -> bool:
        return self.value_type not in (OptionType.FILE, OptionType.FLAG)


class Contract:
    """A configured contract. A kind subclasses it, sets :attr:`type`, :attr:`summary` and
    :attr:`doc`, declares its options as :class:`Option` attributes, and overrides
    :meth:`forbids` (a kind that judges dependencies) or :meth:`problems` (one that judges
    the modules' files)."""

    #: The ``type:`` of the contract in the configuration.
    type: ClassVar[str]
    #: One sentence: the schema's description of the kind.
    summary: ClassVar[str]
    doc: ClassVar[DocBlock]
    #: Whether the kind judges dependencies (imports and string references).
    judges_dependencies: ClassVar[bool] = True
    #: The options, by name, in declaration order.
    options: ClassVar[dict[str, Option]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.options = {name: value for name, value in vars(cls).items()
                       if isinstance(value, Option)}

    def __init__(self, spec: ContractSpec, layout: Layout) -> None:
        self.spec = spec
        self.layout = layout

    @property
    def id(self) -> str:
        return self.spec.id

    def forbids(self, source: Owner, target: Owner) -> str | None:
        """Why ``source`` may not depend on ``target`` under this contract, or None."""
        return None

    def passes_through(self, owner: Owner) -> bool:
        """Whether a chain of imports this contract follows through any project code
        (``indirect: any``) may pass through ``owner``'s code."""
        return True

    def problems(self, modules: Sequence[Module], sources: ModuleSources) -> list[Finding]:
        """What breaks this contract in the modules' files (for kinds that judge files)."""
        return []

    @classmethod
    def option_values(cls, spec: ContractSpec,
                      option_type: OptionType) -> Iterator[tuple[str, int, str]]:
        """Each value ``spec`` gives an option of ``option_type``: (option, index, value)."""
        for name, option in cls.options.items():
            if option.value_type == option_type and option.is_list:
                for index, value in enumerate(spec.options.get(name) or ()):
                    yield name, index, value
            elif option.value_type == OptionType.LAYERS and option_type in (
                    OptionType.MODULES, OptionType.CATEGORIES):
                for index, value in enumerate(spec.options.get(name) or ()):
                    for member in layer_members(value):
                        category = member.startswith(LAYER_CATEGORY)
                        if category == (option_type == OptionType.CATEGORIES):
                            yield name, index, member.removeprefix(LAYER_CATEGORY)


#: A layer member naming a category: ``category:core``.
LAYER_CATEGORY = "category:"
#: Separators of a layer's members: independent ones, and ones that may depend on each other
#: (a colon with spaces around it: ``category:core`` has none).
LAYER_INDEPENDENT, LAYER_OPEN = "|", " : "


def layer_members(text: str) -> list[str]:
    """The members of one layer as written: ``"plugins | webhook"`` → plugins, webhook."""
    separator = LAYER_INDEPENDENT if LAYER_INDEPENDENT in text else LAYER_OPEN
    return [part.strip() for part in text.split(separator) if part.strip()]


def matches_category(owner: Owner, categories: Sequence[str]) -> bool:
    """Whether ``owner`` has one of ``categories`` (``*``: any category)."""
    return owner.category is not None and (ANY in categories or owner.category in categories)


def matches_module(owner: Owner, patterns: Sequence[str]) -> bool:
    """Whether ``owner`` is a module whose name matches one of ``patterns`` (globs)."""
    return owner.kind == OwnerKind.MODULE and any(fnmatch.fnmatchcase(owner.name, p)
                                                  for p in patterns)


def between_modules(source: Owner, target: Owner) -> bool:
    """Whether a dependency goes from one module of the modules package to another."""
    return (source.kind == OwnerKind.MODULE and target.kind == OwnerKind.MODULE
            and source.name != target.name)
