"""``extract-protocol``: what one module reads of another becomes a ``Protocol`` in the
contracts, implemented by the owning module, registered in its ``definition.py``, and
reached through a lookup that answers "none" when the module is missing."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Edge, Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import (
    Recipe,
    RewriteContext,
    Workspace,
    parse_text,
    pascal,
    snake,
    words,
)
from archguard.rewrites.facts import NameUse


@dataclass(frozen=True)
class CountQuery:
    """``db.query(func.count(Model.id)).filter(Model.attr == value).scalar()``: a count of
    another module's rows, which a provider can answer in its place."""

    model: str
    #: The column counted: ``id`` in ``func.count(Product.id)``.
    column: str
    line: int
    end_line: int
    session: str
    #: ``(attribute, value source)`` of each equality filter on the model.
    filters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Member:
    """A violation of a group, with its count queries and the functions that use it."""

    violation: Violation
    queries: tuple[CountQuery, ...]
    counts: bool
    functions: tuple[str, ...]


class ExtractProtocol(Recipe):
    id = "extract-protocol"
    title = "Reach the other module through a new Protocol in the contracts"
    rank = 50
    safety = Safety.MANUAL
    doc = RecipeDoc(
        what="Defines a `Protocol` in the contracts module named from what is used (a count "
             "of products: `ProductCountProvider`), implements it in the module that owns "
             "the data, registers the implementation in that module's `definition.py`, and "
             "replaces the direct use by a lookup that answers None when the module is "
             "disabled or not installed. Where the use is a row count "
             "(`db.query(func.count(Product.id)).filter(Product.store_id == …).scalar()`), "
             "the proposal names the method, its parameters and every call site.",
        when="A module-level import of another module's names that no earlier recipe "
             "removes: not only annotations (type-checking-only), not a relationship "
             "(relationship-other-side), not a service an existing provider already "
             "answers for (use-provider), not functions that belong elsewhere "
             "(move-function). `archguard fix --unsafe` writes it where every use is a "
             "row count and the project has a provider lookup (a kernel `get_provider`) "
             "and a `providers` mapping on its definition class; without them the "
             "proposal says what to add first, and the rewrite is a person's.",
        why="The contracts module is the only one every module may import. Through a "
            "Protocol the caller states what it needs, the owning module answers it, and "
            "the caller keeps working, with \"no products\", when that module is removed.",
        before="from app.modules.catalog.models import Product\n\n"
               "def usage(db, store_id):\n"
               "    return db.query(func.count(Product.id))"
               ".filter(Product.store_id == store_id).scalar() or 0",
        after="from app.modules.contracts.catalog import ProductCountProviderProtocol\n"
              "from app.modules.providers import get_provider\n\n"
              "def usage(db, store_id):\n"
              "    counter = get_provider(ProductCountProviderProtocol)\n"
              "    return (counter.get_product_count(db, store_id=store_id) "
              "if counter else 0) or 0",
        risks="Where the module is missing the caller now sees 0 (or None) in place of the "
              "real figure: show that as \"not available\" where it matters. The provider "
              "applies a filter only when its value is not None, where the query compared "
              "with NULL: a call site that may pass None counts more rows. Filters other "
              "than equality on the model's columns are not rewritten; such uses are left "
              "to a person, and the proposal says where.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        groups: dict[tuple[str, str, str], list[_Member]] = defaultdict(list)
        for violation in violations:
            if violation.kind != ImportKind.MODULE or violation.chain or not violation.names \
                    or context.category(violation.target_module) != "optional":
                continue
            facts = context.facts_of(violation)
            text = context.read(violation.file)
            if facts is None or text is None:
                continue
            bound = [i.bound for i in facts.imports if i.line == violation.line]
            queries = count_queries(text, set(bound))
            uses = context.staying(violation.file, facts.uses_of(bound))
            counts = _only_counts(uses, queries)
            name = self._name(context, violation, bound, uses, queries if counts else [])
            groups[(violation.source_module, violation.target_module, name)].append(
                _Member(violation, tuple(queries), counts,
                        tuple(sorted({u.function for u in uses if u.function}))))
        shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        for (_source, target, name), members in groups.items():
            shared[(target, name)] |= {a for m in members for q in m.queries
                                       for a, _ in q.filters}
        for (source, target, name), members in sorted(groups.items()):
            yield self._proposal(context, source, target, name, members,
                                 sorted(shared[(target, name)]))

    @staticmethod
    def _name(context: RewriteContext, violation: Violation, bound: list[str],
              uses: Sequence[NameUse], queries: list[CountQuery]) -> str:
        """The Protocol's name: ``{Model}CountProvider`` for counts, else the words the
        using functions share with the imported names."""
        suffix = "Protocol" if any(p.name.endswith("Protocol") for p in context.protocols) \
            else ""
        if queries:
            return pascal(queries[0].model, "Count", "Provider") + suffix
        functions = [u.function.rpartition(".")[2] for u in uses if u.function]
        ordered = list(dict.fromkeys(w for f in functions for w in _ordered_words(f)))
        imported = words(*bound) - words(violation.target_module)
        chosen = [w for w in ordered if w in imported][:2]
        chosen += [w for w in ordered if w not in chosen][:2 - len(chosen)]
        if not chosen:
            chosen = sorted(imported)[:2] or [violation.target_module]
        return pascal(*chosen, "Provider") + suffix

    def _proposal(self, context: RewriteContext, source: str, target: str, name: str,
                  members: list[_Member], filters: list[str]) -> Proposal:
        group = [m.violation for m in members]
        contracts = context.contract_modules[0] if context.contract_modules else "contracts"
        contracts_folder = context.module_folder(contracts) or contracts
        target_folder = context.module_folder(target) or target
        stem = snake(name.removesuffix("Protocol"))
        plain = name.removesuffix("Protocol")
        queries = [q for m in members for q in m.queries]
        counting = all(m.counts for m in members)
        protocol_file = f"{contracts_folder}/{target}.py"
        implementation = f"{target_folder}/services/{stem}.py"
        definition = f"{target_folder}/definition.py"
        method = f"get_{snake(queries[0].model)}_count" if counting else None
        types = {a: _column_type(context, target, queries[0].model, a) for a in filters} \
            if counting else {}
        if counting:
            parameters = ", ".join(f"{a}: {types[a]} | None = None" for a in filters)
            signature = f"{method}(self, db: Session{', ' + parameters if parameters else ''})" \
                        " -> int"
            methods = [signature]
        else:
            functions = sorted({f for m in members for f in m.functions})
            methods = [f.rpartition(".")[2] + "(...)" for f in functions]
        steps = [f"add `class {name}(Protocol)` with {', '.join(f'`{m}`' for m in methods)} "
                 f"to {context.short(protocol_file)}",
                 f"implement it in {context.short(implementation)} (class {plain}, instance "
                 f"{stem})" + (f", counting {queries[0].model} rows" if counting else
                               ", with the code that reads "
                               + ", ".join(sorted({n for v in group for n in v.names}))),
                 f"register it in {context.short(definition)}: providers={{{name}: …}}"]
        sites = sorted({f"{context.short(m.violation.file)}:{q.line}" for m in members
                        for q in m.queries})
        steps.append("call it through the lookup, with "
                     + ("0" if counting else "an empty answer") + " when the module is missing"
                     + (f": {', '.join(sites)}" if sites and counting else "")
                     + f", and remove the import{'s' if len(group) > 1 else ''} of "
                     + ", ".join(sorted({n for v in group for n in v.names})))
        missing = []
        if context.provider_lookup is None:
            missing.append("a kernel `get_provider(protocol)` that asks the loaded "
                           "modules' definitions and answers None when none provides it")
        registry = context.definition_fields.get("providers")
        if registry is None or not _is_mapping(registry):
            missing.append("a `providers: dict[type, Callable[[], object]]` field on the "
                           f"definition class {context.definition_class}"
                           + (f" (its providers is a {registry})" if registry else ""))
        if missing:
            steps.insert(0, "the project has no provider lookup yet: first add "
                         + " and ".join(missing))
        columns = {q.column for q in queries}
        mechanical = counting and not missing and len(columns) == 1
        fingerprints = tuple(v.fingerprint for v in group)
        files = sorted({v.file for v in group} | {protocol_file, implementation, definition})
        return Proposal(
            recipe=self.id, group=context.group(group),
            summary=f"extract {name} into contracts, implemented by {target}"
                    + (f" ({method})" if method else ""),
            violations=fingerprints,
            changes=Changes(removes=fingerprints, adds=(
                Edge(source, contracts, f"uses {name}"),
                Edge(target, contracts, f"implements {name}"))),
            safety=Safety.REVIEW if mechanical else self.safety, steps=tuple(steps),
            files=tuple(files),
            plan={"protocol": name, "class": plain, "instance": stem, "method": method,
                  "filters": filters, "types": types, "protocol_file": protocol_file,
                  "model": queries[0].model if counting else None,
                  "column": sorted(columns)[0] if columns else None,
                  "target": target, "definition_class": context.definition_class,
                  "root_package": context.modules_package.partition(".")[0],
                  "implementation": implementation, "definition": definition,
                  "lookup": context.provider_lookup,
                  "contracts_module": _module_of(context, protocol_file),
                  "implementation_module": _module_of(context, implementation),
                  "sites": [{"file": m.violation.file, "line": m.violation.line,
                             "names": list(m.violation.names),
                             "model_module": m.violation.imported} for m in members]},
        )


    def apply(self, proposal: Proposal, files: Workspace) -> None:
        """The Protocol, its implementation, the registration and every count rewritten to
        ask the provider; only for row counts in a project with a provider lookup."""
        from archguard.rewrites.codemods import CodemodError
        from archguard.rewrites.codemods.move import insert
        from archguard.rewrites.codemods.providers import register_provider, use_count_provider

        plan = proposal.plan
        if proposal.safety == Safety.MANUAL or not plan.get("method"):
            raise CodemodError(f"{self.id} writes only row counts in a project with a "
                               f"provider lookup: {proposal.summary}")
        name, plain, instance = str(plan["protocol"]), str(plan["class"]), str(plan["instance"])
        model, column, target = str(plan["model"]), str(plan["column"]), str(plan["target"])
        method = str(plan["method"])
        filters = [str(f) for f in plan["filters"]]  # type: ignore[union-attr]
        types: dict[str, str] = dict(plan["types"])  # type: ignore[arg-type]
        first_party = [str(plan["root_package"])]
        parameters = "".join(f", {a}: {types[a]} | None = None" for a in filters)
        signature = f"def {method}(self, db: Session{parameters}) -> int:"
        described = f"{model} rows" + (" with the given " + ", ".join(filters) if filters
                                       else "")
        protocol = (f"@runtime_checkable\nclass {name}(Protocol):\n"
                    f'    """Counts the {target} module\'s {model} rows for modules that may '
                    f'not import it."""\n\n'
                    f"    {signature}\n"
                    f'        """{described}; a filter left None is not applied."""\n'
                    "        ...\n")
        protocol_file = str(plan["protocol_file"])
        files.write(protocol_file, insert(
            files.read(protocol_file), [protocol],
            ["from typing import TYPE_CHECKING, Protocol, runtime_checkable",
             "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n"],
            module_doc=f"Protocols for what other modules may ask of the {target} module.",
            first_party=first_party))
        body = [f"    query = db.query(func.count({model}.{column}))\n"]
        for attribute in filters:
            body.append(f"    if {attribute} is not None:\n"
                        f"        query = query.filter({model}.{attribute} == {attribute})\n")
        body.append("    return int(query.scalar() or 0)\n")
        implementation = str(plan["implementation"])
        sites = list(plan["sites"])  # type: ignore[call-overload]
        package_init = implementation.rpartition("/")[0] + "/__init__.py"
        if files.read(package_init) is None and files.read(
                implementation.rpartition("/")[0].rpartition("/")[0] + "/__init__.py") \
                is not None:
            files.write(package_init, f'"""Services of the {target} module."""\n')
        files.write(implementation, insert(
            files.read(implementation),
            [f"{signature}\n" f'    """{described}; a filter left None is not applied."""\n'
             + "".join(body)],
            ["from sqlalchemy import func", "from sqlalchemy.orm import Session",
             f"from {sites[0]['model_module']} import {model}"],
            class_name=plain, instance=instance,
            class_doc=f"Answers {name} for the modules that may not import {target}.",
            module_doc=f"{plain}: the {target} module's answer to {name} (contracts).",
            first_party=first_party))
        definition = str(plan["definition"])
        getter = f"_get_{instance}"
        files.write(definition, register_provider(
            files.text(definition), definition_class=str(plan["definition_class"]),
            protocol=name, protocol_module=str(plan["contracts_module"]), getter=getter,
            implementation_module=str(plan["implementation_module"]), instance=instance))
        variable = f"{snake(model)}_counter"
        for file in sorted({str(site["file"]) for site in sites}):
            models = sorted({str(n) for site in sites if site["file"] == file
                             for n in site["names"]})
            files.write(file, use_count_provider(
                files.text(file), models=models, protocol=name,
                protocol_module=str(plan["contracts_module"]),
                lookup_module=str(plan["lookup"]), method=method, variable=variable))


def _is_mapping(annotation: str) -> bool:
    return annotation.partition("[")[0].rpartition(".")[2] in ("dict", "Dict", "Mapping",
                                                                "MutableMapping")


def _column_type(context: RewriteContext, target: str, model: str, attribute: str) -> str:
    """The type of ``model.attribute`` as its class annotates it (``Mapped[int]`` → ``int``),
    looked for in the target module's files; ``int`` for an unannotated ``…id``, else
    ``object``."""
    prefix = context.module_package(target) + "."
    for dotted in sorted(m for m in context.modules if m.startswith(prefix)):
        file = context.file_of(dotted)
        text = context.read(file) if file else None
        if not text or f"class {model}" not in text:
            continue
        tree = parse_text(text)
        for node in tree.body if tree else ():
            if not (isinstance(node, ast.ClassDef) and node.name == model):
                continue
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and isinstance(
                        statement.target, ast.Name) and statement.target.id == attribute:
                    annotation = statement.annotation
                    if isinstance(annotation, ast.Subscript) and ast.unparse(
                            annotation.value).rpartition(".")[2] == "Mapped":
                        annotation = annotation.slice
                    found = ast.unparse(annotation)
                    return found.removesuffix(" | None").removeprefix("Optional[") \
                        .removesuffix("]") if found.startswith("Optional[") else \
                        found.removesuffix(" | None")
    return "int" if attribute == "id" or attribute.endswith("_id") else "object"


def _module_of(context: RewriteContext, file: str) -> str:
    """The dotted module a project-relative file of the modules package would be."""
    package_file = context.file_of(context.modules_package) or ""
    folder = package_file.rpartition("/")[0]
    relative = file[len(folder) + 1:] if folder and file.startswith(folder + "/") else file
    return ".".join([context.modules_package, *relative.removesuffix(".py").split("/")])


def _ordered_words(identifier: str) -> list[str]:
    found = words(identifier)
    parts = [w for w in identifier.lower().split("_") if w]
    ordered = [w for w in parts if w in found]
    return ordered + sorted(found - set(ordered))


def _only_counts(uses: Sequence[NameUse], queries: Sequence[CountQuery]) -> bool:
    """Every read of the imported names is inside one of the count queries."""
    return bool(uses) and all(any(q.line <= u.line <= q.end_line for q in queries)
                              for u in uses)


def count_queries(text: str, models: set[str]) -> list[CountQuery]:
    """The row counts of ``models`` in ``text`` that a count provider can answer."""
    tree = parse_text(text)
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        query = _count_query(node, models)
        if query is not None:
            found.append(query)
    return sorted(found, key=lambda q: q.line)


def _count_query(node: ast.AST, models: set[str]) -> CountQuery | None:
    """``<session>.query(func.count(M.id))[.filter(M.a == v, …)…].scalar()``, or None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "scalar" and not node.args):
        return None
    filters: list[tuple[str, str]] = []
    current = node.func.value
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute) \
            and current.func.attr == "filter":
        for condition in current.args:
            pair = _equality(condition)
            if pair is None:
                return None
            filters.append(pair)
        if current.keywords:
            return None
        current = current.func.value
    if not (isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute)
            and current.func.attr == "query" and len(current.args) == 1
            and isinstance(current.func.value, ast.Name)):
        return None
    counted = current.args[0]
    if not (isinstance(counted, ast.Call) and ast.unparse(counted.func) in ("func.count",
                                                                           "sa.func.count")
            and len(counted.args) == 1 and isinstance(counted.args[0], ast.Attribute)
            and isinstance(counted.args[0].value, ast.Name)
            and counted.args[0].value.id in models):
        return None
    model = counted.args[0].value.id
    if any(owner != model for owner, _ in ((f[0].partition(".")[0], f) for f in filters)):
        return None
    return CountQuery(model=model, column=counted.args[0].attr, line=node.lineno,
                      end_line=node.end_lineno or node.lineno,
                      session=current.func.value.id,
                      filters=tuple(sorted((a.partition(".")[2], v) for a, v in filters)))


def _equality(condition: ast.expr) -> tuple[str, str] | None:
    """``Model.attr == value`` as ``("Model.attr", "value")``, or None."""
    if not (isinstance(condition, ast.Compare) and len(condition.ops) == 1
            and isinstance(condition.ops[0], ast.Eq)):
        return None
    left = condition.left
    if not (isinstance(left, ast.Attribute) and isinstance(left.value, ast.Name)):
        return None
    return f"{left.value.id}.{left.attr}", ast.unparse(condition.comparators[0])
