"""The documentation of every rule archguard applies, by id: each contract kind (by its
``type``), each finding rule and each rewrite recipe. ``archguard explain`` prints it;
SARIF carries it."""

from __future__ import annotations

from dataclasses import dataclass

from archguard.contracts import CONTRACT_KINDS
from archguard.domain.finding_rules import FINDING_RULES
from archguard.domain.rules import DocBlock, RecipeDoc
from archguard.rewrites import RECIPES


@dataclass(frozen=True)
class RuleDoc:
    """A rule's id, what it is (``contract kind`` or ``finding``), title and doc block."""

    id: str
    what: str
    title: str
    doc: DocBlock | RecipeDoc

    def render(self) -> str:
        return self.doc.render(f"{self.id} ({self.what}): {self.title}")

    def markdown(self) -> str:
        return self.doc.markdown(f"{self.id}: {self.title}")


def rule_docs() -> dict[str, RuleDoc]:
    """Every documented rule, contract kinds first, by id."""
    docs = {kind.type: RuleDoc(kind.type, "contract kind", kind.summary, kind.doc)
            for kind in CONTRACT_KINDS.values()}
    docs.update({rule.id: RuleDoc(rule.id, "finding", rule.title, rule.doc)
                 for rule in FINDING_RULES.values()})
    docs.update({recipe.id: RuleDoc(recipe.id, f"recipe, {recipe.safety}", recipe.title,
                                    recipe.doc) for recipe in RECIPES.values()})
    return docs


def rules_markdown() -> str:
    """Every rule's documentation as one Markdown page (``docs/rules.md``)."""
    docs = rule_docs()
    parts = ["# Rules\n",
             "What each contract kind and each finding rule checks, why, an example and the "
             "fix, and what each rewrite recipe does: the text `archguard explain ID` "
             "prints, written by `archguard explain --markdown`.\n"]
    for what, heading in (("contract kind", "Contract kinds"), ("finding", "Finding rules"),
                          ("recipe", "Rewrite recipes")):
        parts.append(f"# {heading}\n")
        for doc in docs.values():
            if doc.what.partition(",")[0] == what:
                parts.append(doc.markdown())
    return "\n".join(parts)
