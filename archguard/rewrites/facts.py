"""What the recipes need to know of a file with violations, read from its source with
``ast``: where each imported name is used and how (evaluated at run time, or only in an
annotation, and then whether something evaluates that annotation anyway), the functions and
what they read, the classes and their relationships."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

#: Decorator methods that register a FastAPI (or Starlette) route: the framework reads the
#: function's signature, annotations included, when the route is declared.
_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options",
                            "trace", "api_route", "websocket", "route"})
#: Decorator methods of command-line frameworks that read signatures (typer, click).
_COMMAND_METHODS = frozenset({"command", "callback"})
_PYDANTIC_BASES = frozenset({"BaseModel", "BaseSettings", "RootModel", "SQLModel"})
_DATACLASS_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "attr.s",
                                   "dataclasses.dataclass", "attr.define", "attrs.define"})
_RELATIONSHIP_CALLS = frozenset({"relationship", "orm.relationship", "sa.orm.relationship",
                                 "db.relationship", "sqlalchemy.orm.relationship"})


@dataclass(frozen=True)
class NameUse:
    """One read of an imported name.

    ``annotation`` says the read is in an annotation; ``evaluated`` then says what evaluates
    that annotation at run time anyway (None: nothing does). ``count`` says the read is the
    argument of ``func.count(…)``; ``relationship`` names the attribute when the read is
    the target of a ``relationship(...)`` in a class body.
    """

    name: str
    line: int
    function: str | None
    annotation: bool = False
    evaluated: str | None = None
    count: bool = False
    relationship: str | None = None

    @property
    def at_run_time(self) -> bool:
        return not self.annotation or self.evaluated is not None


@dataclass(frozen=True)
class FunctionFacts:
    """A function or method: its qualified name, lines, and the names it reads."""

    qualname: str
    line: int
    end_line: int
    names: frozenset[str]
    #: The names read in its body (not in its signature: annotations, defaults).
    body: frozenset[str]
    #: ``self.<name>`` attributes it reads (for methods), and the calls ``self.x(...)``.
    self_calls: frozenset[str]
    route: bool = False
    #: The source of the parameters and return annotation: ``(self, db: Session) -> int``.
    signature: str = ""
    docstring: str = ""


@dataclass(frozen=True)
class RelationshipFacts:
    """``attribute = relationship("Target", back_populates=...)`` in a class body."""

    owner: str
    attribute: str
    target: str
    line: int
    back_populates: str | None = None
    keywords: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportedName:
    """A name a file binds by an import: the absolute module, the name there, the line."""

    bound: str
    module: str
    name: str | None
    line: int
    function: str | None


@dataclass
class FileFacts:
    """What one file holds, for the recipes."""

    module: str
    future_annotations: bool = False
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    uses: dict[str, list[NameUse]] = field(default_factory=lambda: defaultdict(list))
    imports: list[ImportedName] = field(default_factory=list)
    relationships: list[RelationshipFacts] = field(default_factory=list)
    #: Module-level names the file defines (functions, classes, assignments).
    defines: set[str] = field(default_factory=set)
    #: Callers of each function or method by qualified name: ``{callee: {caller, ...}}``.
    calls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: The methods called on each name: ``{"stats_service": {"get_store_stats"}}``.
    attribute_calls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def uses_of(self, names: tuple[str, ...] | list[str]) -> list[NameUse]:
        return sorted((u for n in names for u in self.uses.get(n, ())),
                      key=lambda u: (u.line, u.name))


#: Annotation heads that wrap the class a ``Mapped[...]`` relationship points to.
_WRAPPERS = frozenset({"Mapped", "list", "List", "set", "Set", "Optional", "WriteOnlyMapped",
                       "DynamicMapped", "typing.Optional", "typing.List"})


def _mapped_class(annotation: ast.expr) -> ast.expr | None:
    """The class named by ``Mapped[list["Review"]]`` (SQLAlchemy 2.0's typed form, where
    ``relationship()`` takes its target from the annotation)."""
    node: ast.expr = annotation
    while isinstance(node, ast.Subscript) and _dotted(node.value) in _WRAPPERS:
        node = node.slice
    if isinstance(node, ast.BinOp):
        node = node.left if not (isinstance(node.left, ast.Constant)
                                 and node.left.value is None) else node.right
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return node
        return _mapped_class(inner) or node
    return node if isinstance(node, ast.Name | ast.Attribute) else None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


def _route_like(decorators: list[ast.expr]) -> str | None:
    """What reads the function's signature at run time, from its decorators, or None."""
    for decorator in decorators:
        dotted = _dotted(decorator)
        method = dotted.rpartition(".")[2]
        if "." in dotted and method in _ROUTE_METHODS:
            return "FastAPI reads the signature of the route {function}() when it is declared"
        if "." in dotted and method in _COMMAND_METHODS:
            return "the command framework reads the signature of {function}() at start-up"
    return None


class _Reader(ast.NodeVisitor):
    def __init__(self, facts: FileFacts, package: str) -> None:
        self.facts = facts
        self.package = package
        self.functions: list[str] = []
        self.classes: list[str] = []
        #: The names of the enclosing classes and functions, outermost first.
        self.scope: list[str] = []
        #: What evaluates annotations in the current context (a route, a pydantic class).
        self.evaluator: list[str | None] = [None]
        self.annotation = 0
        self.count = 0
        self.relationship: str | None = None
        self.names: list[set[str]] = []
        self.self_calls: list[set[str]] = []
        self.pydantic: set[str] = set()

    # -- scopes ----------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = ".".join([*self.scope, node.name])
        for decorator in node.decorator_list:
            self.visit(decorator)
        reader = _route_like(node.decorator_list)
        evaluator = reader.format(function=qualname) if reader else None
        self.evaluator.append(evaluator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.functions.append(qualname)
        self.scope.append(node.name)
        self.names.append(set())
        self.self_calls.append(set())
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                         *[a for a in (arguments.vararg, arguments.kwarg) if a]]:
            self._annotation(argument.annotation)
        self._annotation(node.returns)
        self.evaluator[-1] = None
        signature_names = self.names[-1]
        self.names[-1] = set()
        for statement in node.body:
            self.visit(statement)
        body = self.names.pop()
        names, self_calls = body | signature_names, self.self_calls.pop()
        self.functions.pop()
        self.scope.pop()
        self.evaluator.pop()
        for outer in self.names:
            outer.update(names)
        signature = "(" + ast.unparse(node.args) + ")"
        if node.returns is not None:
            signature += f" -> {ast.unparse(node.returns)}"
        self.facts.functions[qualname] = FunctionFacts(
            qualname=qualname, line=node.lineno, end_line=node.end_lineno or node.lineno,
            names=frozenset(names), body=frozenset(body), self_calls=frozenset(self_calls),
            route=bool(reader),
            signature=signature, docstring=ast.get_docstring(node) or "",
        )
        if not self.functions and not self.classes:
            self.facts.defines.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expression)
        bases = {_dotted(b).rpartition(".")[2] for b in node.bases}
        evaluator = None
        if bases & (_PYDANTIC_BASES | self.pydantic):
            self.pydantic.add(node.name)
            evaluator = f"pydantic evaluates the field annotations of {node.name}"
        elif any(_dotted(d) in _DATACLASS_DECORATORS for d in node.decorator_list):
            evaluator = f"the dataclass {node.name} reads its field annotations when created"
        if not self.functions and not self.classes:
            self.facts.defines.add(node.name)
        self.classes.append(node.name)
        self.scope.append(node.name)
        self.evaluator.append(evaluator)
        for statement in node.body:
            self.visit(statement)
        self.evaluator.pop()
        self.scope.pop()
        self.classes.pop()

    # -- statements ------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self.facts.imports.append(ImportedName(bound, alias.name, None, node.lineno,
                                                   self._function()))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        from archguard.domain.imports import absolute_name

        if node.module == "__future__":
            if any(a.name == "annotations" for a in node.names):
                self.facts.future_annotations = True
            return
        module = absolute_name(node.module or "", node.level, self.package) \
            if node.level else node.module
        for alias in node.names:
            self.facts.imports.append(ImportedName(alias.asname or alias.name, module or "",
                                                   alias.name, node.lineno, self._function()))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        evaluator = self.evaluator[-1]
        if "Mapped" in ast.unparse(node.annotation) and self.classes:
            evaluator = (f"SQLAlchemy evaluates the Mapped[...] annotations of "
                         f"{self.classes[-1]} when it maps the class")
        self.evaluator.append(evaluator if self.classes and not self.functions else None)
        self._annotation(node.annotation)
        self.evaluator.pop()
        if node.value is not None:
            self._assigned_value(node.target, node.value, node.annotation)
        if not self.functions and not self.classes and isinstance(node.target, ast.Name):
            self.facts.defines.add(node.target.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned_value(node.targets[0], node.value)
        if not self.functions and not self.classes:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.facts.defines.add(target.id)

    def _assigned_value(self, target: ast.expr, value: ast.expr,
                        annotation: ast.expr | None = None) -> None:
        if (self.classes and not self.functions and isinstance(target, ast.Name)
                and isinstance(value, ast.Call) and _dotted(value.func) in _RELATIONSHIP_CALLS):
            self._relationship(target.id, value, annotation)
            self.relationship = target.id
            self.visit(value)
            self.relationship = None
            return
        self.visit(target)
        self.visit(value)

    def _relationship(self, attribute: str, call: ast.Call,
                      annotation: ast.expr | None = None) -> None:
        first = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "argument"), None)
        if first is None and annotation is not None:
            first = _mapped_class(annotation)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            target = first.value
        elif first is not None:
            target = _dotted(first)
        else:
            return
        back = next((k.value for k in call.keywords if k.arg == "back_populates"), None)
        self.facts.relationships.append(RelationshipFacts(
            owner=self.classes[-1], attribute=attribute, target=target.rpartition(".")[2],
            line=call.lineno,
            back_populates=back.value if isinstance(back, ast.Constant) else None,
            keywords=tuple((k.arg, ast.unparse(k.value)) for k in call.keywords
                           if k.arg not in (None, "back_populates", "argument")),
        ))

    # -- expressions -----------------------------------------------------------------------

    def _annotation(self, node: ast.expr | None) -> None:
        if node is None:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return
            node = ast.increment_lineno(parsed, node.lineno - 1)
        self.annotation += 1
        self.visit(node)
        self.annotation -= 1

    def visit_Call(self, node: ast.Call) -> None:
        callee = _dotted(node.func)
        head, _, rest = callee.partition(".")
        if rest and "." not in rest:
            self.facts.attribute_calls[head].add(rest)
        if callee.endswith("count") and callee.startswith("func"):
            self.count += 1
            self.generic_visit(node)
            self.count -= 1
            return
        if self.functions and callee:
            head, _, attr = callee.partition(".")
            if head == "self" and attr and "." not in attr:
                self.self_calls[-1].add(attr)
                owner = self.classes[-1] if self.classes else ""
                self.facts.calls[f"{owner}.{attr}" if owner else attr].add(self.functions[-1])
            elif "." not in callee:
                self.facts.calls[callee].add(self.functions[-1])
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        if self.names:
            self.names[-1].add(node.id)
        in_annotation = self.annotation > 0
        evaluator = self.evaluator[-1] if in_annotation else None
        self.facts.uses[node.id].append(NameUse(
            name=node.id, line=node.lineno, function=self._function(),
            annotation=in_annotation, evaluated=evaluator, count=self.count > 0,
            relationship=self.relationship,
        ))

    def _function(self) -> str | None:
        return self.functions[-1] if self.functions else None


def file_facts(source: str, module: str, is_package: bool) -> FileFacts | None:
    """The facts of one file (``module`` its dotted name); None when it cannot be parsed."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    facts = FileFacts(module=module)
    package = module if is_package else module.rpartition(".")[0]
    reader = _Reader(facts, package)
    for statement in tree.body:
        reader.visit(statement)
    return facts
