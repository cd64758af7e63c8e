"""``type-checking-only``: names used only in annotations are imported under
``if TYPE_CHECKING:``, where they never run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import Recipe, RewriteContext, Workspace


class TypeCheckingOnly(Recipe):
    id = "type-checking-only"
    title = "Import names used only in annotations under TYPE_CHECKING"
    safety = Safety.SAFE
    rank = 10
    doc = RecipeDoc(
        what="Moves a module-level import whose names appear only in annotations under "
             "`if TYPE_CHECKING:`, and quotes those annotations when the file does not have "
             "`from __future__ import annotations`.",
        when="Every use of every name the statement imports is an annotation (a parameter "
             "or return type, a variable annotation) that nothing evaluates at run time. It "
             "does not apply where something does: FastAPI reads route signatures and "
             "`response_model`, pydantic evaluates field annotations, SQLAlchemy evaluates "
             "`Mapped[...]`, dataclasses and command frameworks read their annotations; "
             "archguard then says which one.",
        why="An import under TYPE_CHECKING never runs: the type checker still sees the "
            "names, and the module no longer needs the other one to be installed.",
        before="from app.modules.catalog.models import Product\n\n"
               "def describe(product: Product) -> str:\n    return product.name",
        after="from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
              "    from app.modules.catalog.models import Product\n\n"
              "def describe(product: \"Product\") -> str:\n    return product.name",
        risks="Code that reads annotations at run time in a way archguard does not know "
              "(`typing.get_type_hints`, a framework of your own) fails with NameError. The "
              "dependency still exists for the type checker.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        for violation in violations:
            if violation.kind != ImportKind.MODULE or violation.chain or violation.reference \
                    or not violation.names or violation.function:
                continue
            facts = context.facts_of(violation)
            if facts is None:
                continue
            bound = [i.bound for i in facts.imports if i.line == violation.line]
            uses = facts.uses_of(bound)
            if not uses or any(not u.annotation for u in uses):
                continue
            evaluated = next((u for u in uses if u.evaluated), None)
            if evaluated is not None:
                yield Rejection(self.id, (violation.fingerprint,),
                                f"{evaluated.name} (line {evaluated.line}): {evaluated.evaluated}")
                continue
            steps = [f"move `{violation.statement}` (line {violation.line}) under "
                     "`if TYPE_CHECKING:`"]
            if not facts.future_annotations:
                lines = sorted({u.line for u in uses})
                steps.append("quote the annotations that name it (lines "
                             + ", ".join(map(str, lines)) + ")")
            yield Proposal(
                recipe=self.id,
                group=context.group([violation]),
                summary=f"{', '.join(violation.names)} only annotate: import "
                        f"{'it' if len(violation.names) == 1 else 'them'} under TYPE_CHECKING",
                violations=(violation.fingerprint,), changes=Changes(
                    removes=(violation.fingerprint,)),
                safety=self.safety, steps=tuple(steps), files=(violation.file,),
                plan={"edits": [{"file": violation.file, "line": violation.line,
                                 "names": list(bound)}]},
            )

    def apply(self, proposal: Proposal, files: Workspace) -> None:
        from archguard.rewrites.codemods.type_checking import move_to_type_checking

        for edit in proposal.plan["edits"]:  # type: ignore[union-attr]
            text = files.text(edit["file"])
            files.write(edit["file"], move_to_type_checking(text, edit["line"], edit["names"]))
