"""``archguard fix``: the mechanical rewrites of the validated proposals, computed in memory,
shown as a diff, and written all at once.

Only a proposal that holds (or its alternative that does) is rewritten, and only when its
safety allows it: ``safe`` always, ``review`` with ``unsafe``, ``manual`` never. A recipe
whose rewrite cannot be made on this source (a CodemodError) leaves every file as it was
before that proposal, and the run goes on with the next.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from archguard.application.project import Project
from archguard.domain.proposals import Proposal, ProposalSet, Safety
from archguard.rewrites import RECIPES
from archguard.rewrites.base import Workspace
from archguard.rewrites.codemods import CodemodError


@dataclass(frozen=True)
class Skipped:
    """A proposal the run did not rewrite, and why."""

    proposal: Proposal
    reason: str


@dataclass
class FixRun:
    """What a fix run would write: the new text of each changed file (project-relative),
    the proposals rewritten and those left, with the reason."""

    originals: dict[str, str | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    applied: list[Proposal] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def diff(self) -> str:
        """A unified diff of every change, file by file."""
        parts = []
        for path in sorted(self.texts):
            before = self.originals.get(path)
            parts.extend(difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                self.texts[path].splitlines(keepends=True),
                fromfile="/dev/null" if before is None else f"a/{path}",
                tofile=f"b/{path}"))
        return "".join(p if p.endswith("\n") else p + "\n\\ No newline at end of file\n"
                       for p in parts)


def plan_fixes(project: Project, proposals: ProposalSet, *, unsafe: bool = False,
               recipes: frozenset[str] | None = None) -> FixRun:
    """Every rewrite the run makes, in memory; nothing is written."""

    def read(relative: str) -> str | None:
        data = project.source(relative)
        return None if data is None else data.decode("utf-8")

    files = Workspace(read)
    run = FixRun()
    # Last first: a rewrite that adds or removes lines leaves the lines above it where the
    # proposals before it found them.
    for found in reversed(proposals.proposals):
        proposal = found.chosen()
        reason = _refusal(proposal, unsafe, recipes)
        if reason:
            run.skipped.append(Skipped(proposal, reason))
            continue
        before = files.snapshot()
        try:
            RECIPES[proposal.recipe]().apply(proposal, files)
        except CodemodError as error:
            files.restore(before)
            run.skipped.append(Skipped(proposal, str(error)))
            continue
        run.applied.append(proposal)
    run.applied.reverse()
    run.skipped.reverse()
    run.texts = dict(files.changed)
    run.originals = {path: read(path) for path in run.texts}
    return run


def _refusal(proposal: Proposal, unsafe: bool, recipes: frozenset[str] | None) -> str | None:
    if recipes is not None and proposal.recipe not in recipes:
        return "not among the recipes asked for"
    if not proposal.valid:
        return "breaks " + ", ".join(sorted({c.contract for c in proposal.conflicts}))
    if proposal.safety == Safety.MANUAL:
        return "needs a person: " + "; ".join(proposal.steps[:1])
    if proposal.safety == Safety.REVIEW and not unsafe:
        return "needs review: written with --unsafe"
    return None


def write_fixes(project: Project, run: FixRun) -> None:
    """Write the run's files below the project, all or nothing."""
    from archguard.adapters.files import write_all

    write_all(project.project_dir, run.texts)
