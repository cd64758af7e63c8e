"""Reading a module's ``definition.py`` statically, with ``ast``. It is never imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from archguard.adapters.source_walk import without_recursion_limit
from archguard.domain.architecture import DefinitionReading
from archguard.domain.inventory import DefinitionFacts
from archguard.errors import SourceSyntaxError


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return _UNREADABLE


_UNREADABLE = object()


def read_definition(path: Path, package: str, reading: DefinitionReading) -> DefinitionFacts:
    """Find ``<variable> = <class_name>(...)`` in ``path`` and read its literal arguments."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        return DefinitionFacts(path, problems=(f"cannot read: {exc.strerror}",))
    return without_recursion_limit(lambda: _read(path, source, package, reading), path, source)


def _read(path: Path, source: bytes, package: str,
          reading: DefinitionReading) -> DefinitionFacts:
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise SourceSyntaxError(path, exc.lineno, exc.msg, exc.text) from None

    wanted = reading.variable_for(package)
    functions = tuple(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    candidates: list[tuple[str, ast.Call, int]] = []
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if not isinstance(value, ast.Call) or _call_name(value.func) != reading.class_name:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                candidates.append((target.id, value, node.lineno))

    if not candidates:
        return DefinitionFacts(
            path, functions=functions,
            problems=(f"no `{wanted} = {reading.class_name}(...)` found",),
        )
    chosen = next((c for c in candidates if c[0] == wanted), candidates[0])
    variable, call, line = chosen
    problems: list[str] = []
    if variable != wanted:
        problems.append(f"definition variable is `{variable}`, expected `{wanted}`")

    code = None
    flags: dict[str, bool] = {}
    requires: tuple[str, ...] | None = None
    requires_line = None
    flag_names = {flag for flag, _ in reading.category_flags}
    for keyword in call.keywords:
        if keyword.arg is None:
            problems.append(f"line {keyword.value.lineno}: **kwargs cannot be read statically")
            continue
        value = _literal(keyword.value)
        if keyword.arg == "code":
            if isinstance(value, str):
                code = value
            else:
                problems.append(f"line {keyword.lineno}: code is not a string literal")
        elif keyword.arg in flag_names:
            if isinstance(value, bool):
                flags[keyword.arg] = value
            else:
                problems.append(f"line {keyword.lineno}: {keyword.arg} is not True or False")
        elif keyword.arg == "requires":
            requires_line = keyword.lineno
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                requires = tuple(value)
            else:
                problems.append(f"line {keyword.lineno}: requires is not a list of strings")
    return DefinitionFacts(
        path=path,
        variable=variable,
        line=line,
        code=code,
        flags=flags,
        requires=requires if requires is not None else (() if requires_line is None else None),
        requires_line=requires_line,
        functions=functions,
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class DefinitionShape:
    """How a ``definition.py`` writes its definition, for a configuration to read it by:
    the variable and the class called, the keywords given True or False, whether it gives
    ``requires``, and the functions it defines."""

    variable: str
    class_name: str
    flags: tuple[str, ...]
    gives_requires: bool
    functions: tuple[str, ...]


def definition_shape(path: Path) -> DefinitionShape | None:
    """The shape of the first module-level ``name = Class(keyword=..., ...)`` of ``path``
    (one whose name ends in ``_module`` first); None when it has none or cannot be read."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    calls = [(target.id, node.value) for node in tree.body
             if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
             and node.value.keywords and _call_name(node.value.func)
             for target in node.targets if isinstance(target, ast.Name)]
    if not calls:
        return None
    variable, call = next((c for c in calls if c[0].endswith("_module")), calls[0])
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    flags = tuple(name for name, value in keywords.items()
                  if isinstance(value, ast.Constant) and isinstance(value.value, bool))
    functions = tuple(node.name for node in tree.body
                      if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))
    return DefinitionShape(variable, _call_name(call.func) or "", flags,
                           "requires" in keywords, functions)
