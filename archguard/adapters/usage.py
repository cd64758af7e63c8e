"""Where imported names are used, with libcst's scope analysis.

Only files holding violations are read this deeply. For each import statement the names it
binds are followed to every access in their scope; each access is placed in its enclosing
function (``Class.method``) or at module level, and uses in annotations are labelled
(``return type``, ``parameter type``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from archguard.domain.imports import ImportStatement, UseSite

MODULE_LEVEL = "<module>"


def _label_line(label: str) -> int:
    return int(label.rsplit("line ", 1)[-1].rstrip(")"))


def find_uses(path: Path, source: bytes,
              statements: list[ImportStatement]) -> dict[int, tuple[UseSite, ...]]:
    """For each statement (by line), the functions using what it imports, with their lines."""
    import libcst as cst
    from libcst.metadata import (
        MetadataWrapper,
        ParentNodeProvider,
        PositionProvider,
        ScopeProvider,
    )

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return {}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    resolved = wrapper.resolve_many([ScopeProvider, PositionProvider, ParentNodeProvider])
    scopes = resolved[ScopeProvider]
    positions = resolved[PositionProvider]
    parents = resolved[ParentNodeProvider]

    wanted = {s.line: s for s in statements}
    import_nodes = {}
    for node in scopes:
        if isinstance(node, cst.Import | cst.ImportFrom):
            line = positions[node].start.line
            if line in wanted:
                import_nodes[node] = wanted[line]

    def enclosing(node: cst.CSTNode) -> tuple[str, str | None]:
        label = None
        names: list[str] = []
        function_found = False
        child = node
        current = parents.get(node)
        while current is not None:
            if isinstance(current, cst.Annotation) and label is None and not function_found:
                holder = parents.get(current)
                if isinstance(holder, cst.FunctionDef) and holder.returns is current:
                    label = "return type"
                elif isinstance(holder, cst.Param):
                    label = "parameter type"
                else:
                    label = "annotation"
            if isinstance(current, cst.Decorator) and label is None and not function_found:
                label = "decorator"
            if isinstance(current, cst.FunctionDef):
                inside_body = child is current.body
                if inside_body or label in ("return type", "parameter type"):
                    names.append(current.name.value)
                    function_found = True
                elif names or function_found:
                    names.append(current.name.value)
            elif isinstance(current, cst.ClassDef) and function_found:
                names.append(current.name.value)
            child = current
            current = parents.get(current)
        if not function_found:
            classes = [n.name.value for n in _ancestors(node) if isinstance(n, cst.ClassDef)]
            if classes and label is None:
                label = f"class body of {'.'.join(reversed(classes))}"
            return MODULE_LEVEL, label
        return ".".join(reversed(names)), label

    def _ancestors(node: cst.CSTNode):
        current = parents.get(node)
        while current is not None:
            yield current
            current = parents.get(current)

    result: dict[int, tuple[UseSite, ...]] = {}
    for node, statement in import_nodes.items():
        scope = scopes[node]
        if scope is None:
            continue
        lines: dict[str, set[int]] = defaultdict(set)
        labels: dict[str, list[str]] = defaultdict(list)
        for assignment in scope.assignments:
            if getattr(assignment, "node", None) is not node:
                continue
            for access in assignment.references:
                line = positions[access.node].start.line
                symbol, label = enclosing(access.node)
                lines[symbol].add(line)
                if label is not None:
                    text = f"{label} (line {line})"
                    if text not in labels[symbol]:
                        labels[symbol].append(text)
        result[statement.line] = tuple(
            UseSite(symbol, tuple(sorted(found)), tuple(sorted(labels[symbol], key=_label_line)))
            for symbol, found in sorted(lines.items(), key=lambda kv: min(kv[1]))
        )
    return result
