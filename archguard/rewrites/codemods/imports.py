"""Import statements: take names out of one, add a ``from`` import, find imported names
nothing reads, and drop names from ``__all__``.

A *bound name* is what an import defines in its namespace: the ``as`` name if there is one,
else the imported name, and for ``import a.b`` the top package ``a``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
)

from archguard.rewrites.codemods import CodemodError

AnyImport = cst.Import | cst.ImportFrom
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement

ItemT = TypeVar("ItemT", cst.ImportAlias, cst.BaseElement)
StatementT = TypeVar("StatementT", bound=cst.BaseStatement)

_READ_CONTEXTS = (ExpressionContext.LOAD, ExpressionContext.DEL)


# -- shared helpers -------------------------------------------------------------------------


def parse_source(source: str) -> cst.Module:
    """``source`` as a libcst module; a syntax error becomes a :class:`CodemodError`."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise CodemodError(f"line {error.raw_line}: cannot parse: {error.message}") from error


def wrap_source(source: str) -> MetadataWrapper:
    """``source`` parsed and wrapped for metadata (positions, parents, scopes)."""
    return MetadataWrapper(parse_source(source))


def bound_name(alias: cst.ImportAlias) -> str:
    """The name ``alias`` binds: its ``as`` name, else the first part of what it imports."""
    if alias.asname is not None:
        return cst.ensure_type(alias.asname.name, cst.Name).value
    return _dotted(alias.name).split(".")[0]


def bound_names(statement: AnyImport) -> list[str]:
    """The names ``statement`` binds, in order (none for ``from x import *``)."""
    return [bound_name(alias) for alias in aliases_of(statement)]


def aliases_of(statement: AnyImport) -> Sequence[cst.ImportAlias]:
    """The names ``statement`` imports (none for ``from x import *``)."""
    return [] if isinstance(statement.names, cst.ImportStar) else statement.names


def callee_name(func: cst.BaseExpression) -> str | None:
    """The last name of what a call calls: ``relationship`` for ``orm.relationship(...)``."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def with_min_blanks(statement: StatementT, count: int) -> StatementT:
    """``statement`` with at least ``count`` blank lines above it (and its comments)."""
    lines = list(statement.leading_lines)
    present = 0
    while present < len(lines) and lines[present].comment is None:
        present += 1
    if present >= count:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * (count - present)
                                  + lines)


def module_name(statement: cst.ImportFrom) -> str:
    """The module of a ``from`` import as written, with its leading dots: ``..models``."""
    dots = "." * len(statement.relative)
    return dots + (_dotted(statement.module) if statement.module is not None else "")


def imports_at(wrapper: MetadataWrapper, line: int) -> list[AnyImport]:
    """The import statements of ``wrapper.module`` that start on ``line``."""
    positions = wrapper.resolve(PositionProvider)
    found = [
        (position.start.column, node)
        for node, position in positions.items()
        if isinstance(node, AnyImport) and position.start.line == line
    ]
    return [node for _, node in sorted(found, key=lambda item: item[0])]


def line_text(source: str, line: int) -> str:
    """Line ``line`` of ``source`` without surrounding whitespace ('' past the end)."""
    lines = source.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def is_type_checking_test(test: cst.BaseExpression) -> bool:
    """Whether an ``if`` test is ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    name = get_full_name_for_node(test)
    return name is not None and (name == "TYPE_CHECKING" or name.endswith(".TYPE_CHECKING"))


def imported_names(module: cst.Module) -> dict[str, str]:
    """The names module-level import statements bind, each with the module it comes from
    (``import a.b`` binds ``a``, from ``a``; ``import a.b as c`` binds ``c``, from ``a.b``)."""
    names: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom):
                    origin = module_name(small)
                    names.update(dict.fromkeys(bound_names(small), origin))
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = _dotted(alias.name)
                        names[bound_name(alias)] = dotted if alias.asname else dotted.split(".")[0]
    return names


def is_type_checking_block(statement: cst.CSTNode) -> bool:
    """Whether ``statement`` is an ``if TYPE_CHECKING:`` block."""
    return isinstance(statement, cst.If) and is_type_checking_test(statement.test)


def import_insertion_index(module: cst.Module) -> int:
    """Where a new module-level import goes: after the last import at the top of the file
    (after the docstring when there is none; at the very top without a docstring)."""
    index = 0
    for position, statement in enumerate(module.body):
        if position == 0 and _is_docstring(statement):
            index = 1
        elif _is_import_line(statement):
            index = position + 1
        elif not is_type_checking_block(statement):
            break
    return index


def insert_statement(module: cst.Module, statement: Statement) -> cst.Module:
    """``module`` with ``statement`` added at :func:`import_insertion_index`. A blank line
    separates it from what is around it (two from a function or class after it), except
    an import from the imports next to it."""
    index = import_insertion_index(module)
    body = list(module.body)
    is_import = _is_import_line(statement)
    if index > 0 and not (is_import and _is_plain_import_line(body[index - 1])):
        statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
    if index < len(body) and not (is_import and _is_import_line(body[index])):
        following = body[index]
        wanted = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
        present = 0
        while present < len(following.leading_lines) and \
                following.leading_lines[present].comment is None:
            present += 1
        if present < wanted:
            lines = [cst.EmptyLine()] * (wanted - present) + list(following.leading_lines)
            body[index] = following.with_changes(leading_lines=lines)
    body.insert(index, statement)
    return module.with_changes(body=body)


def extend_from_import(statement: cst.ImportFrom, names: Sequence[str]) -> cst.ImportFrom:
    """``statement`` with ``names`` appended, in the layout it already has (one line, or one
    name a line inside parentheses)."""
    aliases = list(aliases_of(statement))
    if not names:
        return statement
    last = aliases[-1]
    separator = _separator(statement, aliases)
    last_comma, closing = _last_commas(statement, last, separator)
    added = [cst.ImportAlias(name=cst.Name(name), comma=separator) for name in names]
    added[-1] = added[-1].with_changes(comma=closing)
    last = last.with_changes(comma=last_comma)
    return statement.with_changes(names=[*aliases[:-1], last, *added])


# -- remove_import --------------------------------------------------------------------------


def remove_import(source: str, line: int, names: Sequence[str] | None = None) -> str:
    """Remove ``names`` (bound names) from the import statement starting on ``line``, or the
    whole statement when ``names`` is None or nothing would be left of it.

    The statement's line goes with it; comments above it are kept. A block left empty gets
    ``pass``, except an ``if TYPE_CHECKING:`` block, which is removed. Names the statement does
    not bind (any more) leave the source unchanged.
    """
    wrapper = wrap_source(source)
    targets = imports_at(wrapper, line)
    wanted = None if names is None else set(names)
    if not targets:
        if wanted is not None and not wanted & _all_bound_names(wrapper.module):
            return source
        found = line_text(source, line)
        raise CodemodError(f"line {line}: expected an import statement, found {found!r}")
    if wanted is not None and not any(wanted & set(bound_names(t)) for t in targets):
        return source
    result = wrapper.visit(_ImportRemover(targets, wanted))
    return result.code if result.body or result.code.strip() else ""


class _ImportRemover(cst.CSTTransformer):
    """Takes names out of the target imports and tidies the statements and blocks left."""

    METADATA_DEPENDENCIES = (ParentNodeProvider,)

    def __init__(self, targets: Iterable[AnyImport], names: set[str] | None) -> None:
        super().__init__()
        self._targets = {id(target) for target in targets}
        self._names = names
        self._gone: set[int] = set()
        self._drop_ifs: set[int] = set()

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.BaseSmallStatement | cst.RemovalSentinel:
        return self._shrink(original_node, updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.BaseSmallStatement | cst.RemovalSentinel:
        return self._shrink(original_node, updated_node)

    def _shrink(self, original: AnyImport, updated: AnyImport) -> AnyImport | cst.RemovalSentinel:
        if id(original) not in self._targets:
            return updated
        if self._names is None or isinstance(updated.names, cst.ImportStar):
            return cst.RemovalSentinel.REMOVE
        aliases = list(updated.names)
        kept = [alias for alias in aliases if bound_name(alias) not in self._names]
        if not kept:
            return cst.RemovalSentinel.REMOVE
        if kept[-1] is aliases[-1]:
            return updated.with_changes(names=kept)
        if isinstance(updated, cst.ImportFrom) and updated.rpar is not None:
            kept, closer = shorten(kept, aliases[-1], updated.rpar.whitespace_before)
            rpar = updated.rpar.with_changes(whitespace_before=closer)
            return updated.with_changes(names=kept, rpar=rpar)
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if not updated_node.body:
            self._gone.add(id(original_node))
            return cst.RemovalSentinel.REMOVE
        return updated_node.with_changes(body=_without_last_semicolon(original_node, updated_node))

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        if updated_node.body:
            return updated_node.with_changes(
                body=_without_last_semicolon(original_node, updated_node)
            )
        self._mark_empty(original_node)
        return updated_node.with_changes(body=[cst.Pass()])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, leftover = self._rebuild(original_node.body, updated_node.body)
        if body:
            return updated_node.with_changes(body=body, footer=_join(leftover, updated_node.footer))
        self._mark_empty(original_node)
        return updated_node.with_changes(
            body=[cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=leftover)]
        )

    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> cst.If | cst.RemovalSentinel:
        if id(original_node) in self._drop_ifs:
            self._gone.add(id(original_node))
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, leftover = self._rebuild(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body, footer=_join(leftover, updated_node.footer))

    def _mark_empty(self, block: cst.BaseSuite) -> None:
        parent = self.get_metadata(ParentNodeProvider, block)
        if not isinstance(parent, cst.If) or parent.orelse is not None:
            return
        holder = self.get_metadata(ParentNodeProvider, parent)
        in_body = isinstance(holder, cst.Module | cst.IndentedBlock)
        if in_body and is_type_checking_test(parent.test):
            self._drop_ifs.add(id(parent))

    def _rebuild(
        self,
        original: Sequence[cst.BaseStatement],
        updated: Sequence[cst.BaseStatement],
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """The statements left, each gone one's leading lines handed to the next; and the
        leading lines of gone statements at the end of the block."""
        remaining = iter(updated)
        body: list[cst.BaseStatement] = []
        pending: list[cst.EmptyLine] = []
        first_gone = False
        for statement in original:
            if id(statement) in self._gone:
                pending = _join(pending, _leading_lines(statement))
                first_gone = first_gone or not body
                continue
            current = next(remaining)
            if pending or (first_gone and not body):
                lines = _join(pending, _leading_lines(current))
                if not body:
                    lines = lines[_blank_run(lines) :]
                current = current.with_changes(leading_lines=lines)
                pending = []
            body.append(current)
        return body, pending


Closer = cst.BaseParenthesizableWhitespace | None


def shorten(
    kept: list[ItemT], last: ItemT, closer: Closer
) -> tuple[list[ItemT], Closer]:
    """``kept`` made a well-formed list after its old last item ``last`` was taken out, with
    the whitespace before the closing bracket: the new last item takes ``last``'s comma and
    keeps the comment on its own line."""
    own = kept[-1].comma
    mine = own.whitespace_after if isinstance(own, cst.Comma) else None
    comma = last.comma
    if isinstance(mine, cst.ParenthesizedWhitespace):
        theirs = comma.whitespace_after if isinstance(comma, cst.Comma) else None
        if isinstance(comma, cst.Comma) and isinstance(theirs, cst.ParenthesizedWhitespace):
            after = mine.with_changes(indent=theirs.indent, last_line=theirs.last_line)
            comma = comma.with_changes(whitespace_after=after)
        elif isinstance(closer, cst.ParenthesizedWhitespace):
            closer = mine.with_changes(indent=closer.indent, last_line=closer.last_line)
    shortened = list(kept[:-1])
    shortened.append(kept[-1].with_changes(comma=comma))
    return shortened, closer


def _leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.leading_lines
    return ()


def _without_last_semicolon(
    original: cst.SimpleStatementLine | cst.SimpleStatementSuite,
    updated: cst.SimpleStatementLine | cst.SimpleStatementSuite,
) -> list[cst.BaseSmallStatement]:
    body = list(updated.body)
    if len(body) < len(original.body):
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return body


def _join(first: Sequence[cst.EmptyLine], second: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """``first`` then ``second``, where blank lines meet keeping only the longer run."""
    first, second = list(first), list(second)
    overlap = min(_blank_run(reversed(first)), _blank_run(second))
    return [*first[: len(first) - overlap], *second]


def _blank_run(lines: Iterable[cst.EmptyLine]) -> int:
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _all_bound_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for node in _walk(module):
        if isinstance(node, AnyImport):
            names.update(bound_names(node))
    return names


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


# -- add_import -----------------------------------------------------------------------------


def add_import(source: str, module: str, names: Sequence[str]) -> str:
    """Make sure ``from module import <names>`` is in effect at module level: add the names
    missing to an existing module-level ``from module import``, or add a new statement after
    the imports at the top of the file."""
    if not names:
        raise ValueError("add_import needs at least one name to import")
    tree = parse_source(source)
    present = _module_level_names(tree, module)
    missing = [name for name in dict.fromkeys(names) if name not in present]
    if not missing:
        return source
    body = list(tree.body)
    for index, statement in enumerate(body):
        extended = _extend_statement(statement, module, missing)
        if extended is not None:
            body[index] = extended
            return tree.with_changes(body=body).code
    new = cst.parse_statement(f"from {module} import {', '.join(missing)}\n")
    return insert_statement(tree, new).code


def _module_level_names(tree: cst.Module, module: str) -> set[str]:
    """Names bound by module-level ``from module import name`` under their own name."""
    names: set[str] = set()
    for statement in _module_level_from_imports(tree, module):
        for alias in aliases_of(statement):
            if alias.asname is None or bound_name(alias) == _dotted(alias.name):
                names.add(bound_name(alias))
    return names


def _module_level_from_imports(tree: cst.Module, module: str) -> list[cst.ImportFrom]:
    found: list[cst.ImportFrom] = []
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine):
            found.extend(
                small
                for small in statement.body
                if isinstance(small, cst.ImportFrom) and _is_from(small, module)
            )
    return found


def _is_from(node: cst.CSTNode, module: str) -> bool:
    return (
        isinstance(node, cst.ImportFrom)
        and not isinstance(node.names, cst.ImportStar)
        and module_name(node) == module
    )


def _extend_statement(
    statement: Statement, module: str, names: Sequence[str]
) -> cst.SimpleStatementLine | None:
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    for index, small in enumerate(statement.body):
        if _is_from(small, module):
            body = list(statement.body)
            body[index] = extend_from_import(cst.ensure_type(small, cst.ImportFrom), names)
            return statement.with_changes(body=body)
    return None


def _separator(statement: cst.ImportFrom, aliases: Sequence[cst.ImportAlias]) -> cst.Comma:
    """The comma (with what follows it) that goes between two names of ``statement``."""
    if len(aliases) >= 2 and isinstance(aliases[-2].comma, cst.Comma):
        return _plain_comma(aliases[-2].comma)
    after_paren = statement.lpar.whitespace_after if statement.lpar is not None else None
    if isinstance(after_paren, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_plain_whitespace(after_paren))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _last_commas(
    statement: cst.ImportFrom, last: cst.ImportAlias, separator: cst.Comma
) -> tuple[cst.Comma, cst.Comma | cst.MaybeSentinel]:
    """The comma for the name that was last, and the one for the new last name."""
    comma = last.comma
    between = separator.whitespace_after
    if (
        isinstance(comma, cst.Comma)
        and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(between, cst.ParenthesizedWhitespace)
    ):
        kept = comma.whitespace_after.with_changes(
            indent=between.indent, last_line=between.last_line
        )
        return comma.with_changes(whitespace_after=kept), _plain_comma(comma)
    closing = comma if statement.lpar is not None else cst.MaybeSentinel.DEFAULT
    return separator, closing


def _plain_comma(comma: cst.Comma) -> cst.Comma:
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        return comma.with_changes(whitespace_after=_plain_whitespace(after))
    return comma


def _plain_whitespace(whitespace: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """``whitespace`` without its comment and the lines between: a newline and the indent."""
    return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])


def _is_docstring(statement: Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_import_line(statement: Statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, AnyImport) for small in statement.body
    )


def _is_plain_import_line(statement: Statement) -> bool:
    """An import line that is not ``from __future__ import ...``."""
    return _is_import_line(statement) and not any(
        isinstance(small, cst.ImportFrom) and module_name(small) == "__future__"
        for small in cst.ensure_type(statement, cst.SimpleStatementLine).body
    )


# -- unused_names ---------------------------------------------------------------------------


def unused_names(source: str, names: Sequence[str]) -> list[str]:
    """Those of ``names`` nothing in ``source`` reads outside import statements. Reads in
    quoted annotations and entries of a module-level ``__all__`` count."""
    wrapper = wrap_source(source)
    reads = _Reads()
    wrapper.visit(reads)
    used = reads.names | set(_all_entries(wrapper.module))
    return [name for name in names if name not in used]


class _Reads(cst.CSTVisitor):
    """Collects the names read (loaded or deleted) outside import statements."""

    METADATA_DEPENDENCIES = (ExpressionContextProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._keywords: set[int] = set()
        self._annotations = 0

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._keywords.add(id(node.keyword))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.names.add(node.target.value)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotations += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._annotations -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._annotations and isinstance(node.evaluated_value, str):
            self.names.update(_names_in_expression(node.evaluated_value))

    def visit_Name(self, node: cst.Name) -> None:
        context = self.get_metadata(ExpressionContextProvider, node, None)
        if context in _READ_CONTEXTS and id(node) not in self._keywords:
            self.names.add(node.value)


def _names_in_expression(text: str) -> set[str]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


# -- __all__ --------------------------------------------------------------------------------


def module_imports(wrapper: MetadataWrapper) -> dict[str, int]:
    """Names bound by module-level imports (also in ``if``/``try`` blocks), to their line."""
    bound: dict[str, int] = {}
    for statement in _module_statements(wrapper.module.body):
        for small in statement.body:
            if isinstance(small, cst.Import | cst.ImportFrom):
                for name in bound_names(small):
                    bound.setdefault(name, wrapper.resolve(PositionProvider)[statement].start.line)
    return bound


def _module_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.SimpleStatementLine]:
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, cst.If | cst.Try | cst.Else | cst.ExceptHandler | cst.Finally):
            yield from _module_statements(_suite_statements(statement))


def _suite_statements(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for child in node.children:
        if isinstance(child, cst.IndentedBlock):
            found.extend(child.body)
        elif isinstance(child, cst.If | cst.Else | cst.ExceptHandler | cst.Finally):
            found.append(child)
    return found


def drop_unused_imports(before: str, after: str) -> str:
    """``after`` without the module-level imports of names that ``before`` read and
    ``after`` no longer does (an emptied ``if TYPE_CHECKING:`` block takes its name along)."""
    done = set(unused_names(before, list(module_imports(wrap_source(before)))))
    while True:
        bound = module_imports(wrap_source(after))
        gone = [name for name in unused_names(after, list(bound)) if name not in done]
        if not gone:
            return after
        by_line: dict[int, list[str]] = {}
        for name in gone:
            by_line.setdefault(bound[name], []).append(name)
        for line in sorted(by_line, reverse=True):
            after = remove_import(after, line, by_line[line])
        done.update(gone)


def drop_from_all(source: str, names: Sequence[str]) -> str:
    """Remove ``names`` from the module-level ``__all__ = [...]`` (or tuple); the source is
    unchanged when there is no ``__all__`` or it lists none of them."""
    tree = parse_source(source)
    unwanted = set(names)
    body = [_statement_without(statement, unwanted) for statement in tree.body]
    if all(new is old for new, old in zip(body, tree.body, strict=True)):
        return source
    return tree.with_changes(body=body).code


def _statement_without(statement: Statement, names: set[str]) -> Statement:
    if not isinstance(statement, cst.SimpleStatementLine):
        return statement
    body = [_assignment_without(small, names) for small in statement.body]
    if all(new is old for new, old in zip(body, statement.body, strict=True)):
        return statement
    return statement.with_changes(body=body)


def _assignment_without(
    small: cst.BaseSmallStatement, names: set[str]
) -> cst.BaseSmallStatement:
    value = _all_value(small)
    if value is None:
        return small
    new = _sequence_without(value, names)
    return small if new is value else small.with_changes(value=new)


def _all_value(small: cst.BaseSmallStatement) -> cst.List | cst.Tuple | None:
    """The list or tuple assigned to ``__all__`` by ``small``, if it is such an assignment."""
    if isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    elif isinstance(small, cst.AnnAssign | cst.AugAssign):
        targets = [small.target]
    else:
        return None
    is_all = any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets)
    value = getattr(small, "value", None)
    return value if is_all and isinstance(value, cst.List | cst.Tuple) else None


def _sequence_without(sequence: cst.List | cst.Tuple, names: set[str]) -> cst.List | cst.Tuple:
    elements = list(sequence.elements)
    kept = [element for element in elements if _entry(element) not in names]
    if len(kept) == len(elements):
        return sequence
    if not kept:
        return _empty(sequence)
    if kept[-1] is not elements[-1]:
        sequence = _shortened(sequence, kept, elements[-1])
        kept = list(sequence.elements)
    lone = len(kept) == 1 and not isinstance(kept[0].comma, cst.Comma)
    if isinstance(sequence, cst.Tuple) and lone:
        kept[0] = kept[0].with_changes(comma=cst.Comma())
    return sequence.with_changes(elements=kept)


def _shortened(
    sequence: cst.List | cst.Tuple, kept: list[cst.BaseElement], last: cst.BaseElement
) -> cst.List | cst.Tuple:
    if isinstance(sequence, cst.List):
        kept, closer = shorten(kept, last, sequence.rbracket.whitespace_before)
        rbracket = sequence.rbracket.with_changes(whitespace_before=closer)
        return sequence.with_changes(elements=kept, rbracket=rbracket)
    if not sequence.rpar:
        kept, _ = shorten(kept, last, None)
        return sequence.with_changes(elements=kept)
    rpar = sequence.rpar[-1]
    kept, closer = shorten(kept, last, rpar.whitespace_before)
    rpars = [*sequence.rpar[:-1], rpar.with_changes(whitespace_before=closer)]
    return sequence.with_changes(elements=kept, rpar=rpars)


def _empty(sequence: cst.List | cst.Tuple) -> cst.List | cst.Tuple:
    if isinstance(sequence, cst.List):
        return sequence.with_changes(
            elements=[], lbracket=cst.LeftSquareBracket(), rbracket=cst.RightSquareBracket()
        )
    return sequence.with_changes(elements=[], lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _entry(element: cst.BaseElement) -> str | None:
    value = element.value
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return value.evaluated_value
    return None


def _all_entries(module: cst.Module) -> list[str]:
    entries: list[str] = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                value = _all_value(small)
                if value is not None:
                    entries.extend(e for e in map(_entry, value.elements) if e is not None)
    return entries


def _dotted(node: cst.CSTNode) -> str:
    name = get_full_name_for_node(node)
    if name is None:
        raise CodemodError(f"cannot read the module name {cst.Module([]).code_for_node(node)!r}")
    return name
