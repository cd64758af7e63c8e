"""SQLAlchemy relationships: remove one side, turn the other into a ``backref``, and drop
the imports that only registered a mapped class.

A relationship is an assignment in a class body whose value calls ``relationship``,
``orm.relationship`` or ``db.relationship``, with or without a ``Mapped[...]`` annotation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import (
    add_import,
    callee_name,
    drop_from_all,
    drop_unused_imports,
    module_imports,
    remove_import,
    wrap_source,
)
from archguard.rewrites.codemods.move import remove_statement

_Assignment = cst.Assign | cst.AnnAssign


def remove_relationship(source: str, class_name: str, attribute: str) -> str:
    """Delete ``attribute = relationship(...)`` from ``class_name``, with the comment lines
    directly above it, and the imports only that statement used."""
    wrapper = wrap_source(source)
    cls = _find_class(wrapper.module, class_name)
    found = _find_assignment(cls, attribute)
    if found is None:
        return source
    statement, assignment = found
    _require_relationship(wrapper, class_name, attribute, assignment)
    new_body = _without(cls.body, statement, assignment)
    result = wrapper.module.deep_replace(cls.body, new_body)
    assert isinstance(result, cst.Module)
    return drop_unused_imports(source, result.code)


def backref_on_other_side(
    source: str,
    class_name: str,
    attribute: str,
    backref_name: str,
    keywords: dict[str, str],
) -> str:
    """Replace ``back_populates=`` of ``class_name.attribute`` by
    ``backref=backref("<backref_name>", **keywords)`` and import ``backref``."""
    wrapper = wrap_source(source)
    cls = _find_class(wrapper.module, class_name)
    found = _find_assignment(cls, attribute)
    if found is None:
        raise CodemodError(f"class {class_name} has no relationship {attribute!r}")
    assignment = found[1]
    call = _require_relationship(wrapper, class_name, attribute, assignment)
    if any(_keyword(arg) == "backref" for arg in call.args):
        return source
    prefix = _prefix(call.func)
    value = _backref_call(prefix, backref_name, keywords, _line(wrapper, assignment))
    result = wrapper.module.deep_replace(call, _with_backref(call, value))
    assert isinstance(result, cst.Module)
    if prefix:
        return result.code
    return add_import(result.code, "sqlalchemy.orm", ["backref"])


def remove_registration(source: str, line: int, names: Sequence[str]) -> str:
    """Remove ``names`` from the import at ``line`` (one that only registered mapped classes)
    and from ``__all__``."""
    wrapper = wrap_source(source)
    bound = module_imports(wrapper)
    at_line = [name for name in names if bound.get(name) == line]
    elsewhere = [name for name in names if name in bound and bound[name] != line]
    if elsewhere:
        raise CodemodError(
            f"line {line}: no import of {', '.join(elsewhere)} here "
            f"(imported at line {bound[elsewhere[0]]})"
        )
    if at_line:
        whole = {name for name, where in bound.items() if where == line} <= set(at_line)
        source = remove_import(source, line, at_line)
        if whole:
            source = _without_comment_above(source, line)
    return drop_from_all(source, list(names))


def _without_comment_above(source: str, line: int) -> str:
    """Without the comment lines that stood directly above the statement removed at
    ``line``: they explained it. A blank line left on both sides of them is kept once."""
    lines = source.splitlines(keepends=True)
    end = line - 1
    start = end
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    if start == end:
        return source
    del lines[start:end]
    if 0 < start < len(lines) and not lines[start - 1].strip() and not lines[start].strip():
        del lines[start]
    return "".join(lines)


def _line(wrapper: MetadataWrapper, node: cst.CSTNode) -> int:
    return wrapper.resolve(PositionProvider)[node].start.line


def _find_class(module: cst.Module, class_name: str) -> cst.ClassDef:
    for node in _walk_classes(module):
        if node.name.value == class_name:
            return node
    raise CodemodError(f"class {class_name} not found")


def _walk_classes(node: cst.CSTNode) -> Iterator[cst.ClassDef]:
    for child in node.children:
        if isinstance(child, cst.ClassDef):
            yield child
        if not isinstance(child, cst.BaseExpression):
            yield from _walk_classes(child)


def _find_assignment(
    cls: cst.ClassDef, attribute: str
) -> tuple[cst.SimpleStatementLine, _Assignment] | None:
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if _assigns(small, attribute):
                assert isinstance(small, _Assignment)
                return statement, small
    return None


def _assigns(node: cst.BaseSmallStatement, attribute: str) -> bool:
    if isinstance(node, cst.Assign):
        return any(_is_name(target.target, attribute) for target in node.targets)
    if isinstance(node, cst.AnnAssign):
        return node.value is not None and _is_name(node.target, attribute)
    return False


def _is_name(node: cst.CSTNode, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


def _require_relationship(
    wrapper: MetadataWrapper, class_name: str, attribute: str, assignment: _Assignment
) -> cst.Call:
    value = assignment.value
    if isinstance(value, cst.Call) and callee_name(value.func) == "relationship":
        return value
    raise CodemodError(
        f"line {_line(wrapper, assignment)}: {class_name}.{attribute} is not assigned "
        f"a relationship(...)"
    )


def _keyword(arg: cst.Arg) -> str | None:
    return arg.keyword.value if arg.keyword is not None else None


def _prefix(func: cst.BaseExpression) -> str:
    """``db.`` for ``db.relationship``, empty for a bare ``relationship``."""
    if isinstance(func, cst.Attribute):
        return cst.Module([]).code_for_node(func.value) + "."
    return ""


def _without(
    block: cst.BaseSuite, statement: cst.SimpleStatementLine, small: _Assignment
) -> cst.BaseSuite:
    assert isinstance(block, cst.IndentedBlock)
    if len(statement.body) > 1:
        rest = [s for s in statement.body if s is not small]
        last = rest[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        new = statement.with_changes(body=[*rest[:-1], last])
        return cast(cst.BaseSuite, block.deep_replace(statement, new))
    return cast(cst.IndentedBlock, remove_statement(block, block.body.index(statement)))


def _backref_call(prefix: str, name: str, keywords: dict[str, str], line: int) -> cst.Call:
    if not name.isidentifier():
        raise CodemodError(f"line {line}: backref name {name!r} is not an identifier")
    arguments = [f'"{name}"']
    for key, value in keywords.items():
        if not key.isidentifier():
            raise CodemodError(f"line {line}: backref keyword {key!r} is not an identifier")
        arguments.append(f"{key}={value}")
    text = f"{prefix}backref({', '.join(arguments)})"
    try:
        call = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        raise CodemodError(f"line {line}: cannot build {text}") from None
    assert isinstance(call, cst.Call)
    return call


def _with_backref(call: cst.Call, value: cst.Call) -> cst.Call:
    args = list(call.args)
    for index, arg in enumerate(args):
        if _keyword(arg) == "back_populates":
            args[index] = arg.with_changes(keyword=cst.Name("backref"), value=value)
            return call.with_changes(args=args)
    new = cst.Arg(
        value=value,
        keyword=cst.Name("backref"),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    args[-1] = last.with_changes(
        comma=_separator(call), whitespace_after_arg=cst.SimpleWhitespace("")
    )
    return call.with_changes(args=[*args, new])


def _separator(call: cst.Call) -> cst.Comma:
    """The comma between arguments of this call, as its other arguments are written."""
    if len(call.args) > 1 and isinstance(call.args[-2].comma, cst.Comma):
        return call.args[-2].comma
    before = call.whitespace_before_args
    if isinstance(before, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=before)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
