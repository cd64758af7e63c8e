"""``use-provider``: the optional module's data is reached through a provider Protocol of
the contracts module, which a core aggregator asks of every enabled module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Edge, Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import ProtocolFacts, Recipe, RewriteContext, snake, words

#: The fewest meaningful words the used names must share with a protocol.
MIN_SHARED_WORDS = 2


class UseProvider(Recipe):
    id = "use-provider"
    title = "Use the provider protocol through a core aggregator"
    safety = Safety.MANUAL
    rank = 30
    doc = RecipeDoc(
        what="Replaces the direct use of an optional module's service by a call to a core "
             "aggregator that asks every enabled module implementing a Protocol of "
             "`contracts` (the MetricsProvider pattern: `stats_aggregator` asking each "
             "module's `metrics_provider`). Names the protocol, the aggregator (or where to "
             "add one when the project has none yet) and the module's implementation.",
        when="A core module uses an optional module's service, and a Protocol of the "
             "contracts modules describes the same data: its name, methods and docstring "
             "share at least two words with the names used (the optional module's name "
             "counts as one), short forms such as `stats` read as `statistics`.",
        why="The core code then knows only the contract: each module reports its own "
            "figures, a disabled or removed module is simply absent, and the dashboard "
            "shows \"no stats\" for it instead of crashing.",
        before="from app.modules.analytics.services.stats_service import stats_service\n\n"
               "@router.get(\"/stores/{store_id}/stats\")\ndef store_stats(store_id: int, db):\n"
               "    return stats_service.get_store_stats(db, store_id)",
        after="from app.modules.core.services.stats_aggregator import stats_aggregator\n\n"
              "@router.get(\"/stores/{store_id}/stats\")\ndef store_stats(store_id: int, db):\n"
              "    return stats_aggregator.get_store_stats(db, store_id)",
        risks="The response changes shape (a list of metric values per category instead of "
              "the optional module's own schema): clients of the route must follow. Figures "
              "that no provider reports yet disappear until a module implements them.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        by_file: dict[tuple[str, str], list[Violation]] = defaultdict(list)
        for violation in violations:
            if violation.kind in (ImportKind.MODULE, ImportKind.LAZY) and not violation.chain:
                by_file[(violation.file, violation.target_module)].append(violation)
        for (_file, target), group in sorted(by_file.items()):
            match = self._protocol(context, group)
            if match is not None:
                yield self._proposal(context, target, group, *match)

    def _protocol(self, context: RewriteContext, group: list[Violation]
                  ) -> tuple[ProtocolFacts, set[str]] | None:
        """The protocol that best describes what the group uses, with the shared words."""
        facts = context.facts_of(group[0])
        if facts is None:
            return None
        used: set[str] = set()
        for violation in group:
            for imported in facts.imports:
                if imported.line == violation.line:
                    used |= words(imported.bound, *facts.attribute_calls.get(imported.bound, ()))
        source = group[0].source_module
        used -= words(source)
        best: tuple[int, ProtocolFacts, set[str]] | None = None
        for protocol in context.protocols:
            if protocol.module.rpartition(".")[2] == source:  # the source's own contract
                continue
            shared = used & protocol.words()
            if words(group[0].target_module) & protocol.words():
                shared.add(group[0].target_module)
            if len(shared) >= MIN_SHARED_WORDS and (best is None or len(shared) > best[0]):
                best = (len(shared), protocol, shared)
        return (best[1], best[2]) if best else None

    def _proposal(self, context: RewriteContext, target: str, group: list[Violation],
                  protocol: ProtocolFacts, shared: set[str]) -> Proposal:
        source = group[0].source_module
        contracts = protocol.module.split(".")[len(context.modules_package.split("."))]
        consumers = context.consumers(protocol)
        services = sorted({n for v in group for n in v.names if n.endswith("service")})
        aggregator_name = (services[0].removesuffix("service") + "aggregator") if services \
            else snake(protocol.name.removesuffix("Protocol")) + "_aggregator"
        steps: list[str] = []
        adds = [Edge(source, contracts, f"uses {protocol.name}"),
                Edge(target, contracts, f"implements {protocol.name}")]
        if consumers:
            aggregator = consumers[0]
            steps.append(f"call {aggregator} in place of {', '.join(services or group[0].names)}")
            owner = context.layout.owner_of(aggregator)
            adds.append(Edge(source, owner.name, f"calls {aggregator}"))
        else:
            home = "core" if "core" in context.layout.modules and \
                context.category("core") == "core" else source
            folder = context.module_folder(home) or context.module_package(home)
            aggregator = f"{folder}/services/{aggregator_name}.py"
            steps.append(f"no core code asks {protocol.name} yet: add {aggregator}, which "
                         "asks the provider of each enabled module and reports \"no stats\" "
                         "for a module that is absent, disabled or failing")
            steps.append(f"call it in place of {', '.join(services or group[0].names)}")
            adds.append(Edge(source, home, f"calls {aggregator_name}"))
        steps.append(f"implement {protocol.name} in {target} and register it in its "
                     "definition.py" + ("" if _registers(context, protocol) else
                                        f" (the definition class has no field for it yet: "
                                        f"add `{_field(protocol)}`)"))
        schemas = sorted({n for v in group for n in v.names if not n.endswith("service")})
        if schemas:
            steps.append(f"answer with {source}'s own response schemas in place of "
                         f"{', '.join(schemas)}")
        fingerprints = tuple(v.fingerprint for v in group)
        return Proposal(
            recipe=self.id, group=context.group(group),
            summary=f"use the {protocol.name.removesuffix('Protocol')} pattern via "
                    f"{aggregator_name} ({context.short(protocol.file)}:{protocol.line}; "
                    f"shared: {', '.join(sorted(shared))})",
            violations=fingerprints,
            changes=Changes(removes=fingerprints, adds=tuple(adds)),
            safety=self.safety, steps=tuple(steps), files=tuple(sorted({v.file for v in group})),
            plan={"protocol": protocol.name, "protocol_file": protocol.file,
                  "aggregator": aggregator},
        )


def _field(protocol: ProtocolFacts) -> str:
    stem = snake(protocol.name.removesuffix("Protocol"))
    return f"{stem}: Callable[[], object] | None = None"


def _registers(context: RewriteContext, protocol: ProtocolFacts) -> bool:
    stem = snake(protocol.name.removesuffix("Protocol"))
    return stem in context.definition_fields or "providers" in context.definition_fields
