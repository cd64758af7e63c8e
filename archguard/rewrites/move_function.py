"""``move-function``: a function that works mostly on an optional module's data moves into
that module, with the helpers only it uses, and its callers follow."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Edge, Proposal, Rejection, Requirement, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import Recipe, RewriteContext, Workspace, pascal, words
from archguard.rewrites.facts import FileFacts, FunctionFacts


@dataclass(frozen=True)
class _Caller:
    """A call of moved code from elsewhere: its module, file, line and function."""

    module: str
    file: str
    line: int
    function: str | None
    route: bool

    def where(self, context: RewriteContext) -> str:
        return f"{context.short(self.file)}:{self.line}"


class MoveFunction(Recipe):
    id = "move-function"
    title = "Move the function to the module that owns its data"
    safety = Safety.REVIEW
    rank = 40
    doc = RecipeDoc(
        what="Moves functions (or methods, into a service class of the destination) that "
             "work mostly on an optional module's names into that module, with the private "
             "helpers only they call, the imports they need, and their callers' imports "
             "changed. Routes that call them move with them (routes are discovered).",
        when="A function of a core module reads at least as many names of optional modules "
             "as names of its own module and the rest of the core (names used only in its "
             "signature, such as dependency types, do not count). The destination is the "
             "module whose names it reads most; when the move would make that module "
             "depend on another optional module it does not declare, the proposal says so "
             "and offers the other destinations, declaring `requires` where needed.",
        why="Code belongs with the data it works on: in the optional module it is loaded "
            "exactly when that module is, and the core module no longer needs it.",
        before="# tenancy/services/store_service.py\nfrom app.modules.catalog.models import "
               "Product\n\nclass StoreService:\n    def get_products(self, db, store_id):\n"
               "        return db.query(Product).filter(Product.store_id == store_id).all()",
        after="# catalog/services/product_service.py\nfrom app.modules.catalog.models import "
              "Product\n\nclass ProductService:\n    def get_products(self, db, store_id):\n"
              "        return db.query(Product).filter(Product.store_id == store_id).all()\n\n"
              "product_service = ProductService()",
        risks="Callers outside the project (scripts, other services) still import the old "
              "place. A core caller that cannot move makes a new core → optional dependency: "
              "archguard reports it as a conflict. Methods that use `self` state beyond the "
              "helpers that move need a look.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        by_file: dict[str, list[Violation]] = defaultdict(list)
        for violation in violations:
            if violation.kind in (ImportKind.MODULE, ImportKind.LAZY) and not violation.chain:
                by_file[violation.file].append(violation)
        for _file, group in sorted(by_file.items()):
            facts = context.facts_of(group[0])
            if facts is None:
                continue
            proposal = self._proposal(context, facts, group)
            if proposal is not None:
                yield proposal

    def _proposal(self, context: RewriteContext, facts: FileFacts,
                  group: list[Violation]) -> Proposal | None:
        owners = {i.bound: v.target_module for v in group for i in facts.imports
                  if i.line == v.line}
        project = {i.bound for i in facts.imports
                   if i.module.startswith(context.modules_package.split(".")[0] + ".")
                   and i.bound not in owners}
        moved = self._moved(facts, owners, project)
        if not moved:
            return None
        removed = [v for v in group if self._only_in(facts, v, moved)]
        if not removed:
            return None
        reads = Counter(owners[n] for q in moved for n in facts.functions[q].names if n in owners)
        destinations = [m for m, _ in sorted(reads.items(), key=lambda kv: (-kv[1], kv[0]))]
        source = group[0].source_module
        callers = self._callers(context, facts, group[0], moved)
        primary = self._to(context, facts, group[0], source, destinations[0], moved, reads,
                           callers, removed, requires=False)
        alternatives = [self._to(context, facts, group[0], source, d, moved, reads, callers,
                                 removed, requires=True)
                        for d in destinations[1:]]
        if len(destinations) > 1:
            alternatives.append(self._to(context, facts, group[0], source, destinations[0],
                                         moved, reads, callers, removed, requires=True))
        return replace(primary, alternatives=tuple(alternatives))

    @staticmethod
    def _moved(facts: FileFacts, owners: dict[str, str], project: set[str]) -> list[str]:
        """The functions that move: those reading at least as many optional names as core
        ones, and the private helpers only they call."""
        def score(function: FunctionFacts, moving: set[str]) -> tuple[int, int]:
            targets = {n for n in function.names if n in owners}
            own = {n for n in function.body if n in project or n in facts.defines}
            own |= {c for c in function.self_calls if _method(function, c) not in moving
                    and not _uses_targets(facts, function, c, owners)}
            return len(targets), len(own)

        moving: set[str] = set()
        for qualname, function in facts.functions.items():
            targets, own = score(function, moving)
            if targets and targets >= own and "." not in qualname.partition(".")[2]:
                moving.add(qualname)
        changed = True
        while changed:
            changed = False
            for qualname in facts.functions:
                name = qualname.rpartition(".")[2]
                if qualname in moving or not name.startswith("_"):
                    continue
                callers = facts.calls.get(qualname, set())
                if callers and callers <= moving:
                    moving.add(qualname)
                    changed = True
        return [q for q in facts.functions if q in moving]

    @staticmethod
    def _only_in(facts: FileFacts, violation: Violation, moved: list[str]) -> bool:
        """Whether every use of the violation's names is in a moved function."""
        bound = [i.bound for i in facts.imports if i.line == violation.line]
        uses = facts.uses_of(bound)
        return bool(uses) and all(u.function and _top(u.function, moved) for u in uses)

    @staticmethod
    def _callers(context: RewriteContext, facts: FileFacts, violation: Violation,
                 moved: list[str]) -> list[_Caller]:
        """Calls of the moved functions through the file's module-level instances, in the
        modules importing it."""
        names = sorted({q.rpartition(".")[2] for q in moved})
        pattern = re.compile(r"\b(\w+)\.(" + "|".join(map(re.escape, names)) + r")\(")
        instances = {d for d in facts.defines if d[:1].islower()}
        found = []
        for importer in sorted(context.importers.get(violation.importer, ())):
            file = context.file_of(importer)
            text = context.read(file) if file else None
            if not file or not text:
                continue
            other = context.facts(file, importer)
            for number, line in enumerate(text.splitlines(), 1):
                match = pattern.search(line)
                if not match or match.group(1) not in instances:
                    continue
                function = _function_at(other, number) if other else None
                route = bool(other and function and other.functions[function].route)
                found.append(_Caller(importer, file, number, function, route))
        return found

    def _to(self, context: RewriteContext, facts: FileFacts, violation: Violation, source: str,
            destination: str, moved: list[str], reads: Counter, callers: list[_Caller],
            removed: list[Violation], *, requires: bool) -> Proposal:
        others = sorted(m for m in reads if m != destination)
        adds = [Edge(destination, m, f"{', '.join(_readers_of(facts, moved, m_package))} "
                                     f"read {m}")
                for m in others if (m_package := context.module_package(m))]
        adds.append(Edge(destination, source, f"the moved code uses {source}"))
        for caller in callers:
            if caller.route:
                continue
            owner = context.layout.owner_of(caller.module)
            adds.append(Edge(owner.name, destination,
                             f"{caller.function or 'module level'} ({caller.where(context)}) "
                             "calls the moved code"))
        requirements = tuple(Requirement(destination, m) for m in others
                             if context.category(m) != "core"
                             and m not in (context.layout.modules[destination].requires
                                           if destination in context.layout.modules else ()))
        folder = context.module_folder(destination) or context.module_package(destination)
        common = _common_word(moved, {destination, source})
        if all(facts.functions[q].route for q in moved):
            source_folder = context.module_folder(source) or ""
            target_file = folder + violation.file.removeprefix(source_folder)
            class_name = None
        else:
            target_file = f"{folder}/services/{common}_service.py"
            class_name = pascal(common, "service") if any("." in q for q in moved) else None
        names = [f"{q.rpartition('.')[2]}()" for q in moved]
        steps = [f"move {', '.join(names)} from {context.short(violation.file)} to "
                 f"{context.short(target_file)}"
                 + (f" (class {class_name}, instance {common}_service)" if class_name else "")]
        routes = [f"{c.function}() ({c.where(context)})" for c in callers if c.route]
        if routes:
            steps.append(f"move the routes that call them to {destination}'s routes: "
                         + ", ".join(routes))
        others_calling = [c.where(context) for c in callers if not c.route]
        if others_calling:
            steps.append("point these callers at the new place: " + ", ".join(others_calling))
        if requires and requirements:
            steps.append(f"declare in {destination}/definition.py requires: "
                         f"[{', '.join(r.required for r in requirements)}]")
        fingerprints = tuple(v.fingerprint for v in removed)
        return Proposal(
            recipe=self.id, group=context.group(removed),
            summary=f"move {', '.join(names[:3])}{' …' if len(names) > 3 else ''} to "
                    f"{destination}" + (f", which then requires "
                                        f"{', '.join(r.required for r in requirements)}"
                                        if requires and requirements else ""),
            violations=fingerprints,
            changes=Changes(removes=fingerprints, adds=tuple(adds),
                            requires=requirements if requires else ()),
            safety=self.safety, steps=tuple(steps),
            files=tuple(sorted({violation.file, target_file})),
            plan={"file": violation.file, "module": violation.importer, "moved": moved,
                  "destination": target_file, "class": class_name,
                  "instance": f"{common}_service" if class_name else None,
                  "callers": [[c.file, c.line, c.route] for c in callers]},
        )

    def apply(self, proposal: Proposal, files: Workspace) -> None:
        from archguard.rewrites.codemods import CodemodError
        from archguard.rewrites.codemods.move import extract, insert, needed_imports, retarget

        plan = proposal.plan
        file, module = str(plan["file"]), str(plan["module"])
        routes = [f"{c[0]}:{c[1]}" for c in plan["callers"] if c[2]]  # type: ignore[union-attr]
        if plan["class"] is None or routes:
            raise CodemodError("moved routes must be mounted by the destination's "
                               "definition.py, which is a person's step"
                               + (f" (routes calling them: {', '.join(routes)})" if routes
                                  else ""))
        if proposal.changes.requires:
            raise CodemodError("the destination must declare requires: "
                               + ", ".join(r.required for r in proposal.changes.requires))
        source = files.text(file)
        moved = [str(q) for q in plan["moved"]]  # type: ignore[union-attr]
        remaining, code = extract(source, moved)
        imports = needed_imports(source, code, source_module=module)
        destination = str(plan["destination"])
        files.write(destination, insert(
            files.read(destination), code, imports, class_name=str(plan["class"]),
            instance=str(plan["instance"]), future="from __future__ import annotations" in source,
            module_doc=f"{plan['class']}: moved here from {module}."))
        files.write(file, _without_unused_imports(remaining, source))
        old_instance = _instance_of(source, moved[0].partition(".")[0])
        new_module = _module_at(destination, file, module)
        methods = [q.rpartition(".")[2] for q in moved]
        for caller, _line, _route in plan["callers"]:  # type: ignore[union-attr]
            if old_instance is None:
                raise CodemodError(f"{caller}: no module-level instance of "
                                   f"{moved[0].partition('.')[0]} in {file} to retarget")
            files.write(caller, retarget(files.text(caller), module, old_instance, new_module,
                                         str(plan["instance"]), methods))


def _top(function: str, moved: list[str]) -> bool:
    return any(function == q or function.startswith(q + ".") for q in moved)


def _method(function: FunctionFacts, name: str) -> str:
    owner = function.qualname.rpartition(".")[0]
    return f"{owner}.{name}" if owner else name


def _uses_targets(facts: FileFacts, function: FunctionFacts, name: str,
                  owners: dict[str, str]) -> bool:
    helper = facts.functions.get(_method(function, name))
    return helper is not None and any(n in owners for n in helper.names)


def _readers_of(facts: FileFacts, moved: list[str], package: str) -> list[str]:
    """The moved functions that read names imported from ``package`` (at most two)."""
    readers = []
    for qualname in moved:
        if any(i.bound in facts.functions[qualname].names
               and (i.module == package or i.module.startswith(package + "."))
               for i in facts.imports):
            readers.append(f"{qualname.rpartition('.')[2]}()")
    return readers[:2] or ["the moved code"]


def _function_at(facts: FileFacts, line: int) -> str | None:
    inside = [f for f in facts.functions.values() if f.line <= line <= f.end_line]
    return min(inside, key=lambda f: f.end_line - f.line).qualname if inside else None


def _common_word(moved: list[str], skip: set[str]) -> str:
    counts: Counter[str] = Counter()
    for qualname in moved:
        counts.update(words(qualname.rpartition(".")[2]) - skip)
    return counts.most_common(1)[0][0] if counts else "moved"


def _instance_of(source: str, class_name: str) -> str | None:
    """The module-level ``name = ClassName()`` callers use, if the file makes one."""
    found = re.search(rf"^(\w+)\s*=\s*{re.escape(class_name)}\(\)\s*$", source, re.MULTILINE)
    return found.group(1) if found else None


def _module_at(destination: str, file: str, module: str) -> str:
    """The dotted module of ``destination``, rooted where ``file`` (module ``module``) is."""
    depth = len(module.split("."))
    parts = file.removesuffix(".py").split("/")
    root = parts[:len(parts) - depth] if len(parts) > depth else []
    relative = destination.removesuffix(".py").split("/")[len(root):]
    return ".".join(relative)


def _without_unused_imports(remaining: str, source: str) -> str:
    """``remaining`` without the module-level imports only the moved code read."""
    import ast

    from archguard.rewrites.codemods.imports import remove_import, unused_names

    tree = ast.parse(remaining)
    before = ast.parse(source)
    read_before = {n.id for n in ast.walk(before) if isinstance(n, ast.Name)}
    for node in sorted((n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)),
                       key=lambda n: -n.lineno):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        bound = [(a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*"]
        gone = [n for n in unused_names(remaining, bound) if n in read_before]
        if gone:
            remaining = remove_import(remaining, node.lineno, gone)
    return remaining
