"""Classifying a file's import statements by where they sit (see
:mod:`archguard.adapters.source_walk` for the rules).

``module``: runs when the file is imported; ``lazy``: inside a function or method, however
deep; ``type_checking``: under ``if TYPE_CHECKING:``, never runs; ``guarded``: in the body
of a ``try`` that catches ImportError, degrades gracefully. What decides is whether, and
when, a missing target can break the program.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from archguard.adapters.source_walk import (
    MODULE_LEVEL,
    Place,
    PlaceWalker,
    inline_ignore,
    parse_source,
)
from archguard.domain.imports import ImportKind, ImportStatement


class _ImportCollector(PlaceWalker):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[ImportStatement] = []

    def on_import(self, node: ast.Import | ast.ImportFrom, place: Place) -> None:
        if isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            bound = tuple(alias.asname or alias.name for alias in node.names)
            module, level = node.module or "", node.level
        else:
            names = ()
            bound = tuple(alias.asname or alias.name.split(".")[0] for alias in node.names)
            module, level = "", 0
        end = node.end_lineno or node.lineno
        ignore, reason = inline_ignore(self.lines, node.lineno, end)
        self.found.append(ImportStatement(
            line=node.lineno, column=node.col_offset + 1, end_line=end,
            # one line, without comments or layout: stable for fingerprints
            statement=ast.unparse(node), kind=place.import_kind, names=names,
            function=place.function, bound=bound, module=module, level=level,
            ignore=ignore, ignore_reason=reason,
        ))


def classify_imports(path: Path, source: bytes | None = None) -> list[ImportStatement]:
    """Every import statement of ``path`` with its kind, in source order."""
    data = path.read_bytes() if source is None else source
    tree = parse_source(path, data)
    collector = _ImportCollector(data.decode("utf-8", errors="replace").splitlines())
    collector.walk_body(tree.body, MODULE_LEVEL)
    return sorted(collector.found, key=lambda s: (s.line, s.column))


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
