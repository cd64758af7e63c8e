"""Proposals as the reports show them: the "Fix" line under a violation's table, the
"What to move where" table of the seed's review, and their JSON form."""

from __future__ import annotations

from collections.abc import Iterable

from archguard.domain.proposals import Proposal, ProposalSet
from archguard.domain.violations import Violation

#: Columns of the "What to move where" table.
MOVE_COLUMNS = ("Dependency", "Rewrite", "Recipe", "Safety", "Contracts")


def fix_line(proposal: Proposal) -> str:
    """``Fix (move-function, review): move … to marketplace, which then requires catalog``,
    with the conflict of the first choice when an alternative replaced it."""
    chosen = proposal.chosen()
    line = f"Fix ({chosen.recipe}, {chosen.safety}): {chosen.summary}"
    if chosen is not proposal:
        line += "; not " + proposal.summary + ", which " + "; ".join(
            c.render() for c in proposal.conflicts)
    elif not proposal.valid:
        line += "; " + "; ".join(c.render() for c in proposal.conflicts)
    return line


def fixes_for(proposals: ProposalSet, violations: Iterable[Violation]) -> list[Proposal]:
    """The proposals for these violations, each once, in the order of their lines."""
    found: list[Proposal] = []
    for violation in sorted(violations, key=lambda v: v.line):
        proposal = proposals.for_violation(violation.fingerprint)
        if proposal is not None and proposal not in found:
            found.append(proposal)
    return found


def move_rows(proposals: ProposalSet) -> list[list[str]]:
    """One row a dependency group: what to do, with the recipe and whether it holds."""
    rows = []
    for proposal in proposals.proposals:
        chosen = proposal.chosen()
        if chosen.valid:
            status = "hold" if chosen is proposal else \
                "hold (alternative: " + "; ".join(c.render() for c in proposal.conflicts) + ")"
        else:
            status = "; ".join(c.render() for c in chosen.conflicts)
        rows.append([proposal.group, chosen.summary, chosen.recipe, str(chosen.safety), status])
    return rows


def proposal_to_json(proposal: Proposal) -> dict:
    """Everything a proposal says, alternatives included."""
    return {
        "recipe": proposal.recipe,
        "group": proposal.group,
        "summary": proposal.summary,
        "safety": str(proposal.safety),
        "valid": proposal.valid,
        "violations": list(proposal.violations),
        "steps": list(proposal.steps),
        "files": list(proposal.files),
        "changes": {
            "removes": list(proposal.changes.removes),
            "adds": [{"source": e.source, "target": e.target, "reason": e.reason}
                     for e in proposal.changes.adds],
            "requires": [{"module": r.module, "requires": r.required}
                         for r in proposal.changes.requires],
        },
        "conflicts": [{"contract": c.contract, "source": c.edge.source,
                       "target": c.edge.target, "reason": c.reason} for c in proposal.conflicts],
        "alternatives": [proposal_to_json(a) for a in proposal.alternatives],
        "chosen": proposal.alternatives.index(proposal.chosen())
        if proposal.chosen() is not proposal else None,
    }


def proposals_to_json(proposals: ProposalSet) -> dict:
    return {"proposals": [proposal_to_json(p) for p in proposals.proposals],
            "rejections": [{"recipe": r.recipe, "violations": list(r.violations),
                            "reason": r.reason} for r in proposals.rejections]}
