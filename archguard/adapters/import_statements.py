"""Classifying a file's import statements by position, with the standard library's ``ast``.

``module``: module level, at any depth of ``if``/``with``/``for``, but not under
``if TYPE_CHECKING``; ``lazy``: inside a function or method, however deep; ``type_checking``:
the body of ``if TYPE_CHECKING:`` (its ``else`` keeps the outer kind), which never runs;
``guarded``: the body of a ``try`` whose handlers catch ImportError, ModuleNotFoundError, or a
tuple holding either, which degrades gracefully. Both hold inside functions too: what decides
is whether a missing target can break the program.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archguard.domain.imports import GUARDED, LAZY, MODULE, TYPE_CHECKING, ImportStatement
from archguard.errors import SourceSyntaxError

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
_INLINE_IGNORE = re.compile(r"#\s*archguard:\s*ignore(?:\[([^\]]*)\])?[ \t]*(.*)$")


def inline_ignore(lines: list[str], first: int, last: int) -> tuple[tuple[str, ...] | None, str]:
    """The ``# archguard: ignore[id, ...] reason`` comment on lines ``first``..``last``:
    the contract ids (empty for every contract) and the reason; None when there is none."""
    for line in lines[first - 1:last]:
        match = _INLINE_IGNORE.search(line)
        if match:
            ids = tuple(i.strip() for i in (match.group(1) or "").split(",") if i.strip())
            return ids, match.group(2).strip()
    return None, ""


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return False


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in caught:
        name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", None)
        if name in _IMPORT_ERRORS:
            return True
    return False


class _Collector:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[ImportStatement] = []

    def statement_text(self, node: ast.stmt) -> str:
        """The statement on one line, without comments or layout (stable for fingerprints)."""
        return ast.unparse(node)

    def visit_body(self, body: list[ast.stmt], kind: str, scope: list[str],
                   function: str | None) -> None:
        for node in body:
            self.visit(node, kind, scope, function)

    def visit(self, node: ast.AST, kind: str, scope: list[str], function: str | None) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom):
                names = tuple(alias.name for alias in node.names)
                bound = tuple(alias.asname or alias.name for alias in node.names)
            else:
                names = ()
                bound = tuple(alias.asname or alias.name.split(".")[0] for alias in node.names)
            ignore, reason = inline_ignore(self.lines, node.lineno,
                                           node.end_lineno or node.lineno)
            self.found.append(ImportStatement(
                line=node.lineno, column=node.col_offset + 1,
                end_line=node.end_lineno or node.lineno,
                statement=self.statement_text(node), kind=kind, names=names,
                function=function, bound=bound,
                module=(node.module or "") if isinstance(node, ast.ImportFrom) else "",
                level=node.level if isinstance(node, ast.ImportFrom) else 0,
                ignore=ignore, ignore_reason=reason,
            ))
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            qualname = ".".join([*scope, node.name])
            # Decorators and defaults run where the function is defined.
            for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if expr is not None:
                    self.visit(expr, kind, scope, function)
            self.visit_body(node.body, LAZY, [*scope, node.name], qualname)
            return
        if isinstance(node, ast.Lambda):
            self.visit(node.body, LAZY, scope, function or ".".join([*scope, "<lambda>"]))
            return
        if isinstance(node, ast.ClassDef):
            for expr in node.decorator_list:
                self.visit(expr, kind, scope, function)
            self.visit_body(node.body, kind, [*scope, node.name], function)
            return
        if isinstance(node, ast.If) and is_type_checking(node.test):
            self.visit_body(node.body, TYPE_CHECKING, scope, function)
            self.visit_body(node.orelse, kind, scope, function)
            return
        if isinstance(node, ast.Try | ast.TryStar) and any(
            catches_import_error(h) for h in node.handlers
        ):
            inner = GUARDED if kind in (MODULE, LAZY) else kind
            self.visit_body(node.body, inner, scope, function)
            for handler in node.handlers:
                self.visit_body(handler.body, kind, scope, function)
            self.visit_body(node.orelse, kind, scope, function)
            self.visit_body(node.finalbody, kind, scope, function)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child, kind, scope, function)


def parse_source(path: Path, source: bytes | None = None) -> ast.Module:
    """Parse ``path``; a syntax error becomes :class:`SourceSyntaxError` with its line."""
    data = path.read_bytes() if source is None else source
    try:
        return ast.parse(data, filename=str(path))
    except SyntaxError as exc:
        raise SourceSyntaxError(path, exc.lineno, exc.msg, exc.text) from None
    except ValueError as exc:  # null bytes
        raise SourceSyntaxError(path, None, str(exc)) from None


def classify_imports(path: Path, source: bytes | None = None) -> list[ImportStatement]:
    """Every import statement of ``path`` with its kind, in source order."""
    data = path.read_bytes() if source is None else source
    tree = parse_source(path, data)
    collector = _Collector(data.decode("utf-8", errors="replace").splitlines())
    collector.visit_body(tree.body, MODULE, [], None)
    return sorted(collector.found, key=lambda s: (s.line, s.column))
