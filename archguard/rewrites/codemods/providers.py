"""The provider pattern written into source: a provider registered in a module's
``definition.py``, and the row counts of another module's model replaced by a call to
the provider a lookup finds, with 0 when no loaded module provides it.

A *count query* is ``<session>.query(func.count(Model.column))``, then any number of
``.filter(Model.attr == value, …)``, then ``.scalar()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import (
    add_import,
    callee_name,
    drop_unused_imports,
    parse_source,
    unused_names,
    with_min_blanks,
    wrap_source,
)

NodeT = TypeVar("NodeT", bound=cst.CSTNode)

#: Past this, a call made longer by the registration is laid out one argument per line.
LINE_LENGTH = 99

_NO_PARENS_NEEDED = (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Arg,
                     cst.Element, cst.DictElement)


# -- registration ---------------------------------------------------------------------------


def register_provider(
    source: str,
    *,
    definition_class: str,
    protocol: str,
    protocol_module: str,
    getter: str,
    implementation_module: str,
    instance: str,
) -> str:
    """``source`` (a ``definition.py``) with ``protocol: getter`` in the ``providers`` of the
    call that makes the module's definition, ``getter`` importing ``instance`` from
    ``implementation_module`` when called (so loading the definition imports no service),
    and ``protocol`` imported. A registration already there leaves the source unchanged."""
    module = parse_source(source)
    index, call = _definition_call(module, definition_class)
    providers = next((a for a in call.args if a.keyword and a.keyword.value == "providers"),
                     None)
    if providers is not None:
        if not isinstance(providers.value, cst.Dict):
            raise CodemodError("providers= is not a dict literal; add the entry by hand")
        if any(isinstance(e, cst.DictElement) and _is_name(e.key, protocol)
               for e in providers.value.elements):
            return source
    entry = cst.DictElement(cst.Name(protocol), cst.Name(getter))
    if providers is None:
        new_arg = cst.Arg(keyword=cst.Name("providers"),
                          value=cst.Dict([entry]),
                          equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                whitespace_after=cst.SimpleWhitespace("")))
        new_call = call.with_changes(args=_appended(call.args, new_arg,
                                                    call.whitespace_before_args))
        statement = module.body[index].deep_replace(call, new_call)
        if _longest_line(_code(statement)) > LINE_LENGTH:
            new_call = _one_per_line(new_call, module.default_indent)
    else:
        assert isinstance(providers.value, cst.Dict)
        mapping = providers.value
        elements = _appended(mapping.elements, entry, mapping.lbrace.whitespace_after) \
            if mapping.elements else [entry]
        new_call = call.deep_replace(mapping, mapping.with_changes(elements=elements))
        assert isinstance(new_call, cst.Call)
    module = module.deep_replace(call, new_call)
    assert isinstance(module, cst.Module)
    if not any(isinstance(s, cst.FunctionDef) and s.name.value == getter for s in module.body):
        function = cst.parse_statement(
            f"def {getter}():\n"
            f"    from {implementation_module} import {instance}\n\n"
            f"    return {instance}\n", module.config_for_parsing)
        body = list(module.body)
        function = function.with_changes(leading_lines=[cst.EmptyLine()] * 2)
        if index == 0 or not isinstance(body[index - 1], cst.FunctionDef | cst.ClassDef):
            body[index] = with_min_blanks(body[index], 2)
        body.insert(index, function)
        module = module.with_changes(body=body)
    return add_import(module.code, protocol_module, [protocol])


def _definition_call(module: cst.Module, class_name: str) -> tuple[int, cst.Call]:
    """The module-level ``name = ClassName(...)`` and its index in the body."""
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
            if isinstance(value, cst.Call) and callee_name(value.func) == class_name:
                return index, value
    raise CodemodError(f"no module-level `… = {class_name}(...)` to register the provider in")


def _appended(items: Sequence, new, opening: cst.BaseParenthesizableWhitespace) -> list:
    """``items`` (arguments or dict elements) with ``new`` after the last, laid out as they
    are: one per line with a trailing comma, or on one line."""
    last = items[-1]
    if isinstance(last.comma, cst.Comma):
        before_last = items[-2].comma if len(items) > 1 else cst.MaybeSentinel.DEFAULT
        separator = before_last if isinstance(before_last, cst.Comma) else (
            cst.Comma(whitespace_after=opening)
            if isinstance(opening, cst.ParenthesizedWhitespace)
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return [*items[:-1], last.with_changes(comma=separator),
                new.with_changes(comma=last.comma)]
    return [*items[:-1],
            last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            new]


def _one_per_line(call: cst.Call, indent: str) -> cst.Call:
    """``call`` with one argument per line, a trailing comma, and the closing parenthesis
    on a line of its own (at the indentation of the line the call starts on: level 0)."""
    def newline(level: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(),
                                           last_line=cst.SimpleWhitespace(level), indent=True)

    args = [a.with_changes(comma=cst.Comma(whitespace_after=newline(indent)))
            for a in call.args[:-1]]
    args.append(call.args[-1].with_changes(comma=cst.Comma(whitespace_after=newline(""))))
    return call.with_changes(args=args, whitespace_before_args=newline(indent))


def _longest_line(code: str) -> int:
    return max((len(line) for line in code.splitlines()), default=0)


# -- call sites -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    """A count query found in the source: the node replaced and the statement before which
    the provider is looked up."""

    replaced: cst.BaseExpression
    replacement: cst.BaseExpression
    statement: cst.CSTNode


def use_count_provider(
    source: str,
    *,
    models: Sequence[str],
    protocol: str,
    protocol_module: str,
    lookup_module: str,
    method: str,
    variable: str,
    lookup: str = "get_provider",
) -> str:
    """``source`` with every count query of ``models`` replaced by
    ``variable.method(session, attr=value, …) if variable else 0``, where ``variable`` is
    looked up once per function, before the first statement that counts. A ``… or 0``
    around the query goes with it. The imports the queries alone read are removed; a use of
    ``models`` left outside count queries is an error (the import could not go)."""
    wrapper = wrap_source(source)
    parents = wrapper.resolve(ParentNodeProvider)
    positions = wrapper.resolve(PositionProvider)
    sites: list[_Site] = []
    for call in _nodes(wrapper.module, cst.Call):
        match = _count_query(call, set(models))
        if match is None:
            continue
        session, filters = match
        replaced: cst.BaseExpression = call
        parent = parents.get(call)
        if isinstance(parent, cst.BooleanOperation) and parent.left is call \
                and isinstance(parent.operator, cst.Or) and _is_zero(parent.right):
            replaced, parent = parent, parents.get(parent)
        arguments = ", ".join([_code(session), *(f"{a}={_code(v)}" for a, v in filters)])
        replacement = cst.parse_expression(
            f"{variable}.{method}({arguments}) if {variable} else 0")
        if replaced.lpar:
            replacement = replacement.with_changes(lpar=replaced.lpar, rpar=replaced.rpar)
        elif not isinstance(parent, _NO_PARENS_NEEDED):
            replacement = replacement.with_changes(lpar=[cst.LeftParen()],
                                                   rpar=[cst.RightParen()])
        statement, scope = _enclosing(parents, call)
        if any(n.value == variable for n in _nodes(scope, cst.Name)):
            raise CodemodError(f"line {positions[call].start.line}: {variable} is already a "
                               "name there; rename it and run again")
        sites.append(_Site(replaced, replacement, statement))
    if not sites:
        raise CodemodError(f"no count query of {', '.join(models)} to rewrite")
    first: dict[int, cst.CSTNode] = {}
    for site in sites:
        block = parents[site.statement]
        current = first.get(id(block))
        if current is None or positions[site.statement].start.line < \
                positions[current].start.line:
            first[id(block)] = site.statement
    lookups = {id(s) for s in first.values()}
    statement_text = f"{variable} = {lookup}({protocol})\n"
    result = wrapper.module.visit(_Rewrite({id(s.replaced): s.replacement for s in sites},
                                           lookups, statement_text))
    text = drop_unused_imports(source, result.code)
    left = [m for m in models if m not in unused_names(text, [m])]
    if left:
        raise CodemodError(f"{', '.join(left)} is still read outside count queries; the "
                           "import cannot go")
    text = add_import(text, protocol_module, [protocol])
    return add_import(text, lookup_module, [lookup])


class _Rewrite(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, cst.BaseExpression], lookups: set[int],
                 statement: str) -> None:
        super().__init__()
        self.replacements = replacements
        self.lookups = lookups
        self.statement = statement

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        replacement = self.replacements.get(id(original_node))
        if replacement is not None:
            return replacement
        if isinstance(original_node, cst.IndentedBlock | cst.Module):
            return updated_node.with_changes(body=self._with_lookups(original_node.body,
                                                                     updated_node.body))
        return updated_node

    def _with_lookups(self, originals: Sequence[cst.CSTNode],
                      updated: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        body: list[cst.BaseStatement] = []
        for original, statement in zip(originals, updated, strict=True):
            if id(original) not in self.lookups:
                body.append(statement)
                continue
            lines = list(statement.leading_lines)
            blanks = 0
            while blanks < len(lines) and lines[blanks].comment is None:
                blanks += 1
            lookup = cst.parse_statement(self.statement)
            body.append(lookup.with_changes(leading_lines=lines[:blanks]))
            body.append(statement.with_changes(leading_lines=lines[blanks:]))
        return body


def _count_query(call: cst.Call, models: set[str]
                 ) -> tuple[cst.BaseExpression, list[tuple[str, cst.BaseExpression]]] | None:
    """The session and the ``(attribute, value)`` filters of a count query of ``models``."""
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "scalar"
            and not call.args):
        return None
    filters: list[tuple[str, cst.BaseExpression]] = []
    current = call.func.value
    model = None
    while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute) \
            and current.func.attr.value == "filter":
        for argument in current.args:
            pair = _equality(argument)
            if pair is None or argument.keyword is not None:
                return None
            owner, attribute, value = pair
            if model not in (None, owner):
                return None
            model = owner
            filters.append((attribute, value))
        current = current.func.value
    if not (isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute)
            and current.func.attr.value == "query" and len(current.args) == 1):
        return None
    counted = current.args[0].value
    if not (isinstance(counted, cst.Call) and _code(counted.func) in ("func.count",
                                                                      "sa.func.count")
            and len(counted.args) == 1 and isinstance(counted.args[0].value, cst.Attribute)
            and isinstance(counted.args[0].value.value, cst.Name)):
        return None
    owner = counted.args[0].value.value.value
    if owner not in models or model not in (None, owner):
        return None
    return current.func.value, sorted(filters, key=lambda f: f[0])


def _equality(argument: cst.Arg) -> tuple[str, str, cst.BaseExpression] | None:
    """``Model.attr == value`` as ``("Model", "attr", value)``."""
    test = argument.value
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)):
        return None
    left = test.left
    if not (isinstance(left, cst.Attribute) and isinstance(left.value, cst.Name)):
        return None
    return left.value.value, left.attr.value, test.comparisons[0].comparator


def _enclosing(parents, node: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode]:  # type: ignore[no-untyped-def]
    """The statement of the enclosing function's body (or of the module, or a class body)
    that holds ``node``, and that function (or module)."""
    statement = node
    current = node
    while True:
        parent = parents.get(current)
        if parent is None:
            return statement, current
        if isinstance(parent, cst.IndentedBlock | cst.Module):
            statement = current
            owner = parents.get(parent)
            if isinstance(parent, cst.Module):
                return statement, parent
            if isinstance(owner, cst.FunctionDef):
                return statement, owner
        current = parent


def _is_name(node: cst.CSTNode | None, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


def _is_zero(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Integer) and node.value == "0"


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _nodes(node: cst.CSTNode, kind: type[NodeT]) -> Iterator[NodeT]:
    """The nodes of ``kind`` in ``node``'s tree, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            yield current
        stack.extend(reversed(current.children))
