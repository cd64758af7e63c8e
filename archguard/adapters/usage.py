"""Where imported names are used, from the compiler's own scope analysis.

Only files holding violations are read this deeply. The standard library's ``symtable``
says, for every scope, whether a name is local, free (bound in an enclosing function) or
global; ``ast`` gives the positions. A read of a name counts as a use of an import when
the scope it resolves to is the scope the import binds it in: module level for a top-level
import, the function for a lazy one. Each use is placed in its enclosing function
(``Class.method``) or at module level; uses in annotations and decorators are labelled
(``return type (line 104)``, ``parameter type (line 447)``, ``decorator (line 12)``).
"""

from __future__ import annotations

import ast
import bisect
import re
import symtable
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from archguard.adapters.source_walk import without_recursion_limit
from archguard.domain.imports import ImportStatement, UseSite
from archguard.errors import SourceSyntaxError

MODULE_LEVEL = "<module>"

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass
class _Frame:
    table: symtable.SymbolTable
    qualname: str | None          # enclosing function's qualified name, None at module level
    class_name: str | None = None  # set while in a class body
    children: dict[tuple[str, int], list[symtable.SymbolTable]] = field(default_factory=dict)

    @cached_property
    def shared_lines(self) -> frozenset[int]:
        """The lines on which two child scopes of the same name start (two lambdas on one
        line): their tables are told apart only by the order the walk meets them in."""
        return frozenset(line for (_, line), tables in self.children.items()
                         if len(tables) > 1)


def _index_children(table: symtable.SymbolTable) -> dict[tuple[str, int], list]:
    index: dict[tuple[str, int], list] = defaultdict(list)
    for child in table.get_children():
        index[(child.get_name(), child.get_lineno())].append(child)
    return index


def _scope_name(node: ast.AST) -> str:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    return {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp",
            ast.DictComp: "dictcomp", ast.GeneratorExp: "genexpr"}[type(node)]


class _UseFinder:
    """Walks the tree alongside the symbol tables, resolving each name read to its scope."""

    def __init__(self, table: symtable.SymbolTable,
                 bindings: dict[tuple[int, str], ImportStatement],
                 mentions: list[int] | None = None) -> None:
        # bindings: (id of the binding table, name) -> the statement binding it there
        self.bindings = bindings
        #: ``mentions[n]``: how many of the first n lines name a bound name (see
        #: :func:`_mention_counts`); None when any statement may.
        self.mentions = mentions
        self.uses: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.labels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.stack: list[_Frame] = [_Frame(table, None, None, _index_children(table))]

    # -- resolution ------------------------------------------------------------------------

    def _binding_table(self, name: str, depth: int) -> symtable.SymbolTable | None:
        """The table whose binding of ``name`` a read at ``stack[depth]`` refers to."""
        frame = self.stack[depth]
        try:
            symbol = frame.table.lookup(name)
        except KeyError:
            return self.stack[0].table
        if symbol.is_global() or symbol.is_declared_global():
            return self.stack[0].table
        if symbol.is_free():
            for outer in reversed(self.stack[:depth]):
                if outer.table.get_type() == "class":
                    continue
                try:
                    found = outer.table.lookup(name)
                except KeyError:
                    continue
                if found.is_local() or found.is_parameter() or found.is_assigned():
                    return outer.table
            return self.stack[0].table
        if symbol.is_local() or symbol.is_parameter() or symbol.is_assigned() or \
                symbol.is_imported():
            return frame.table
        return self.stack[0].table

    def _record(self, node: ast.Name, depth: int, label: str | None,
                symbol_override: str | None = None) -> None:
        table = self._binding_table(node.id, depth)
        if table is None:
            return
        statement = self.bindings.get((table.get_id(), node.id))
        if statement is None:
            return
        frame = self.stack[depth]
        symbol = symbol_override or frame.qualname or MODULE_LEVEL
        self.uses[statement.line][symbol].add(node.lineno)
        if label is None and frame.qualname is None and frame.class_name:
            label = f"class body of {frame.class_name}"
        if label is not None:
            text = f"{label} (line {node.lineno})"
            if text not in self.labels[statement.line][symbol]:
                self.labels[statement.line][symbol].append(text)

    # -- traversal -------------------------------------------------------------------------

    def visit_expr(self, node: ast.AST | None, depth: int, label: str | None = None,
                   symbol_override: str | None = None) -> None:
        """Visit an expression evaluated in ``stack[depth]``."""
        if node is None:
            return
        if isinstance(node, ast.stmt) and not self._may_use(node, depth):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self._record(node, depth, label, symbol_override)
            return
        if isinstance(node, _SCOPES):
            self.visit_scope(node, depth)
            return
        if isinstance(node, ast.AnnAssign):
            self.visit_expr(node.annotation, depth, "annotation", symbol_override)
            self.visit_expr(node.value, depth, label, symbol_override)
            self.visit_expr(node.target, depth, label, symbol_override)
            return
        for child in ast.iter_child_nodes(node):
            self.visit_expr(child, depth, label, symbol_override)

    def _may_use(self, node: ast.stmt, depth: int) -> bool:
        """Whether a name bound by an import may be read in ``node``: one of its lines
        names one, or (for the walk to stay in step with the symbol tables) it holds a line
        where two scopes of one name start."""
        if self.mentions is None:
            return True
        first, last = node.lineno, node.end_lineno or node.lineno
        for decorator in getattr(node, "decorator_list", ()):  # above the def or class line
            first = min(first, decorator.lineno)
        if self.mentions[min(last, len(self.mentions) - 1)] \
                > self.mentions[min(first, len(self.mentions)) - 1]:
            return True
        frame = self.stack[depth]
        return any(first <= line <= last for line in frame.shared_lines)

    def visit_scope(self, node: ast.AST, depth: int) -> None:
        frame = self.stack[depth]
        candidates = frame.children.get((_scope_name(node), node.lineno), [])
        if not candidates:
            # Comprehensions are inlined into their scope since Python 3.12.
            for child in ast.iter_child_nodes(node):
                self.visit_expr(child, depth)
            return
        table = candidates.pop(0)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                self.visit_expr(decorator, depth, "decorator")
            arguments = node.args
            for default in [*arguments.defaults, *arguments.kw_defaults]:
                self.visit_expr(default, depth)
            qualname = self._qualname(node.name)
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                             *[a for a in (arguments.vararg, arguments.kwarg) if a]]:
                self.visit_expr(argument.annotation, depth, "parameter type", qualname)
            self.visit_expr(node.returns, depth, "return type", qualname)
            self.stack.append(_Frame(table, qualname, None, _index_children(table)))
            for statement in node.body:
                self.visit_expr(statement, len(self.stack) - 1)
            self.stack.pop()
            return
        if isinstance(node, ast.ClassDef):
            for expr in [*node.decorator_list, *node.bases, *[k.value for k in node.keywords]]:
                self.visit_expr(expr, depth, "decorator" if expr in node.decorator_list else None)
            outer_class = frame.class_name
            class_name = f"{outer_class}.{node.name}" if outer_class else node.name
            self.stack.append(_Frame(table, frame.qualname, class_name, _index_children(table)))
            for statement in node.body:
                self.visit_expr(statement, len(self.stack) - 1)
            self.stack.pop()
            return
        if isinstance(node, ast.Lambda):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                self.visit_expr(default, depth)
            self.stack.append(_Frame(table, frame.qualname, None, _index_children(table)))
            self.visit_expr(node.body, len(self.stack) - 1)
            self.stack.pop()
            return
        # Comprehensions: the first iterable is evaluated in the enclosing scope.
        generators = node.generators
        self.visit_expr(generators[0].iter, depth)
        self.stack.append(_Frame(table, frame.qualname, None, _index_children(table)))
        inner = len(self.stack) - 1
        for index, generator in enumerate(generators):
            if index:
                self.visit_expr(generator.iter, inner)
            for condition in generator.ifs:
                self.visit_expr(condition, inner)
        for part in ("elt", "key", "value"):
            self.visit_expr(getattr(node, part, None), inner)
        self.stack.pop()

    def _qualname(self, name: str) -> str:
        frame = self.stack[-1]
        prefix = frame.qualname
        if frame.class_name:
            prefix = f"{prefix}.{frame.class_name}" if prefix else frame.class_name
        return f"{prefix}.{name}" if prefix else name


#: The nodes a statement can be in: statements, and the clauses of ``try`` and ``match``.
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _binding_scopes(tree: ast.Module, table: symtable.SymbolTable,
                    statements: list[ImportStatement]) -> dict[tuple[int, str], ImportStatement]:
    """(table id, bound name) for each statement: the scope its import binds names in.

    Only statements are walked: an import is a statement, and a scope that can hold one is
    a function or a class, both statements too; expressions (lambdas and comprehensions
    among them) hold neither."""
    by_line = {s.line: s for s in statements}
    lines = sorted(by_line)
    result: dict[tuple[int, str], ImportStatement] = {}

    def holds_one(node: ast.AST) -> bool:
        """Whether one of the statements starts within ``node``'s lines. One that does not
        is not walked: two functions or classes cannot start on one line, so no table of
        another is taken for its own."""
        first = getattr(node, "lineno", None)
        if first is None:  # a match case: no position of its own
            return True
        at = bisect.bisect_left(lines, first)
        return at < len(lines) and lines[at] <= (getattr(node, "end_lineno", None) or first)

    def walk(node: ast.AST, current: symtable.SymbolTable,
             children: dict[tuple[str, int], list]) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _HOLDS_STATEMENTS) or not holds_one(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and child.lineno in by_line:
                statement = by_line[child.lineno]
                for name in statement.bound:
                    result[(current.get_id(), name)] = statement
            elif isinstance(child, _SCOPES):
                candidates = children.get((_scope_name(child), child.lineno), [])
                if candidates:
                    inner = candidates.pop(0)
                    walk(child, inner, _index_children(inner))
                else:
                    walk(child, current, children)
            else:
                walk(child, current, children)

    walk(tree, table, _index_children(table))
    return result


#: What ends a line for Python's tokenizer (``str.splitlines`` also splits at form feeds).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _mention_counts(text: str, names: set[str]) -> list[int] | None:
    """For each n, how many of the first n lines of ``text`` hold one of ``names`` as a
    word: a statement none of whose lines does reads none of them, and is not walked. None
    for a file with non-ASCII text, where an identifier may be written in a form that
    Python normalises (NFKC) to another."""
    if not text.isascii():
        return None
    if not names:
        return [0] * (text.count("\n") + 2)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
    counts = [0]
    for line in _LINE_BREAK.split(text):
        counts.append(counts[-1] + (pattern.search(line) is not None))
    counts.append(counts[-1])
    return counts


def find_uses(path: Path, source: bytes, statements: list[ImportStatement],
              tree: ast.Module | None = None) -> dict[int, tuple[UseSite, ...]]:
    """For each statement (by line), the functions using what it imports, with their lines.
    ``tree``: the file already parsed, when the caller has it."""
    text = source.decode("utf-8", errors="replace")

    def read() -> _UseFinder | None:
        nonlocal tree
        try:
            if tree is None:
                tree = ast.parse(text, filename=str(path))
            table = symtable.symtable(text, str(path), "exec")
        except (SyntaxError, ValueError):
            return None
        bindings = _binding_scopes(tree, table, statements)
        finder = _UseFinder(table, bindings, _mention_counts(text, {n for _, n in bindings}))
        for statement in tree.body:
            finder.visit_expr(statement, 0)
        return finder

    try:
        finder = without_recursion_limit(read, path, source)
    except SourceSyntaxError:
        return {}  # the file's statements are reported without their uses
    if finder is None:
        return {}
    result: dict[int, tuple[UseSite, ...]] = {}
    for statement in statements:
        uses = finder.uses.get(statement.line, {})
        labels = finder.labels.get(statement.line, {})
        result[statement.line] = tuple(
            UseSite(symbol, tuple(sorted(lines)),
                    tuple(sorted(labels.get(symbol, []), key=_label_line)))
            for symbol, lines in sorted(uses.items(), key=lambda kv: min(kv[1]))
        )
    return result


def _label_line(label: str) -> int:
    return int(label.rsplit("line ", 1)[-1].rstrip(")"))


def uses_to_json(uses: dict[int, tuple[UseSite, ...]]) -> list[list]:
    """What :func:`find_uses` found, as plain JSON data for the uses cache."""
    return [[line, [[site.symbol, list(site.lines), list(site.labels)] for site in sites]]
            for line, sites in uses.items()]


def uses_from_json(data: list[list]) -> dict[int, tuple[UseSite, ...]]:
    """:func:`uses_to_json` read back; malformed data raises (and is read again)."""
    return {int(line): tuple(UseSite(str(symbol), tuple(int(n) for n in lines),
                                     tuple(str(label) for label in labels))
                             for symbol, lines, labels in sites)
            for line, sites in data}
