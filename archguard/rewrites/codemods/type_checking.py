"""Move a module-level import under ``if TYPE_CHECKING:``, where it never runs.

Without ``from __future__ import annotations`` the annotations that name a moved name are
evaluated when the function or class is defined, so they are quoted as well.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import (
    AnyImport,
    aliases_of,
    bound_name,
    bound_names,
    extend_from_import,
    imported_names,
    imports_at,
    insert_statement,
    is_type_checking_block,
    line_text,
    module_name,
    parse_source,
    remove_import,
    wrap_source,
)


def move_to_type_checking(source: str, line: int, names: Sequence[str]) -> str:
    """Move ``names`` (all the names, when empty) of the module-level import at ``line`` under
    a module-level ``if TYPE_CHECKING:`` block, reusing one that exists.

    ``from typing import TYPE_CHECKING`` is added when nothing imports it, and the
    annotations naming a moved name are quoted when the file lacks postponed annotations.
    An import already under TYPE_CHECKING leaves the source unchanged.
    """
    wrapper = wrap_source(source)
    if _under_type_checking(wrapper, line):
        return source
    statement = _statement_at(wrapper, line)
    if statement is None:
        if names and set(names) <= _type_checking_names(wrapper.module):
            return source
        raise CodemodError(
            f"line {line}: expected a module-level import, found {line_text(source, line)!r}"
        )
    bound = [name for small in _imports(statement) for name in bound_names(small)]
    moved = [name for name in bound if name in names] if names else bound
    if not moved:
        if names and set(names) <= _type_checking_names(wrapper.module):
            return source
        raise CodemodError(f"line {line}: {_code(statement)!r} imports none of {list(names)}")
    hidden = _hidden_imports(statement, set(moved))
    module = _add_to_block(wrapper.module, hidden)
    text = remove_import(module.code, _line_of(module, statement), moved)
    if _has_future_annotations(module):
        return text
    return parse_source(text).visit(_Quote(set(moved))).code


def _under_type_checking(wrapper: MetadataWrapper, line: int) -> bool:
    """Whether ``line`` starts a module-level TYPE_CHECKING block or an import inside one."""
    positions = wrapper.resolve(PositionProvider)
    targets = {id(node) for node in imports_at(wrapper, line)}
    for statement in wrapper.module.body:
        if not is_type_checking_block(statement):
            continue
        if positions[statement].start.line == line:
            return True
        if any(id(node) in targets for node in _descendants(statement)):
            return True
    return False


def _statement_at(wrapper: MetadataWrapper, line: int) -> cst.SimpleStatementLine | None:
    """The module-level statement holding the imports that start on ``line``."""
    targets = imports_at(wrapper, line)
    if not targets:
        return None
    for statement in wrapper.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            small is target for small in statement.body for target in targets
        ):
            return statement
    raise CodemodError(f"line {line}: the import {_code(targets[0])!r} is not at module level")


def _line_of(module: cst.Module, statement: cst.SimpleStatementLine) -> int:
    """The line ``statement`` (a node of ``module``) starts on."""
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return positions[statement].start.line


def _imports(statement: cst.SimpleStatementLine) -> list[AnyImport]:
    return [small for small in statement.body if isinstance(small, AnyImport)]


def _hidden_imports(
    statement: cst.SimpleStatementLine, moved: set[str]
) -> list[cst.SimpleStatementLine]:
    """The statements that import ``moved`` the way ``statement`` does: the statement itself
    (with its layout and comments) when all of it moves."""
    imports = _imports(statement)
    if len(imports) == len(statement.body) and all(
        set(bound_names(small)) <= moved for small in imports
    ):
        return [statement.deep_clone().with_changes(leading_lines=[])]
    return [_partial_import(small, moved) for small in imports if moved & set(bound_names(small))]


def _partial_import(small: AnyImport, moved: set[str]) -> cst.SimpleStatementLine:
    aliases = [
        _code(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        for alias in aliases_of(small)
        if bound_name(alias) in moved
    ]
    if isinstance(small, cst.ImportFrom):
        text = f"from {module_name(small)} import {', '.join(aliases)}\n"
    else:
        text = f"import {', '.join(aliases)}\n"
    return cst.ensure_type(cst.parse_statement(text), cst.SimpleStatementLine)


def _type_checking_names(module: cst.Module) -> set[str]:
    """The names imported inside module-level TYPE_CHECKING blocks."""
    return {
        name
        for statement in module.body
        if is_type_checking_block(statement)
        for node in _descendants(statement)
        if isinstance(node, AnyImport)
        for name in bound_names(node)
    }


def _descendants(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    stack = list(node.children)
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


def _has_future_annotations(module: cst.Module) -> bool:
    return imported_names(module).get("annotations") == "__future__"


# -- the TYPE_CHECKING block ----------------------------------------------------------------


def _add_to_block(module: cst.Module, hidden: list[cst.SimpleStatementLine]) -> cst.Module:
    body = list(module.body)
    for index, statement in enumerate(body):
        if is_type_checking_block(statement) and isinstance(
            cst.ensure_type(statement, cst.If).body, cst.IndentedBlock
        ):
            body[index] = _extended_block(cst.ensure_type(statement, cst.If), hidden)
            return module.with_changes(body=body)
    module, test = _type_checking_test(module)
    block = cst.If(test=test, body=cst.IndentedBlock(body=hidden))
    return insert_statement(module, block)


def _type_checking_test(module: cst.Module) -> tuple[cst.Module, cst.BaseExpression]:
    """The expression for TYPE_CHECKING, importing it when the file does not."""
    imported = imported_names(module)
    if imported.get("TYPE_CHECKING") in {"typing", "typing_extensions"}:
        return module, cst.Name("TYPE_CHECKING")
    if imported.get("typing") == "typing":
        return module, cst.Attribute(value=cst.Name("typing"), attr=cst.Name("TYPE_CHECKING"))
    statement = cst.parse_statement("from typing import TYPE_CHECKING\n")
    return insert_statement(module, statement), cst.Name("TYPE_CHECKING")


def _extended_block(block: cst.If, hidden: list[cst.SimpleStatementLine]) -> cst.If:
    inner = list(cst.ensure_type(block.body, cst.IndentedBlock).body)
    for statement in hidden:
        for small in _imports(statement):
            inner = _with_import(inner, statement, small)
    return block.with_changes(body=block.body.with_changes(body=inner))


def _with_import(
    inner: list[cst.BaseStatement], statement: cst.SimpleStatementLine, small: AnyImport
) -> list[cst.BaseStatement]:
    """``inner`` (the block's statements) also importing what ``small`` imports."""
    present = {
        name
        for node in inner
        for found in _descendants(node)
        if isinstance(found, AnyImport)
        for name in bound_names(found)
    }
    missing = [name for name in bound_names(small) if name not in present]
    if not missing:
        return inner
    if isinstance(small, cst.ImportFrom):
        for index, existing in enumerate(inner):
            merged = _merged(existing, small, set(missing))
            if merged is not None:
                return [*inner[:index], merged, *inner[index + 1 :]]
    if set(missing) == set(bound_names(small)) and len(statement.body) == 1:
        return [*inner, statement]
    return [*inner, _partial_import(small, set(missing))]


def _merged(
    existing: cst.BaseStatement, small: cst.ImportFrom, missing: set[str]
) -> cst.SimpleStatementLine | None:
    """``existing`` with ``missing`` added, if it is a ``from`` import of the same module and
    they are imported under their own names."""
    if not isinstance(existing, cst.SimpleStatementLine) or len(existing.body) != 1:
        return None
    target = existing.body[0]
    if not isinstance(target, cst.ImportFrom) or isinstance(target.names, cst.ImportStar):
        return None
    aliases = [a for a in aliases_of(small) if bound_name(a) in missing]
    if module_name(target) != module_name(small) or any(a.asname for a in aliases):
        return None
    added = extend_from_import(target, [bound_name(alias) for alias in aliases])
    return existing.with_changes(body=[added])


# -- quoting annotations --------------------------------------------------------------------


class _Quote(cst.CSTTransformer):
    """Annotations that name one of ``names`` become strings."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self._names = names

    def leave_Annotation(
        self, original_node: cst.Annotation, updated_node: cst.Annotation
    ) -> cst.Annotation:
        annotation = updated_node.annotation
        if isinstance(annotation, cst.SimpleString | cst.ConcatenatedString):
            return updated_node
        names = _NamesRead()
        annotation.visit(names)
        if not names.found & self._names:
            return updated_node
        return updated_node.with_changes(annotation=cst.SimpleString(_quoted(annotation)))


class _NamesRead(cst.CSTVisitor):
    """The names an expression reads: not attribute names, not what is inside strings."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False


def _quoted(annotation: cst.BaseExpression) -> str:
    text = _code(annotation)
    if "\n" in text:
        text = ast.unparse(ast.parse(text.strip(), mode="eval"))
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return repr(text)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node).strip()
