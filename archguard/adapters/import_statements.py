"""Classifying a file's import statements by where they sit (see
:mod:`archguard.adapters.source_walk` for the rules).

``module``: runs when the file is imported; ``lazy``: inside a function or method, however
deep; ``type_checking``: under ``if TYPE_CHECKING:``, never runs; ``guarded``: in the body
of a ``try`` that catches ImportError, degrades gracefully. What decides is whether, and
when, a missing target can break the program.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from archguard.adapters.comments import comment_lines
from archguard.adapters.source_walk import (
    MODULE_LEVEL,
    Place,
    PlaceWalker,
    inline_ignore,
    parse_source,
    without_recursion_limit,
)
from archguard.domain.imports import ImportKind, ImportStatement


class _ImportCollector(PlaceWalker):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[ImportStatement] = []

    def on_import(self, node: ast.Import | ast.ImportFrom, place: Place) -> None:
        names, bound, module, level = _imported(node)
        end = node.end_lineno or node.lineno
        ignore, reason = inline_ignore(self.lines, node.lineno, end)
        self.found.append(ImportStatement(
            line=node.lineno, column=node.col_offset + 1, end_line=end,
            # one line, without comments or layout: stable for fingerprints
            statement=ast.unparse(node), kind=place.import_kind, names=names,
            function=place.function, bound=bound, module=module, level=level,
            ignore=ignore, ignore_reason=reason,
        ))


def _imported(node: ast.Import | ast.ImportFrom
              ) -> tuple[tuple[str, ...], tuple[str, ...], str, int]:
    """What an import statement names, the names it binds, and for ``from`` imports the
    module as written and its level."""
    if isinstance(node, ast.ImportFrom):
        return (tuple(alias.name for alias in node.names),
                tuple(alias.asname or alias.name for alias in node.names),
                node.module or "", node.level)
    return ((), tuple(alias.asname or alias.name.split(".")[0] for alias in node.names), "", 0)


def classify_imports(path: Path, source: bytes | None = None) -> list[ImportStatement]:
    """Every import statement of ``path`` with its kind, in source order."""
    return parse_imports(path, path.read_bytes() if source is None else source)[1]


def parse_imports(path: Path, source: bytes) -> tuple[ast.Module, list[ImportStatement]]:
    """The tree of ``source`` (the bytes of ``path``) and its import statements with their
    kinds, in source order: a caller that reads the file further walks the same tree."""

    def classify() -> tuple[ast.Module, list[ImportStatement]]:
        tree = parse_source(path, source)
        lines = source.decode("utf-8", errors="replace").splitlines()
        collector = _ImportCollector(comment_lines(source, lines))
        collector.walk_body(tree.body, MODULE_LEVEL)
        return tree, collector.found

    tree, found = without_recursion_limit(classify, path, source)
    return tree, sorted(found, key=lambda s: (s.line, s.column))


def statements_to_json(statements: list[ImportStatement]) -> list[dict[str, Any]]:
    """A file's statements as plain JSON data, for the statements cache."""
    return [{k: list(v) if isinstance(v, tuple) else v for k, v in vars(s).items()}
            for s in statements]


def statements_from_json(data: list[dict[str, Any]]) -> list[ImportStatement]:
    """The inverse of :func:`statements_to_json`; raises on anything malformed."""
    statements = []
    for item in data:
        statements.append(ImportStatement(**{
            **item, "kind": ImportKind(item["kind"]), "names": tuple(item["names"]),
            "bound": tuple(item["bound"]),
            "ignore": tuple(item["ignore"]) if item["ignore"] is not None else None,
        }))
    return statements


# -- source this Python cannot parse ----------------------------------------------------------

_HEADER = re.compile(r"(async\s+def|def|class)\s+([A-Za-z_]\w*)|if\s+(?:typing\.)?TYPE_CHECKING\s*:"
                     r"|try\s*:")
_CATCHES_IMPORT_ERROR = re.compile(r"except\s*\(?[^:]*\b(ImportError|ModuleNotFoundError)\b")


def guess_statements(source: bytes, lines: list[int]) -> list[ImportStatement]:
    """The import statements starting on ``lines`` of a file this Python cannot parse as a
    whole (newer syntax elsewhere in it), each statement parsed on its own, and its kind
    and function read from the indentation and the block headers above it: a guess where
    the layout is unusual (a ``try`` in one line, a header continued on several)."""
    text = source.decode("utf-8", errors="replace").splitlines()
    found = []
    for line in sorted(set(lines)):
        if not 0 < line <= len(text):
            continue
        statement, end = _statement_at(text, line - 1)
        try:
            node = ast.parse(statement.strip()).body[0]
        except (SyntaxError, ValueError, IndexError, RecursionError):
            continue
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        indent = len(text[line - 1]) - len(text[line - 1].lstrip())
        kind, function = _place_above(text, line - 1, indent)
        names, bound, module, level = _imported(node)
        ignore, reason = inline_ignore(text, line, end + 1)
        found.append(ImportStatement(
            line=line, column=indent + 1, end_line=end + 1, statement=ast.unparse(node),
            kind=kind, names=names, function=function, bound=bound, module=module,
            level=level, ignore=ignore, ignore_reason=reason))
    return found


def _statement_at(text: list[str], index: int) -> tuple[str, int]:
    """The logical line starting at ``index``: until brackets close and no backslash ends
    it; a comment is cut off."""
    parts, depth, end = [], 0, index
    for end in range(index, len(text)):
        line = text[end].split("#", 1)[0]
        parts.append(line.rstrip("\\"))
        depth += line.count("(") - line.count(")")
        if depth <= 0 and not line.rstrip().endswith("\\"):
            break
    return " ".join(p.strip() for p in parts), end


def _place_above(text: list[str], index: int, indent: int) -> tuple[ImportKind, str | None]:
    """The kind and function of a statement from the headers of the blocks holding it."""
    kind = ImportKind.MODULE
    names: list[str] = []
    function_seen = False
    for above in range(index - 1, -1, -1):
        line = text[above]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        level = len(line) - len(line.lstrip())
        if level >= indent:
            continue
        indent = level
        header = _HEADER.match(stripped)
        if header is None:
            continue
        if header.group(2):
            if header.group(1) != "class":
                function_seen = True
            names.insert(0, header.group(2))
        elif stripped.startswith("try") and kind == ImportKind.MODULE and not function_seen:
            below = [t.strip() for t in text[index:] if t.strip()
                     and len(t) - len(t.lstrip()) == level]
            if below and _CATCHES_IMPORT_ERROR.match(below[0]):
                kind = ImportKind.GUARDED
        elif kind == ImportKind.MODULE and not function_seen:
            kind = ImportKind.TYPE_CHECKING
    if function_seen:
        if kind == ImportKind.MODULE:
            kind = ImportKind.LAZY
        function = ".".join(names)
        return kind, function
    return kind, None
