"""Moving functions and methods between modules.

:func:`extract` takes definitions out of a file, :func:`needed_imports` finds the imports
and module-level names they read there, :func:`insert` writes them into their new file
(into a class, when methods move) and :func:`retarget` points a caller's file at the new
place. Code travels as text: each definition or statement ends with a newline, methods
are dedented to column 0.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import (
    BuiltinAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import (
    add_import,
    bound_name,
    insert_statement,
    is_type_checking_test,
    module_name,
    parse_source,
    remove_import,
    unused_names,
    with_min_blanks,
)

_Body = cst.Module | cst.IndentedBlock
_Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
_Definition = TypeVar("_Definition", cst.FunctionDef, cst.ClassDef)
_BLANK = cst.EmptyLine(indent=False)


# ---------------------------------------------------------------------------- extract


def extract(source: str, qualnames: Sequence[str]) -> tuple[str, list[str]]:
    """Remove the functions (``name``) and methods (``Class.method``) named, returning the
    new source and each one's code, decorators and attached comments included."""
    module = parse_source(source)
    if module.body and module.header:
        first = module.body[0]
        first = first.with_changes(leading_lines=[*module.header, *first.leading_lines])
        module = module.with_changes(header=[], body=[first, *module.body[1:]])
    codes = []
    for qualname in dict.fromkeys(qualnames):
        module, code = _extract_one(module, qualname)
        codes.append(code)
    return module.code, codes


def _extract_one(module: cst.Module, qualname: str) -> tuple[cst.Module, str]:
    *classes, name = qualname.split(".")
    body: _Body = module
    indent = ""
    for depth, class_name in enumerate(classes):
        cls = _class_in(body, class_name)
        if cls is None or not isinstance(cls.body, cst.IndentedBlock):
            raise CodemodError(f"class {'.'.join(classes[: depth + 1])} not found")
        body = cls.body
        indent += _indent_of(module, body)
    indices = [i for i, s in enumerate(body.body) if _is_function(s, name)]
    if not indices:
        owner = f"class {'.'.join(classes)}" if classes else "the module"
        raise CodemodError(f"{owner} has no function {name!r} (looking for {qualname})")
    code = "\n".join(_code_of(module, _body_of(body)[i], indent) for i in indices)
    new_body = body
    for index in reversed(indices):
        new_body = remove_statement(new_body, index)
    if isinstance(new_body, cst.Module):
        return new_body, code
    return _replaced(module, body, new_body), code


def _code_of(module: cst.Module, node: _Statement, indent: str) -> str:
    node = node.with_changes(leading_lines=_attached(node.leading_lines))
    if indent:
        node = _reindent_docstrings(node, remove=indent)
    return module.code_for_node(node)


def remove_statement(body: _Body, index: int) -> _Body:
    """``body`` (a module or an indented block) without its statement ``index`` and the
    comments directly above it. The other lines above it go to the next statement, or to
    the footer; a block left empty gets ``pass``."""
    statements = _body_of(body)
    leftover = _detached(statements.pop(index).leading_lines)
    if index < len(statements):
        following = statements[index]
        statements[index] = following.with_changes(
            leading_lines=_joined(leftover, list(following.leading_lines))
        )
        return body.with_changes(body=statements)
    leftover = _strip_blank(leftover)
    if not statements and isinstance(body, cst.IndentedBlock):
        statements = [cst.SimpleStatementLine([cst.Pass()], leftover)]
        leftover = []
    return body.with_changes(body=statements, footer=[*leftover, *body.footer])


def _attached(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    return list(lines[len(_detached(lines)):])


def _detached(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    end = len(lines)
    while end > 0 and lines[end - 1].comment is not None:
        end -= 1
    return list(lines[:end])


def _strip_blank(lines: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    while lines and lines[-1].comment is None:
        lines = lines[:-1]
    return lines


def _joined(leftover: list[cst.EmptyLine], following: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    if following and following[0].comment is None:
        leftover = _strip_blank(leftover)
    return leftover + following


# ---------------------------------------------------------------------------- needed imports


@dataclass
class _Binding:
    """A top-level statement of the source and the names the moved code needs from it."""

    index: int
    statement: _Statement
    kind: str
    names: set[str] = field(default_factory=set)


def needed_imports(
    source: str, code: Sequence[str], *, source_module: str | None = None
) -> list[str]:
    """The imports of ``source`` the moved ``code`` reads, reduced to those names, then the
    module-level definitions of ``source`` it reads (with what they read in turn).

    Classes of ``source``, and instances made by calling them, are not copied: with
    ``source_module`` they are imported from it, without they are left out.
    """
    module = parse_source(source)
    table = _bindings(module)
    needed: dict[int, _Binding] = {}
    queue = _free_names(parse_source("\n".join(code)))
    seen: set[str] = set()
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        for binding in table.get(name, []):
            first = binding.index not in needed
            needed.setdefault(binding.index, binding).names.add(name)
            if first and binding.kind in ("definition", "type_checking"):
                queue.extend(_free_names(_as_module(module, binding.statement)))
    return _render_needed(module, sorted(needed.values(), key=lambda b: b.index), source_module)


def _render_needed(
    module: cst.Module, bindings: list[_Binding], source_module: str | None
) -> list[str]:
    imports = [_reduced_import(b) for b in bindings if b.kind == "import"]
    blocks = [_reduced_block(module, b) for b in bindings if b.kind == "type_checking"]
    shared = sorted(name for b in bindings if b.kind == "shared" for name in b.names)
    if shared and source_module:
        imports.append(f"from {source_module} import {', '.join(shared)}\n")
    definitions = [_with_comments(module, b.statement) for b in bindings if b.kind == "definition"]
    return [*imports, *blocks, *definitions]


def _with_comments(module: cst.Module, statement: _Statement) -> str:
    """The code of ``statement`` with the comments directly above it."""
    return module.code_for_node(statement.with_changes(
        leading_lines=_attached(statement.leading_lines)
    ))


def _bindings(module: cst.Module) -> dict[str, list[_Binding]]:
    """Module-level names of ``module`` to the top-level statements that bind them."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    top = {id(s): (i, s) for i, s in enumerate(module.body)}
    classes = {s.name.value for s in module.body if isinstance(s, cst.ClassDef)}
    global_scope = scopes[module]
    assert global_scope is not None
    table: dict[str, list[_Binding]] = {}
    made: dict[int, _Binding] = {}
    for assignment in global_scope.assignments:
        node = getattr(assignment, "node", None)
        if node is None:
            continue
        while id(node) not in top:
            node = parents[node]
        index, statement = top[id(node)]
        binding = made.setdefault(index, _Binding(index, statement, _kind(statement, classes)))
        table.setdefault(assignment.name, []).append(binding)
    return table


def _kind(statement: _Statement, classes: set[str]) -> str:
    if isinstance(statement, cst.SimpleStatementLine):
        if all(isinstance(s, cst.Import | cst.ImportFrom) for s in statement.body):
            return "import"
        if any(_makes_instance(s, classes) for s in statement.body):
            return "shared"
    if isinstance(statement, cst.ClassDef):
        return "shared"
    if _is_type_checking_block(statement):
        return "type_checking"
    return "definition"


def _is_type_checking_block(statement: _Statement) -> bool:
    return (
        isinstance(statement, cst.If)
        and is_type_checking_test(statement.test)
        and _imports_only(statement.body)
        and statement.orelse is None
    )


def _makes_instance(small: cst.BaseSmallStatement, classes: set[str]) -> bool:
    value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in classes
    )


def _imports_only(suite: cst.BaseSuite) -> bool:
    return isinstance(suite, cst.IndentedBlock) and all(
        isinstance(s, cst.SimpleStatementLine)
        and all(isinstance(i, cst.Import | cst.ImportFrom) for i in s.body)
        for s in suite.body
    )


def _reduced_import(binding: _Binding) -> str:
    assert isinstance(binding.statement, cst.SimpleStatementLine)
    lines = []
    for small in binding.statement.body:
        text = _reduce(small, binding.names)
        if text:
            lines.append(text + "\n")
    return "".join(lines)


def _reduce(node: cst.BaseSmallStatement, names: set[str]) -> str | None:
    assert isinstance(node, cst.Import | cst.ImportFrom)
    if isinstance(node.names, cst.ImportStar):
        return None
    kept = [_alias_text(alias) for alias in node.names if bound_name(alias) in names]
    if not kept:
        return None
    if isinstance(node, cst.Import):
        return f"import {', '.join(kept)}"
    head = f"from {module_name(node)} import "
    text = head + ", ".join(kept)
    if len(text) <= 100:
        return text
    return head + "(\n" + "".join(f"    {alias},\n" for alias in kept) + ")"


def _reduced_block(module: cst.Module, binding: _Binding) -> str:
    assert isinstance(binding.statement, cst.If)
    inner = _reduced_import(
        _Binding(0, _flatten_block(binding.statement.body), "import", binding.names)
    )
    test = cst.Module([]).code_for_node(binding.statement.test)
    body = "".join(f"{module.default_indent}{line}\n" for line in inner.splitlines())
    return f"if {test}:\n{body}"


def _flatten_block(suite: cst.BaseSuite) -> cst.SimpleStatementLine:
    assert isinstance(suite, cst.IndentedBlock)
    small = [s for line in suite.body if isinstance(line, cst.SimpleStatementLine)
             for s in line.body]
    return cst.SimpleStatementLine(small)


def _alias_text(alias: cst.ImportAlias) -> str:
    text = _code(alias.name)
    if alias.asname is not None:
        text += f" as {_code(alias.asname.name)}"
    return text


def _free_names(module: cst.Module) -> list[str]:
    """Names the code reads that it does not bind itself (builtins included), in order."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    accesses = {}
    for scope in set(scopes.values()):
        if scope is not None:
            accesses.update({id(access.node): access for access in scope.accesses})
    global_scope = scopes[module]
    assert global_scope is not None
    found: dict[str, None] = {}
    for node in _walk(module):
        access = accesses.get(id(node))
        if access is None:
            continue
        if isinstance(node, cst.Name):
            if all(isinstance(r, BuiltinAssignment) for r in access.referents):
                found[node.value] = None
        elif isinstance(node, cst.SimpleString):
            for name in _names_in_string(node):
                if not _bound_here(global_scope, name):
                    found[name] = None
    return list(found)


def _bound_here(scope: Scope, name: str) -> bool:
    assignments = scope.assignments[name]
    return bool(assignments) and not all(isinstance(a, BuiltinAssignment) for a in assignments)


def _names_in_string(node: cst.SimpleString) -> Iterator[str]:
    text = node.evaluated_value
    if not isinstance(text, str):
        return
    try:
        expression = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return
    yield from _names_read(expression)


def _names_read(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, cst.Attribute):
        yield from _names_read(node.value)
    elif isinstance(node, cst.SimpleString):
        yield from _names_in_string(node)
    else:
        for child in node.children:
            yield from _names_read(child)


# ---------------------------------------------------------------------------- insert


def insert(
    destination: str | None,
    code: Sequence[str],
    imports: Sequence[str],
    *,
    class_name: str | None = None,
    instance: str | None = None,
    module_doc: str = "",
    future: bool = True,
    class_doc: str | None = None,
    first_party: Sequence[str] = (),
) -> str:
    """The destination's new text with ``imports`` merged in and ``code`` added: into class
    ``class_name`` (made at the end, with ``instance = ClassName()``, when missing) or as
    top-level definitions. What the destination already defines is not added again.

    ``imports`` may hold module-level definitions too (as :func:`needed_imports` returns
    them): they go after the imports. ``destination`` None makes a new file: ``module_doc``,
    then ``from __future__ import annotations`` when ``future``, then the imports grouped
    as standard library, third party and ``first_party`` packages (and relative imports).
    """
    text = _new_file(module_doc, future) if destination is None else destination
    parse_source(text)
    statements = [s for item in imports for s in _statements(item)]
    module = parse_source(_merge_imports(text, statements))
    if destination is None:
        module = _grouped(module, first_party)
    definitions = [s for s in statements if _kind(s, set()) not in ("import", "type_checking")]
    module = _add_definitions(module, definitions)
    moved = [s for item in code for s in _statements(item)]
    if class_name is None:
        module = _append_top_level(module, moved)
    else:
        doc = class_doc if class_doc is not None else _default_doc(class_name)
        module = _add_methods(_ensure_class(module, class_name, doc), class_name, moved)
        if instance:
            module = _ensure_instance(module, class_name, instance)
    return module.with_changes(has_trailing_newline=True).code


def _merge_imports(text: str, statements: Sequence[_Statement]) -> str:
    for statement in statements:
        if _kind(statement, set()) == "import":
            text = _add_imports(text, statement)
    for statement in statements:
        if _kind(statement, set()) == "type_checking":
            text = _add_type_checking(text, statement)
    return text


def _grouped(module: cst.Module, first_party: Sequence[str]) -> cst.Module:
    """A blank line between the import groups of a new file's consecutive imports."""
    body = list(module.body)
    previous: int | None = None
    for index, statement in enumerate(body):
        group = _import_group(statement, first_party)
        if group is None:
            previous = None
            continue
        if previous is not None and group != previous:
            body[index] = with_min_blanks(statement, 1)
        previous = group
    return module.with_changes(body=body)


def _import_group(statement: _Statement, first_party: Sequence[str]) -> int | None:
    """0 for ``__future__``, 1 standard library, 2 third party, 3 first party; None when
    ``statement`` is not an import line."""
    if _kind(statement, set()) != "import":
        return None
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom):
        if small.relative:
            return 3
        top = module_name(small).split(".")[0]
    else:
        assert isinstance(small, cst.Import)
        top = _code(small.names[0].name).split(".")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    return 3 if top in first_party else 2


def _new_file(module_doc: str, future: bool) -> str:
    parts = []
    if module_doc:
        parts.append(_docstring(module_doc, ""))
    if future:
        parts.append("from __future__ import annotations\n")
    return "\n".join(parts)


def _docstring(text: str, indent: str) -> str:
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" not in text:
        return f'{indent}"""{text}"""\n'
    lines = [f"{indent}{line}" if line.strip() else "" for line in text.splitlines()[1:]]
    return f'{indent}"""{text.splitlines()[0]}\n' + "\n".join(lines) + f'\n{indent}"""\n'


def _default_doc(class_name: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in class_name).strip()
    return words[:1].upper() + words[1:] + "."


def _add_imports(text: str, statement: _Statement) -> str:
    """Merge the imports of one statement: plain names through :func:`add_import`, ``as``
    names and ``import x`` as statements of their own when not yet there."""
    assert isinstance(statement, cst.SimpleStatementLine)
    for small in statement.body:
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            plain = [_code(a.name) for a in small.names if a.asname is None]
            if plain:
                text = add_import(text, module_name(small), plain)
            for alias in small.names:
                if alias.asname is not None:
                    text = _add_alias(text, f"from {module_name(small)} import", alias)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                text = _add_alias(text, "import", alias)
    return text


def _add_alias(text: str, head: str, alias: cst.ImportAlias) -> str:
    module = parse_source(text)
    wanted = f"{head} {_alias_text(alias)}"
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine) and any(
            _has_alias(small, head, alias) for small in line.body
        ):
            return text
    return insert_statement(module, cst.parse_statement(wanted + "\n")).code


def _has_alias(small: cst.BaseSmallStatement, head: str, alias: cst.ImportAlias) -> bool:
    if not isinstance(small, cst.Import | cst.ImportFrom):
        return False
    if isinstance(small.names, cst.ImportStar):
        return False
    own = "import" if isinstance(small, cst.Import) else f"from {module_name(small)} import"
    return own == head and any(_alias_text(a) == _alias_text(alias) for a in small.names)


def _add_type_checking(text: str, block: _Statement) -> str:
    assert isinstance(block, cst.If) and isinstance(block.body, cst.IndentedBlock)
    module = parse_source(text)
    bound = _module_names(module)
    existing = next((s for s in module.body if _is_type_checking_block(s)), None)
    wanted = [line for line in block.body.body if not _names_of(line) <= bound]
    if not wanted:
        return text
    if existing is None:
        new_block = block.with_changes(body=block.body.with_changes(body=wanted))
        return _insert_after_imports(module, [new_block], blank_before=True).code
    assert isinstance(existing, cst.If) and isinstance(existing.body, cst.IndentedBlock)
    merged = existing.body.with_changes(body=[*existing.body.body, *wanted])
    return _replaced(module, existing.body, merged).code


def _add_definitions(module: cst.Module, definitions: list[_Statement]) -> cst.Module:
    bound = _module_names(module)
    new = [d for d in definitions if not _names_of(d) <= bound]
    if not new:
        return module
    return _insert_after_imports(module, new, blank_before=True)


def _insert_after_imports(
    module: cst.Module, statements: list[_Statement], *, blank_before: bool
) -> cst.Module:
    """``statements`` after the module's docstring, ``__future__`` and other imports."""
    body = list(module.body)
    at = _after_imports(body)
    spaced: list[_Statement] = []
    for statement in statements:
        previous = spaced[-1] if spaced else (body[at - 1] if at else None)
        blanks = _blank_lines(previous, statement, first=not spaced and blank_before)
        spaced.append(_with_blanks(statement, blanks if previous is not None else 0))
    if at < len(body):
        last = spaced[-1]
        body[at] = with_min_blanks(body[at], _blank_lines(last, body[at], first=True))
    return module.with_changes(body=[*body[:at], *spaced, *body[at:]])


def _after_imports(body: list[_Statement]) -> int:
    at = 0
    for index, statement in enumerate(body):
        if _kind(statement, set()) in ("import", "type_checking") or (
            index == 0 and _is_docstring(statement)
        ):
            at = index + 1
    return at


def _blank_lines(
    previous: _Statement | None, statement: _Statement, *, first: bool
) -> int:
    if previous is None:
        return 0
    compound = (cst.FunctionDef, cst.ClassDef)
    if isinstance(statement, compound) or isinstance(previous, compound):
        return 2
    if first or _kind(previous, set()) != _kind(statement, set()):
        return 1
    return 0


def _with_blanks(statement: _Statement, count: int) -> _Statement:
    comments = _attached(statement.leading_lines)
    return statement.with_changes(leading_lines=[_BLANK] * count + comments)


def _append_top_level(module: cst.Module, moved: list[_Statement]) -> cst.Module:
    """``moved`` at the end of the module, but for what it already defines (the getter and
    setter of a property, both new, are both added)."""
    body = list(module.body)
    present = _module_names(module)
    for statement in moved:
        if _names_of(statement) <= present:
            continue
        blanks = _blank_lines(body[-1], statement, first=True) if body else 0
        body.append(_with_blanks(statement, blanks))
    return module.with_changes(body=body)


def _ensure_class(module: cst.Module, class_name: str, doc: str) -> cst.Module:
    if _class_in(module, class_name) is not None:
        return module
    text = f"class {class_name}:\n{_docstring(doc, module.default_indent)}"
    cls = cst.parse_statement(text, module.config_for_parsing)
    return _append_top_level(module, [cls])


def _add_methods(
    module: cst.Module, class_name: str, moved: list[_Statement]
) -> cst.Module:
    cls = _class_in(module, class_name)
    if cls is None or not isinstance(cls.body, cst.IndentedBlock):
        raise CodemodError(f"class {class_name} has no indented body to add methods to")
    block = cls.body
    present = {name for statement in block.body for name in _names_of(statement)}
    indent = _indent_of(module, block)
    new = [_reindent_docstrings(s, add=indent) for s in moved if not _names_of(s) <= present]
    if not new:
        return module
    statements = [s for s in _body_of(block) if not _is_placeholder(s)]
    for statement in new:
        statements.append(_with_blanks(statement, 1 if statements else 0))
    return _replaced(module, block, block.with_changes(body=statements))


def _ensure_instance(module: cst.Module, class_name: str, instance: str) -> cst.Module:
    if instance in _module_names(module):
        return module
    body = list(module.body)
    cls = _class_in(module, class_name)
    assert cls is not None
    at = body.index(cls) + 1
    line = _with_blanks(cst.parse_statement(f"{instance} = {class_name}()\n"), 2)
    if at < len(body):
        body[at] = with_min_blanks(body[at], 2)
    return module.with_changes(body=[*body[:at], line, *body[at:]])


def _is_placeholder(statement: _Statement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Pass) or (
        isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis)
    )


# ---------------------------------------------------------------------------- retarget


def retarget(
    source: str,
    old_module: str,
    old_name: str,
    new_module: str,
    new_name: str,
    attributes: Sequence[str],
) -> str:
    """Point a caller at the new place: ``old_name.attr`` for ``attr`` in ``attributes``
    becomes ``new_name.attr``; with no attributes every use of ``old_name`` (a function
    imported directly) does. Imports follow; the old one goes when no longer used."""
    wrapper = MetadataWrapper(parse_source(source))
    local = _imported_as(wrapper.module, old_module, old_name)
    if local is None:
        return source
    references = _references(wrapper, local)
    parents = wrapper.resolve(ParentNodeProvider)
    if attributes:
        targets = [n for n in references if _reads_attribute(parents.get(n), n, attributes)]
        replacement = new_name
    else:
        targets = references
        replacement = local if local != old_name else new_name
    if not targets and attributes:
        return source
    renamed = wrapper.module.visit(_Renamer({id(node) for node in targets}, replacement))
    assert isinstance(renamed, cst.Module)
    text = renamed.code
    drop = not attributes or local in unused_names(text, [local])
    if not drop and local == new_name:
        raise CodemodError(
            f"line {_import_line(text, old_module, old_name)}: {local} would be imported "
            f"from both {old_module} and {new_module}"
        )
    text = _import_from(text, new_module, new_name, replacement)
    return _drop_binding(text, old_module, old_name, local) if drop else text


def _import_from(text: str, module: str, name: str, local: str) -> str:
    if local == name:
        return add_import(text, module, [name])
    alias = cst.ImportAlias(cst.Name(name), asname=cst.AsName(cst.Name(local)))
    return _add_alias(text, f"from {module} import", alias)


class _Renamer(cst.CSTTransformer):
    """Replaces the ``Name`` nodes given by identity with another name."""

    def __init__(self, targets: set[int], name: str) -> None:
        super().__init__()
        self.targets = targets
        self.name = name

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.name) if id(original) in self.targets else updated


def _imported_as(module: cst.Module, old_module: str, old_name: str) -> str | None:
    """The local name of ``from old_module import old_name`` at module level, if any."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            if module_name(small) != old_module:
                continue
            for alias in small.names:
                if _code(alias.name) == old_name:
                    return bound_name(alias)
    return None


def _references(wrapper: MetadataWrapper, local: str) -> list[cst.Name]:
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[wrapper.module]
    assert global_scope is not None
    found: list[cst.Name] = []
    for assignment in global_scope.assignments[local]:
        node = getattr(assignment, "node", None)
        if isinstance(node, cst.ImportAlias | cst.ImportFrom):
            found.extend(
                a.node for a in assignment.references if isinstance(a.node, cst.Name)
            )
    return found


def _reads_attribute(parent: cst.CSTNode | None, node: cst.Name, attributes: Sequence[str]) -> bool:
    return (
        isinstance(parent, cst.Attribute)
        and parent.value is node
        and parent.attr.value in attributes
    )


def _drop_binding(text: str, old_module: str, old_name: str, local: str) -> str:
    line = _import_line(text, old_module, old_name)
    return text if line is None else remove_import(text, line, [local])


def _import_line(text: str, old_module: str, old_name: str) -> int | None:
    """The line of the module-level ``from old_module import old_name``."""
    wrapper = MetadataWrapper(parse_source(text))
    positions = wrapper.resolve(PositionProvider)
    for statement in wrapper.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not isinstance(small.names, cst.ImportStar)
                and module_name(small) == old_module
                and any(_code(a.name) == old_name for a in small.names)
            ):
                return positions[statement].start.line
    return None


# ---------------------------------------------------------------------------- shared


def _statements(text: str) -> list[_Statement]:
    """The statements of ``text``; comments at its top stay with the first one."""
    module = parse_source(text)
    body = list(module.body)
    if body and module.header:
        body[0] = body[0].with_changes(leading_lines=[*module.header, *body[0].leading_lines])
    return body


def _body_of(body: _Body) -> list[_Statement]:
    return cast(list[_Statement], list(body.body))


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _as_module(module: cst.Module, statement: _Statement) -> cst.Module:
    return parse_source(module.code_for_node(statement))


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _replaced(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> cst.Module:
    result = module.deep_replace(old, new)
    assert isinstance(result, cst.Module)
    return result


def _class_in(body: _Body, name: str) -> cst.ClassDef | None:
    for statement in body.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return statement
    return None


def _indent_of(module: cst.Module, block: cst.IndentedBlock) -> str:
    return block.indent if block.indent is not None else module.default_indent


def _is_function(statement: cst.CSTNode, name: str) -> bool:
    return isinstance(statement, cst.FunctionDef) and statement.name.value == name


def _is_docstring(statement: _Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _module_names(module: cst.Module) -> set[str]:
    return {name for statement in module.body for name in _names_of(statement)}


def _names_of(statement: cst.CSTNode) -> set[str]:
    """Names a top-level statement binds: definitions, assignment targets, imports."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return {statement.name.value}
    names: set[str] = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            names |= _small_names(small)
        return names
    for child in statement.children:
        if isinstance(child, cst.IndentedBlock):
            for inner in child.body:
                names |= _names_of(inner)
        elif isinstance(child, cst.If | cst.Else | cst.ExceptHandler | cst.Finally):
            names |= _names_of(child)
    return names


def _small_names(small: cst.BaseSmallStatement) -> set[str]:
    if isinstance(small, cst.Import | cst.ImportFrom):
        if isinstance(small.names, cst.ImportStar):
            return set()
        return {bound_name(alias) for alias in small.names}
    targets: list[cst.BaseExpression] = []
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign | cst.AugAssign):
        targets = [small.target]
    return {n.value for t in targets for n in _walk(t) if isinstance(n, cst.Name)}


class _Docstrings(cst.CSTTransformer):
    """Re-indents the continuation lines of docstrings by ``remove`` or ``add``."""

    def __init__(self, remove: str, add: str) -> None:
        super().__init__()
        self.remove = remove
        self.add = add

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        return self._docstring_of(updated)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return self._docstring_of(updated)

    def _docstring_of(self, node: _Definition) -> _Definition:
        block = node.body
        if not isinstance(block, cst.IndentedBlock) or not block.body:
            return node
        first, *rest = _body_of(block)
        if not _is_docstring(first):
            return node
        assert isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr)
        string = first.body[0].value
        if not isinstance(string, cst.SimpleString) or "\n" not in string.value:
            return node
        value = self._shifted(string.value)
        if value == string.value:
            return node
        expr = first.body[0].with_changes(value=string.with_changes(value=value))
        line = first.with_changes(body=[expr])
        return node.with_changes(body=block.with_changes(body=[line, *rest]))

    def _shifted(self, value: str) -> str:
        head, *rest = value.split("\n")
        if self.remove:
            if any(line.strip() and not line.startswith(self.remove) for line in rest):
                return value
            rest = [line.removeprefix(self.remove) for line in rest]
        if self.add:
            rest = [self.add + line if line.strip() else line for line in rest]
        return "\n".join([head, *rest])


def _reindent_docstrings(
    node: _Statement, *, remove: str = "", add: str = ""
) -> _Statement:
    result = node.visit(_Docstrings(remove, add))
    assert isinstance(result, _Statement)
    return result
