"""``relationship-other-side``: an SQLAlchemy relationship from a core model to an optional
one is declared on the optional model, with a back reference, and the core side forgets
the optional model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Edge, Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import Recipe, RewriteContext, Workspace, parse_text
from archguard.rewrites.facts import RelationshipFacts


class RelationshipOtherSide(Recipe):
    id = "relationship-other-side"
    title = "Declare the relationship on the optional model"
    safety = Safety.REVIEW
    rank = 20
    doc = RecipeDoc(
        what="Removes `relationship(\"Optional\")` from the core model and declares it on the "
             "optional model, whose own relationship to the core model gets "
             "`backref=backref(\"<attribute>\")` in place of `back_populates`; imports made "
             "only to register the optional class with the mapper go too.",
        when="A core model class holds a relationship (by class name or by class) to a "
             "mapped class of an optional module, or a core models package imports such a "
             "class only so that the mapper can resolve that name.",
        why="The optional model already depends on the core one (its foreign key). Declared "
            "there, the attribute exists on the core class exactly while the optional "
            "module is installed, and the core module can be loaded without it.",
        before="# tenancy/models/store.py\nclass Store(Base):\n"
               "    marketplace_import_jobs = relationship(\"MarketplaceImportJob\", "
               "back_populates=\"store\")\n\n# marketplace/models/marketplace_import_job.py\n"
               "class MarketplaceImportJob(Base):\n"
               "    store = relationship(\"Store\", back_populates=\"marketplace_import_jobs\")",
        after="# tenancy/models/store.py\nclass Store(Base):\n    ...\n\n"
              "# marketplace/models/marketplace_import_job.py\n"
              "class MarketplaceImportJob(Base):\n"
              "    store = relationship(\"Store\", backref=backref(\"marketplace_import_jobs\"))",
        risks="Core code that reads the attribute (`store.marketplace_import_jobs`) fails "
              "with AttributeError when the optional module is missing: archguard lists the "
              "places it finds. Keywords of the removed side (`cascade`, `order_by`) move "
              "into the backref and should be read again.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        groups: dict[tuple[str, str], list[tuple[Violation, RelationshipFacts]]] = \
            defaultdict(list)
        registrations: list[Violation] = []
        for violation in violations:
            if violation.chain or violation.kind not in (ImportKind.MODULE, ImportKind.STRING):
                continue
            facts = context.facts_of(violation)
            if facts is None:
                continue
            if violation.kind == ImportKind.STRING:
                if not (violation.reference or "").startswith("relationship("):
                    continue
                found = [r for r in facts.relationships if r.line == violation.line]
            else:
                bound = [i.bound for i in facts.imports if i.line == violation.line]
                uses = facts.uses_of(bound)
                if not uses:
                    registrations.append(violation)
                    continue
                lines = {u.line for u in uses if u.relationship}
                if any(u.line not in lines for u in uses):
                    continue
                found = [r for r in facts.relationships if r.line in lines]
            for relationship in found:
                groups[(violation.source_module, violation.target_module)].append(
                    (violation, relationship))
        for (source, target), members in sorted(groups.items()):
            targets = {r.target for _, r in members}
            extra = [v for v in registrations if v.source_module == source
                     and v.target_module == target and set(v.names) & targets]
            yield self._proposal(context, source, target, members, extra)

    def _proposal(self, context: RewriteContext, source: str, target: str,
                  members: list[tuple[Violation, RelationshipFacts]],
                  registrations: list[Violation]) -> Proposal:
        steps, edits, files = [], [], set()
        for violation, relationship in members:
            files.add(violation.file)
            other = self._other_side(context, violation, relationship)
            where = f"{context.short(violation.file)}:{relationship.line}"
            steps.append(f"remove {relationship.owner}.{relationship.attribute} ({where})")
            keywords = dict(relationship.keywords)
            if other is not None:
                other_file, other_relationship = other
                files.add(other_file)
                how = "in place of back_populates" if other_relationship.back_populates \
                    else "added"
                steps.append(
                    f"on {relationship.target}.{other_relationship.attribute} "
                    f"({context.short(other_file)}:{other_relationship.line}): "
                    f"backref={_backref(relationship.attribute, keywords)} {how}")
            else:
                steps.append(f"declare on {relationship.target} a relationship to "
                             f"{relationship.owner} with backref="
                             f"{_backref(relationship.attribute, keywords)} (it has none yet)")
            edits.append({"file": violation.file, "class": relationship.owner,
                          "attribute": relationship.attribute, "target": relationship.target,
                          "other_file": other[0] if other else None,
                          "other_attribute": other[1].attribute if other else None,
                          "keywords": keywords})
        for violation in registrations:
            files.add(violation.file)
            steps.append(f"remove the import of {', '.join(violation.names)} "
                         f"({context.short(violation.file)}:{violation.line}): it only "
                         "registered the class for the mapper")
        readers = self._readers(context, source, {r.attribute for _, r in members})
        if readers:
            steps.append("then these read the attribute and need the optional module: "
                         + ", ".join(readers))
        all_violations = [v for v, _ in members] + registrations
        fingerprints = tuple(dict.fromkeys(v.fingerprint for v in all_violations))
        classes = sorted({r.target for _, r in members})
        return Proposal(
            recipe=self.id, group=context.group(all_violations),
            summary=f"declare the relationships to {', '.join(classes)} on the {target} side "
                    f"(backref), and remove them from {source}",
            violations=fingerprints,
            changes=Changes(removes=fingerprints, adds=(Edge(
                target, source, f"{', '.join(classes)} name {source}'s models"),)),
            safety=self.safety, steps=tuple(steps), files=tuple(sorted(files)),
            plan={"relationships": edits, "registrations": [
                {"file": v.file, "line": v.line, "names": list(v.names)} for v in registrations]},
        )

    @staticmethod
    def _other_side(context: RewriteContext, violation: Violation,
                    relationship: RelationshipFacts) -> tuple[str, RelationshipFacts] | None:
        """The optional class's relationship back to the core class, with its file."""
        module = violation.imported
        for candidate in (module, f"{module}.{relationship.target}"):
            file = context.file_of(candidate)
            if file is None:
                continue
            facts = context.facts(file, candidate)
            if facts is None:
                continue
            for other in facts.relationships:
                if other.owner == relationship.target and other.target == relationship.owner \
                        and other.back_populates in (None, relationship.attribute):
                    return file, other
            defined = next((i for i in facts.imports if i.bound == relationship.target), None)
            if defined is not None and defined.module != candidate:
                nested = context.file_of(defined.module)
                facts = context.facts(nested, defined.module) if nested else None
                for other in facts.relationships if facts else ():
                    if other.owner == relationship.target and \
                            other.target == relationship.owner:
                        return nested or "", other
        return None

    @staticmethod
    def _readers(context: RewriteContext, source: str, attributes: set[str]) -> list[str]:
        """Places in the core module that read one of the attributes."""
        import ast

        found = []
        prefix = context.module_package(source) + "."
        for module in sorted(m for m in context.modules if m.startswith(prefix)):
            file = context.file_of(module)
            text = context.read(file) if file else None
            if not file or not text or not any(a in text for a in attributes):
                continue
            tree = parse_text(text)
            if tree is None:
                continue
            lines = sorted({node.lineno for node in ast.walk(tree)
                            if isinstance(node, ast.Attribute) and node.attr in attributes})
            found += [f"{context.short(file)}:{line}" for line in lines]
        return found

    def apply(self, proposal: Proposal, files: Workspace) -> None:
        from archguard.rewrites.codemods import CodemodError
        from archguard.rewrites.codemods.relationships import (
            backref_on_other_side,
            remove_registration,
            remove_relationship,
        )

        plan = proposal.plan
        for edit in plan["relationships"]:  # type: ignore[union-attr]
            if edit["other_file"] is None:
                raise CodemodError(f"{edit['target']} has no relationship back to "
                                   f"{edit['class']}: declare it by hand")
            other = files.text(edit["other_file"])
            files.write(edit["other_file"], backref_on_other_side(
                other, edit["target"], edit["other_attribute"], edit["attribute"],
                edit["keywords"]))
            files.write(edit["file"], remove_relationship(files.text(edit["file"]),
                                                          edit["class"], edit["attribute"]))
        for edit in plan["registrations"]:  # type: ignore[union-attr]
            files.write(edit["file"], remove_registration(files.text(edit["file"]),
                                                          edit["line"], edit["names"]))


def _backref(attribute: str, keywords: dict[str, str]) -> str:
    extra = "".join(f", {name}={value}" for name, value in keywords.items())
    return f"backref({attribute!r}{extra})"
