"""``layers``: an ordered stack of layers; a layer may depend on those below it, never on
those above, and the members of one layer either stay independent or may depend on each
other."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property

from archguard.contracts.base import (
    LAYER_CATEGORY,
    LAYER_INDEPENDENT,
    LAYER_OPEN,
    Contract,
    Option,
    OptionType,
    between_modules,
    layer_members,
)
from archguard.domain.layout import Owner, OwnerKind
from archguard.domain.rules import DocBlock

#: The longest layer a message writes out in full, and how many members it names of longer.
SHOWN_LENGTH = 120
SHOWN_MEMBERS = 3


@dataclass(frozen=True)
class Layer:
    """One layer of the stack: its members (module names or globs, ``category:NAME``) and
    whether they must stay independent of each other."""

    index: int
    text: str
    members: tuple[str, ...]
    independent: bool

    @property
    def shown(self) -> str:
        """The layer as a message names it: as written, or, when that is long (a stack of
        a thousand plugins), its first members and how many it has."""
        if len(self.text) <= SHOWN_LENGTH:
            return self.text
        separator = f" {LAYER_INDEPENDENT} " if self.independent else LAYER_OPEN
        return (f"{separator.join(self.members[:SHOWN_MEMBERS])}{separator}… "
                f"({len(self.members):,} members)")

    def member_of(self, owner: Owner) -> str | None:
        """The member ``owner`` belongs to, if it belongs to this layer."""
        for member in self.members:
            if member.startswith(LAYER_CATEGORY):
                if owner.category == member[len(LAYER_CATEGORY):]:
                    return member
            elif fnmatchcase(owner.name, member):
                return member
        return None


def parse_layer(index: int, text: str) -> Layer:
    """``"plugins | webhook"``: independent members; ``"orders : checkout"`` (with spaces
    around the colon): members that may depend on each other; one member alone is a layer
    of one."""
    independent = LAYER_INDEPENDENT in text
    if independent and LAYER_OPEN in text:
        raise ValueError(f"layer {text!r} mixes '|' and ' : ': give its members one separator")
    return Layer(index, text, tuple(layer_members(text)), independent)


class Layers(Contract):
    type = "layers"
    summary = "An ordered stack: each layer may depend on the layers below it, never above."
    doc = DocBlock(
        what="The modules of each layer depend only on modules of the layers below it (listed "
             "after it), never on those above. A layer of several members separated by `|` "
             "keeps them independent of each other; separated by ` : `, they may depend on each "
             "other. A member is a module, a glob of modules (`shop_*`) or a category "
             "(`category:core`); a module belongs to the first layer that names it.",
        why="A stack of four or five layers written as one contract says what the "
            "architecture is, instead of a category_layering contract for each pair; and "
            "sibling packages of one layer (two plugins, two apps) stay removable one at a "
            "time.",
        example="layers: [graphql, plugins | webhook, \"apps_*\", category:core]\n"
                "# in app/modules/orders_core/models.py (category core):\n"
                "from app.modules.graphql.schema import OrderType",
        fix="Move the code down to the layer that owns what it uses, or reach the upper layer "
            "through a Protocol in a lower one that the upper layer implements.",
    )

    layers = Option(OptionType.LAYERS, "The layers, from the top: each a module, a glob, "
                                       "`category:NAME`, or several of them separated by `|` "
                                       "(independent) or ` : ` (not).",
                    required=True, min_items=2)

    @cached_property
    def stack(self) -> tuple[Layer, ...]:
        return tuple(parse_layer(index, text) for index, text in enumerate(self.layers))

    def forbids(self, source: Owner, target: Owner) -> str | None:
        if not between_modules(source, target):
            return None
        source_place, target_place = self._place(source), self._place(target)
        if source_place is None or target_place is None:
            return None
        source_layer, source_member = source_place
        target_layer, target_member = target_place
        if source_layer.index > target_layer.index:
            return (f"{source.name} (layer {source_layer.index + 1}: {source_layer.shown}) "
                    f"depends on {target.name} (layer {target_layer.index + 1}: "
                    f"{target_layer.shown}), which is above it")
        if source_layer.index == target_layer.index and source_layer.independent \
                and source_member != target_member:
            return (f"{source.name} ({source_member}) depends on {target.name} "
                    f"({target_member}): the members of layer {source_layer.index + 1} "
                    f"({source_layer.shown}) must be independent")
        return None

    def passes_through(self, owner: Owner) -> bool:
        """A chain passes no layer's module: the stack is ordered, so a forbidden chain
        through one has a link this contract forbids itself, reported where it is."""
        return owner.kind != OwnerKind.MODULE or self._place(owner) is None

    @cached_property
    def _places(self) -> dict[Owner, tuple[Layer, str] | None]:
        """Each owner placed so far: a chain's search asks for every module it passes."""
        return {}

    def _place(self, owner: Owner) -> tuple[Layer, str] | None:
        places = self._places
        if owner not in places:
            places[owner] = next(((layer, member) for layer in self.stack
                                  if (member := layer.member_of(owner)) is not None), None)
        return places[owner]
