"""``guard-optional``: a lazy import of an optional module is guarded, and the function
degrades (an empty answer) when the module is missing."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

from archguard.domain.imports import ImportKind
from archguard.domain.proposals import Changes, Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.base import Recipe, RewriteContext, Workspace, parse_text

_EMPTY = {"list": "[]", "List": "[]", "Sequence": "[]", "Iterable": "[]", "Iterator": "[]",
          "dict": "{}", "Dict": "{}", "Mapping": "{}", "set": "set()", "Set": "set()",
          "frozenset": "frozenset()", "tuple": "()", "Tuple": "()", "int": "0",
          "float": "0.0", "bool": "False", "str": '""', "None": "None"}


class GuardOptional(Recipe):
    id = "guard-optional"
    title = "Guard the lazy use of an optional module"
    safety = Safety.REVIEW
    rank = 45
    doc = RecipeDoc(
        what="Wraps a lazy import of an optional module in `try: … except ImportError:` "
             "and returns the function's empty answer (`[]`, `{}`, `0`, `None`, or a tuple "
             "of them, from its return annotation) when the module is missing.",
        when="The import is inside a function (kind `lazy`) and the function's return "
             "annotation says what an empty answer is. It does not apply to module-level "
             "imports, which run at start-up, nor to functions whose empty answer cannot be "
             "told from the annotation; archguard says which.",
        why="A lazy import fails only on the code path that runs it. Guarded, that path "
            "answers \"nothing\" while the module is switched off or removed, as the seed's "
            "dashboards show \"no stats\", instead of a 500 error.",
        before="def get_customer_orders(self, db, customer_id) -> list:\n"
               "    from app.modules.orders.models import Order\n"
               "    return db.query(Order).filter(Order.customer_id == customer_id).all()",
        after="def get_customer_orders(self, db, customer_id) -> list:\n    try:\n"
              "        from app.modules.orders.models import Order\n"
              "    except ImportError:  # orders is optional: disabled or not installed\n"
              "        return []\n"
              "    return db.query(Order).filter(Order.customer_id == customer_id).all()",
        risks="Callers can no longer tell \"no orders\" from \"no orders module\"; where "
              "that matters, reach the module through a Protocol (extract-protocol). A "
              "module that is installed but disabled still imports: check enablement too "
              "where the platform can switch modules off.",
    )

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        for violation in violations:
            if violation.kind != ImportKind.LAZY or violation.chain or not violation.function:
                continue
            text = context.read(violation.file)
            fallback = _fallback(text, violation.line) if text else None
            if fallback is None:
                yield Rejection(self.id, (violation.fingerprint,),
                                f"{violation.function}() ({context.short(violation.file)}:"
                                f"{violation.line}): its return annotation does not say what "
                                "an empty answer is")
                continue
            reason = f"{violation.target_module} is optional: disabled or not installed"
            yield Proposal(
                recipe=self.id, group=context.group([violation]),
                summary=f"guard the import in {violation.function}() and return {fallback} "
                        f"without {violation.target_module}",
                violations=(violation.fingerprint,),
                changes=Changes(removes=(violation.fingerprint,)), safety=self.safety,
                steps=(f"wrap `{violation.statement}` (line {violation.line}) in try/except "
                       f"ImportError, returning {fallback}",),
                files=(violation.file,),
                plan={"edits": [{"file": violation.file, "line": violation.line,
                                 "fallback": fallback, "reason": reason}]},
            )

    def apply(self, proposal: Proposal, files: Workspace) -> None:
        from archguard.rewrites.codemods.guard import guard_lazy_import

        for edit in proposal.plan["edits"]:  # type: ignore[union-attr]
            text = files.text(edit["file"])
            files.write(edit["file"], guard_lazy_import(text, edit["line"], edit["fallback"],
                                                        edit["reason"]))


def _fallback(text: str, line: int) -> str | None:
    """The empty answer of the function holding ``line``, from its return annotation."""
    tree = parse_text(text)
    if tree is None:
        return None
    holders = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
               and n.lineno <= line <= (n.end_lineno or n.lineno)]
    if not holders:
        return None
    function = max(holders, key=lambda n: n.lineno)
    if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(function)):
        return ""
    return empty_value(function.returns)


def empty_value(annotation: ast.expr | None) -> str | None:
    """What an empty answer of this return annotation is, as source; None when unknown."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return "None"
        if isinstance(annotation.value, str):
            try:
                return empty_value(ast.parse(annotation.value, mode="eval").body)
            except SyntaxError:
                return None
        return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        parts = (annotation.left, annotation.right)
        if any(isinstance(p, ast.Constant) and p.value is None for p in parts):
            return "None"
        return None
    if isinstance(annotation, ast.Subscript):
        head = _name(annotation.value)
        if head == "Optional":
            return "None"
        if head in ("tuple", "Tuple") and isinstance(annotation.slice, ast.Tuple):
            items = [empty_value(e) for e in annotation.slice.elts]
            known = [i for i in items if i is not None]
            if len(known) != len(items):
                return None
            return "(" + ", ".join(known) + ("," if len(known) == 1 else "") + ")"
        return _EMPTY.get(head)
    return _EMPTY.get(_name(annotation))


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
