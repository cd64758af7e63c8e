"""Guard a lazy import of an optional module: the function that imports it returns an empty
answer when the module cannot be imported.

::

    try:
        from app.modules.reviews.api import top_reviews
    except ImportError:  # reviews is optional
        return []
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import imports_at, line_text, wrap_source

Parents = Mapping[cst.CSTNode, cst.CSTNode]

_CAUGHT = frozenset({"ImportError", "ModuleNotFoundError"})


def guard_lazy_import(source: str, line: int, fallback: str, reason: str) -> str:
    """Wrap the import statement at ``line``, inside a function, in ``try: ... except
    ImportError:  # <reason>`` whose handler returns ``fallback`` (Python expression text; an
    empty one is a bare ``return``). An import already guarded leaves the source unchanged."""
    wrapper = wrap_source(source)
    value = _fallback(fallback, line)
    targets = imports_at(wrapper, line)
    if not targets:
        if _guard_at(wrapper, line):
            return source
        found = line_text(source, line)
        raise CodemodError(f"line {line}: expected an import statement, found {found!r}")
    parents = wrapper.resolve(ParentNodeProvider)
    statement = _own_line(parents, targets[0], line)
    _require_function(parents, statement, line)
    if _is_guarded(parents, statement):
        return source
    guarded = _try(statement, value, reason)
    return cst.ensure_type(wrapper.module.deep_replace(statement, guarded), cst.Module).code


def _fallback(fallback: str, line: int) -> cst.BaseExpression | None:
    if not fallback.strip():
        return None
    try:
        return cst.parse_expression(fallback.strip())
    except cst.ParserSyntaxError:
        raise CodemodError(
            f"line {line}: the fallback {fallback!r} is not a Python expression"
        ) from None


def _own_line(parents: Parents, small: cst.CSTNode, line: int) -> cst.SimpleStatementLine:
    """The statement line holding ``small``, which must hold nothing else."""
    statement = parents[small]
    if not isinstance(statement, cst.SimpleStatementLine):
        raise CodemodError(
            f"line {line}: the import follows its block's colon; it needs a line of its own"
        )
    if len(statement.body) > 1:
        raise CodemodError(f"line {line}: the import shares its line with other statements")
    return statement


def _require_function(parents: Parents, statement: cst.CSTNode, line: int) -> None:
    node = parents.get(statement)
    while node is not None and not isinstance(node, cst.Module | cst.ClassDef):
        if isinstance(node, cst.FunctionDef):
            return
        node = parents.get(node)
    code = cst.Module(body=[]).code_for_node(statement).strip()
    raise CodemodError(f"line {line}: {code!r} is not inside a function")


def _is_guarded(parents: Parents, statement: cst.CSTNode) -> bool:
    """Whether ``statement`` is in the body of a ``try`` that catches ImportError."""
    block = parents.get(statement)
    holder = parents.get(block) if block is not None else None
    return isinstance(holder, cst.Try) and holder.body is block and _catches(holder)


def _guard_at(wrapper: MetadataWrapper, line: int) -> bool:
    """Whether a ``try`` starting at ``line`` guards the import that is its first statement."""
    positions = wrapper.resolve(PositionProvider)
    for node, position in positions.items():
        if isinstance(node, cst.Try) and position.start.line == line and _catches(node):
            first = node.body.body[0] if isinstance(node.body, cst.IndentedBlock) else None
            if isinstance(first, cst.SimpleStatementLine) and any(
                isinstance(small, cst.Import | cst.ImportFrom) for small in first.body
            ):
                return True
    return False


def _catches(statement: cst.Try) -> bool:
    return any(_catches_import_error(handler.type) for handler in statement.handlers)


def _catches_import_error(caught: cst.BaseExpression | None) -> bool:
    if isinstance(caught, cst.Tuple):
        return any(_catches_import_error(element.value) for element in caught.elements)
    if isinstance(caught, cst.Name):
        return caught.value in _CAUGHT
    if isinstance(caught, cst.Attribute):
        return caught.attr.value in _CAUGHT
    return False


def _try(
    statement: cst.SimpleStatementLine, value: cst.BaseExpression | None, reason: str
) -> cst.Try:
    comment = " ".join(reason.split())
    header = (
        cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(f"# {comment}")
        )
        if comment
        else cst.TrailingWhitespace()
    )
    handler = cst.ExceptHandler(
        type=cst.Name("ImportError"),
        body=cst.IndentedBlock(
            body=[cst.SimpleStatementLine(body=[cst.Return(value=value)])], header=header
        ),
    )
    return cst.Try(
        body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=[])]),
        handlers=[handler],
        leading_lines=statement.leading_lines,
    )
