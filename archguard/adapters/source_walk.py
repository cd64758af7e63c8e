"""Walking a module's statements with the standard library's ``ast``, knowing for each where
it sits: in which function or class body, under ``if TYPE_CHECKING:``, inside a ``try``
whose handlers catch ImportError. The readers of imports and of string references both walk
this way, so the rules that decide whether and when a statement runs are written once:

- a function's (or lambda's) body runs when it is called, not where it is defined: the
  ``try`` around the definition does not guard it; decorators and defaults run where the
  function is defined;
- a class body runs where the class is defined;
- the body of ``if TYPE_CHECKING:`` never runs, nor anything defined in it; its ``else``
  runs as the ``if`` would;
- the body of a ``try`` whose handlers catch ImportError, ModuleNotFoundError (or a tuple
  holding either) degrades gracefully when an import fails; its handlers, ``else`` and
  ``finally`` do not.
"""

from __future__ import annotations

import ast
import codecs
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from archguard.domain.imports import ImportKind
from archguard.errors import SourceSyntaxError

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
_INLINE_IGNORE = re.compile(r"#\s*archguard:\s*ignore(?:\[([^\]]*)\])?[ \t]*(.*)$")
#: Statements with bodies, which the walk descends into.
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
            ast.TryStar, ast.Match, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Place:
    """Where a statement sits, as far as whether and when it runs."""

    #: The names of the enclosing functions and classes, outermost first.
    scope: tuple[str, ...] = ()
    #: The qualified name (``Class.method``) of the innermost function, if any.
    function: str | None = None
    #: The qualified name of the class whose body holds the statement, outside any function.
    holder: str | None = None
    type_checking: bool = False
    guarded: bool = False

    def in_function(self, name: str) -> Place:
        qualified = ".".join([*self.scope, name])
        return Place((*self.scope, name), qualified, None, self.type_checking, False)

    def in_lambda(self) -> Place:
        function = self.function or ".".join([*self.scope, "<lambda>"])
        return Place(self.scope, function, None, self.type_checking, False)

    def in_class(self, name: str) -> Place:
        holder = ".".join([*self.scope, name]) if self.function is None else None
        return replace(self, scope=(*self.scope, name), holder=holder)

    def under_type_checking(self) -> Place:
        return replace(self, type_checking=True)

    def under_guard(self) -> Place:
        return replace(self, guarded=True)

    @property
    def import_kind(self) -> ImportKind:
        """The kind of an import statement here."""
        if self.type_checking:
            return ImportKind.TYPE_CHECKING
        if self.guarded:
            return ImportKind.GUARDED
        return ImportKind.LAZY if self.function is not None else ImportKind.MODULE

    @property
    def string_kind(self) -> ImportKind:
        """The kind of a string reference here (its function is recorded apart)."""
        if self.type_checking:
            return ImportKind.TYPE_CHECKING
        return ImportKind.GUARDED if self.guarded else ImportKind.STRING


MODULE_LEVEL = Place()


class PlaceWalker:
    """Walks statements with their :class:`Place`. Subclasses act in the ``on_*`` hooks;
    the defaults descend into every body."""

    def walk_body(self, body: list[ast.stmt], place: Place) -> None:
        for node in body:
            self.walk_statement(node, place)

    def walk_statement(self, node: ast.stmt, place: Place) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            self.on_import(node, place)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.on_function(node, place)
        elif isinstance(node, ast.ClassDef):
            self.on_class(node, place)
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            self.walk_body(node.body, place.under_type_checking())
            self.walk_body(node.orelse, place)
        elif isinstance(node, ast.Try | ast.TryStar) and any(
                catches_import_error(handler) for handler in node.handlers):
            self.walk_body(node.body, place.under_guard())
            for handler in node.handlers:
                self.walk_body(handler.body, place)
            self.walk_body(node.orelse, place)
            self.walk_body(node.finalbody, place)
        elif isinstance(node, COMPOUND):
            self.on_compound(node, place)
        else:
            self.on_simple(node, place)

    def on_import(self, node: ast.Import | ast.ImportFrom, place: Place) -> None:
        """An import statement."""

    def on_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, place: Place) -> None:
        """A function definition: its decorators and defaults here, its body when called."""
        for expression in function_header(node):
            self.on_expression(expression, place)
        self.walk_body(node.body, place.in_function(node.name))

    def on_class(self, node: ast.ClassDef, place: Place) -> None:
        """A class definition: its header and body run here."""
        for expression in [*node.decorator_list, *node.bases, *node.keywords]:
            self.on_expression(expression, place)
        self.walk_body(node.body, place.in_class(node.name))

    def on_compound(self, node: ast.stmt, place: Place) -> None:
        """``if``/``for``/``while``/``with``/``try``/``match``: headers, then bodies."""
        for _name, value in ast.iter_fields(node):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ast.stmt):
                    self.walk_statement(item, place)
                elif isinstance(item, ast.ExceptHandler | ast.match_case):
                    if isinstance(item, ast.match_case) and item.guard is not None:
                        self.on_expression(item.guard, place)
                    self.walk_body(item.body, place)
                elif isinstance(item, ast.withitem):
                    self.on_expression(item.context_expr, place)
                elif isinstance(item, ast.expr):
                    self.on_expression(item, place)

    def on_simple(self, node: ast.stmt, place: Place) -> None:
        """A statement without a body, other than an import."""

    def on_expression(self, node: ast.AST, place: Place) -> None:
        """An expression that runs at ``place`` (a header, decorator, default or base)."""


def function_header(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """What runs where a function is defined: its decorators and default values."""
    return [expr for expr in [*node.decorator_list, *node.args.defaults,
                              *node.args.kw_defaults] if expr is not None]


def base_names(node: ast.ClassDef) -> tuple[str, ...]:
    """The last names of a class's bases: ``Base`` for ``Base`` and ``db.Base``."""
    names = []
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.append(base.id)
        elif isinstance(base, ast.Attribute):
            names.append(base.attr)
    return tuple(names)


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return False


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    """Whether an ``except`` clause catches ImportError or ModuleNotFoundError."""
    if handler.type is None:
        return False
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in caught:
        name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", None)
        if name in _IMPORT_ERRORS:
            return True
    return False


def inline_ignore(lines: list[str], first: int, last: int) -> tuple[tuple[str, ...] | None, str]:
    """The ``# archguard: ignore[id, ...] reason`` comment on lines ``first``..``last``:
    the contract ids (empty for every contract) and the reason; None when there is none."""
    for line in lines[first - 1:last]:
        match = _INLINE_IGNORE.search(line)
        if match:
            ids = tuple(i.strip() for i in (match.group(1) or "").split(",") if i.strip())
            return ids, match.group(2).strip()
    return None, ""


#: The stack and recursion limit of the thread that reads a file nested too deeply for the
#: interpreter's defaults (a 50,000-term sum is a tree 50,000 levels deep): ``ast`` and the
#: walks over its trees take well under 1 KB of stack a level, so 400,000 levels fit.
DEEP_STACK = 512 << 20
DEEP_RECURSION = 400_000

Read = TypeVar("Read")


def without_recursion_limit(read: Callable[[], Read], path: Path,
                            source: bytes | None = None) -> Read:
    """``read()``, which parses or walks the file ``path``; when the file is nested too
    deeply for the interpreter's stack, ``read()`` again in a thread with a stack and a
    recursion limit for :data:`DEEP_RECURSION` levels. A file deeper still, or a thread that
    cannot be started, is a :class:`SourceSyntaxError` naming the file and its longest line
    (where such nesting is written)."""
    try:
        return read()
    except RecursionError:
        pass
    outcome: dict[str, object] = {}

    def run() -> None:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, DEEP_RECURSION))
        try:
            outcome["value"] = read()
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error
        finally:
            sys.setrecursionlimit(limit)

    try:
        previous = threading.stack_size(DEEP_STACK)
        try:
            thread = threading.Thread(target=run, name="archguard-deep-source", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
        thread.join()
    except (RuntimeError, ValueError, MemoryError):
        outcome = {"error": RecursionError()}
    error = outcome.get("error")
    if isinstance(error, RecursionError | MemoryError):
        raise SourceSyntaxError(path, longest_line(path, source),
                                f"nested more than {DEEP_RECURSION:,} levels deep: too deep "
                                "to read") from None
    if isinstance(error, BaseException):
        raise error
    return outcome["value"]  # type: ignore[return-value]


def longest_line(path: Path, source: bytes | None = None) -> int | None:
    """The number of the longest line of the file, where deep nesting is written."""
    if source is None:
        try:
            source = path.read_bytes()
        except OSError:
            return None
    lines = source.split(b"\n")
    return max(range(len(lines)), key=lambda index: len(lines[index])) + 1


def parse_source(path: Path, source: bytes | None = None) -> ast.Module:
    """Parse ``path``; a syntax error becomes :class:`SourceSyntaxError` with its line, and
    so does a byte that is not UTF-8 in a file that declares no other encoding (see
    :func:`check_encoding`)."""
    data = path.read_bytes() if source is None else source
    check_encoding(path, data)
    try:
        return ast.parse(data, filename=str(path))
    except SyntaxError as exc:
        raise SourceSyntaxError(path, exc.lineno, exc.msg, exc.text) from None
    except ValueError as exc:  # null bytes
        raise SourceSyntaxError(path, None, str(exc)) from None


#: A PEP 263 coding declaration, read from the bytes of a line as Python's tokenizer reads it.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
#: A line after which the second line may still declare the encoding.
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r]|$)")


def check_encoding(path: Path, data: bytes) -> None:
    """Raise :class:`SourceSyntaxError` at the first byte of ``data`` that is not UTF-8,
    unless a coding declaration (PEP 263) names another encoding, which ``ast`` then decodes.

    Python refuses to import such a file, and grimp to read it, but ``ast.parse`` reads a
    stray byte in a comment without a word: the file would be checked as if it ran.
    """
    if data.isascii():
        return
    declared = _declared_encoding(data)
    if declared is not None:
        try:
            if not codecs.lookup(declared).name.startswith("utf-8"):
                return
        except LookupError:
            return  # ast.parse reports the unknown encoding
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len((data[:error.start] + b".").splitlines())
        raise SourceSyntaxError(
            path, line, f"not UTF-8 (byte 0x{data[error.start]:02x} at line {line})") from None


def _declared_encoding(data: bytes) -> str | None:
    """The encoding a coding declaration on the first line, or on the second after a blank
    or comment line, names; None when there is none."""
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match is not None:
            return match.group(1).decode("ascii")
        if not _BLANK_OR_COMMENT.match(line):
            return None
    return None
