"""Reading the string references of one file, with the standard library's ``ast``.

A call is recognised by what its callee resolves to through the file's own imports
(``importlib.import_module``, ``django.db.models.ForeignKey``), or by its name where the
callee cannot be resolved statically (``db.relationship`` on a Flask-SQLAlchemy object).
Files that mention none of the recognised names are never parsed: :func:`prefilter` looks
for them in the raw bytes first.

References take their kind from where they sit, as imports do: ``type_checking`` under
``if TYPE_CHECKING:``, ``guarded`` in a ``try`` that catches ImportError, else ``string``.

A settings module is also read for the Django settings that name code (``INSTALLED_APPS``,
``MIDDLEWARE``, ``ROOT_URLCONF``, …; see :data:`~archguard.domain.references.DJANGO_SETTINGS`):
each string of their literal values is a reference.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path

from archguard.adapters.comments import comment_lines
from archguard.adapters.source_walk import (
    COMPOUND,
    MODULE_LEVEL,
    Place,
    PlaceWalker,
    base_names,
    function_header,
    inline_ignore,
    parse_source,
    without_recursion_limit,
)
from archguard.domain.architecture import LoaderRule
from archguard.domain.imports import ImportKind
from archguard.domain.references import (
    APP_LABEL,
    AT_STARTUP,
    DJANGO_SETTINGS,
    MAPPED_CLASS,
    MODULE_PATH,
    OBJECT_PATH,
    TABLE,
    TABLE_COLUMN,
    FileStrings,
    MappedClass,
    StringReference,
)

#: relationship() keywords whose string is an expression over mapped classes.
_JOIN_KEYWORDS = ("primaryjoin", "secondaryjoin", "order_by", "foreign_keys", "remote_side")
_DJANGO_RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
_MAPPER_MARKS = {"__tablename__", "__table__", "__mapper_args__"}
_BUILTIN_TRIGGERS = (
    "import_module", "__import__", "find_spec", "resolve_name", "relationship",
    "dynamic_loader", "ForeignKey", "OneToOneField", "ManyToManyField", "Table",
    "AppConfig", *_MAPPER_MARKS,
)
#: Longest statement shown as the reference's statement; longer ones show just the call.
_STATEMENT_WIDTH = 160
_SETTING = re.compile(r"[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class ScanRules:
    """What to look for: the configured loaders, and the project's root package (for the
    dotted paths of definition files)."""

    root_package: str
    loaders: tuple[LoaderRule, ...] = ()
    #: Whether settings modules are configured, so ``loader(settings.NAME)`` is worth keeping.
    settings: bool = False

    def _names(self) -> str:
        names = {*_BUILTIN_TRIGGERS, *(rule.function.rsplit(".", 1)[-1] for rule in self.loaders)}
        return "|".join(sorted(map(re.escape, names)))

    def prefilter(self) -> re.Pattern[bytes]:
        """Matches the raw bytes of a file worth parsing."""
        return re.compile(self._names().encode())

    def line_pattern(self) -> re.Pattern[str]:
        """Matches a line worth reading closely: one that mentions a recognised name, or
        defines a class (every class is recorded, for mapped subclasses)."""
        return re.compile(self._names() + r"|\bclass\b")

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rules would read a file differently (keys a scan cache)."""
        return repr((SCANNER_VERSION, self.root_package, self.loaders, self.settings))


SCANNER_VERSION = 8


def scan_strings(path: Path, data: bytes, rules: ScanRules, *, definition: bool = False,
                 settings: bool = False, tree: ast.Module | None = None) -> FileStrings:
    """The string references, classes, tables and (for settings modules) string constants
    of one file. ``definition`` also reads the dotted project paths a definition file gives
    as strings; ``settings`` the strings of the Django settings that name code."""
    return without_recursion_limit(
        lambda: _scan_strings(path, data, rules, definition, settings, tree), path, data)


def _scan_strings(path: Path, data: bytes, rules: ScanRules, definition: bool, settings: bool,
                  tree: ast.Module | None) -> FileStrings:
    tree = tree if tree is not None else parse_source(path, data)
    lines = data.decode("utf-8", errors="replace").splitlines()
    scanner = _Scanner(comment_lines(data, lines), rules,
                       _hot_lines(lines, rules, everything=definition),
                       _future_annotations(tree), definition)
    scanner.walk_body(tree.body, MODULE_LEVEL)
    constants = ()
    if settings:
        constants = _constants(tree)
        reader = _SettingsReader(comment_lines(data, lines))
        reader.walk_body(tree.body, MODULE_LEVEL)
        scanner.found += reader.found
    return FileStrings(
        references=tuple(sorted(scanner.found, key=lambda r: (r.line, r.column))),
        classes=tuple(scanner.classes), tables=tuple(scanner.tables), constants=constants,
        apps=tuple(scanner.apps),
    )


def _bind(aliases: dict[str, str], node: ast.Import | ast.ImportFrom) -> None:
    """Record what an import statement binds: local name → dotted name."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                aliases[top] = top
        return
    base = "." * node.level + (node.module or "")
    separator = "." if node.module else ""
    for alias in node.names:
        aliases[alias.asname or alias.name] = f"{base}{separator}{alias.name}"


def _hot_lines(lines: list[str], rules: ScanRules, everything: bool) -> list[int]:
    """Running count of the lines that mention a recognised name: ``counts[n]`` is how many
    of lines 1..n do (``counts[0]`` is 0)."""
    pattern = rules.line_pattern()
    renamed = {m.group(1) for line in lines if " as " in line
               for m in re.finditer(rf"(?:{pattern.pattern})\s+as\s+([A-Za-z_]\w*)", line)}
    if renamed:  # `from importlib import import_module as load`: calls of `load` count too
        pattern = re.compile("|".join([pattern.pattern, *(rf"\b{name}\b" for name in renamed)]))
    counts = [0]
    for line in lines:
        counts.append(counts[-1] + (1 if everything or pattern.search(line) else 0))
    return counts


def _future_annotations(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
               and any(a.name == "annotations" for a in node.names) for node in tree.body)


def _constants(tree: ast.Module) -> tuple[tuple[str, str], ...]:
    """Module-level ``NAME = "text"`` assignments of upper-case names."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and _SETTING.match(target.id):
                    found.append((target.id, node.value.value))
    return tuple(found)


class _SettingsReader(PlaceWalker):
    """The strings of the Django settings that name code, where a settings module assigns
    them at module level: ``NAME = [...]``, ``NAME += [...]``, ``NAME = [*NAME, ...]``,
    ``NAME.append(...)``, and each ``TEMPLATES`` engine's ``context_processors``. A value
    that is not a literal is not read."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[StringReference] = []

    def on_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, place: Place) -> None:
        """Settings are module-level names: a function's body assigns none."""

    def on_class(self, node: ast.ClassDef, place: Place) -> None:
        """Nor does a class body."""

    def on_simple(self, node: ast.stmt, place: Place) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.assigned(target, node.value, place)
        elif (isinstance(node, ast.AnnAssign) and node.value is not None) \
                or (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)):
            self.assigned(node.target, node.value, place)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
                values = {"append": call.args[:1], "extend": call.args[:1],
                          "insert": call.args[1:2]}.get(call.func.attr, [])
                for value in values:
                    self.assigned(call.func.value, value, place)

    def assigned(self, target: ast.expr, value: ast.expr, place: Place) -> None:
        if not isinstance(target, ast.Name) or target.id not in DJANGO_SETTINGS:
            return
        setting = target.id
        if setting != "TEMPLATES":
            for string in literal_strings(value):
                self.add(setting, string, place)
            return
        engines = value.elts if isinstance(value, ast.List | ast.Tuple) else []
        for index, engine in enumerate(engines):
            options = _dict_value(engine, "OPTIONS")
            processors = _dict_value(options, "context_processors") if options else None
            for string in literal_strings(processors):
                self.add(f"TEMPLATES[{index}]['OPTIONS']['context_processors']", string,
                         place, setting)

    def add(self, call: str, node: ast.Constant, place: Place,
            setting: str | None = None) -> None:
        form, imported_at = DJANGO_SETTINGS[setting or call]
        if call == "INSTALLED_APPS" and node.value.rpartition(".")[2][:1].isupper():
            form = OBJECT_PATH  # an AppConfig class: "shop.apps.ShopConfig"
        ignore, reason = inline_ignore(self.lines, node.lineno, node.end_lineno or node.lineno)
        reference = StringReference(
            line=node.lineno, column=node.col_offset + 1,
            end_line=node.end_lineno or node.lineno, call=call, form=form, text=node.value,
            statement="", kind=place.string_kind, imported_at=imported_at,
            loads=imported_at == AT_STARTUP, ignore=ignore, ignore_reason=reason,
            submodule="models" if call in ("INSTALLED_APPS", "AUTH_USER_MODEL") else None,
        )
        self.found.append(replace(reference, statement=reference.written))


def literal_strings(node: ast.expr | None) -> list[ast.Constant]:
    """The strings of a literal value: ``"a"``, ``["a", "b"]``, ``("a",) + OTHER``; what is
    computed (names, starred items, calls) is left out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        return [element for element in node.elts
                if isinstance(element, ast.Constant) and isinstance(element.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_strings(node.left) + literal_strings(node.right)
    return []


def _dict_value(node: ast.expr | None, key: str) -> ast.expr | None:
    """The value of ``key`` in a dict display, or in ``dict(key=...)``."""
    if isinstance(node, ast.Dict):
        for name, value in zip(node.keys, node.values, strict=True):
            if isinstance(name, ast.Constant) and name.value == key:
                return value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return next((item.value for item in node.keywords if item.arg == key), None)
    return None


class _Scanner(PlaceWalker):
    def __init__(self, lines: list[str], rules: ScanRules, hot_lines: list[int],
                 future_annotations: bool, definition: bool) -> None:
        self.lines = lines
        self.rules = rules
        self.hot_lines = hot_lines
        #: What the file's imports bind so far, in source order.
        self.aliases: dict[str, str] = {}
        self.future_annotations = future_annotations
        self.definition = definition
        self.project_path = re.compile(
            rf"{re.escape(rules.root_package)}(\.[A-Za-z_]\w*)+(:[A-Za-z_][\w.]*)?$")
        self.found: list[StringReference] = []
        self.classes: list[MappedClass] = []
        self.apps: list[tuple[str, str]] = []
        self.tables: list[tuple[str, int]] = []
        self.statement: ast.stmt | None = None
        #: Each statement unparsed so far, by id (see :meth:`one_line`).
        self.shown: dict[int, str | None] = {}

    # -- walking, with the place of each node ---------------------------------------------
    #
    # Statements are walked to know where each sits (function, class body, TYPE_CHECKING,
    # guarded); expressions only where a line mentions a recognised name (see ``hot``).

    def walk_statement(self, node: ast.stmt, place: Place) -> None:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            self.statement = None if isinstance(node, COMPOUND) else node
            if isinstance(node, COMPOUND) and not isinstance(
                    node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                    and not self.hot(node):
                return  # no line of it mentions a recognised name or defines a class
        super().walk_statement(node, place)

    def on_import(self, node: ast.Import | ast.ImportFrom, place: Place) -> None:
        _bind(self.aliases, node)

    def on_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, place: Place) -> None:
        for expression in function_header(node):
            self.on_expression(expression, place)
        if self.hot(node):
            self.walk_body(node.body, place.in_function(node.name))

    def on_class(self, node: ast.ClassDef, place: Place) -> None:
        self.record_class(node, list(place.scope))
        for expression in [*node.decorator_list, *node.bases, *node.keywords]:
            self.on_expression(expression, place)
        if self.hot_span(node.body[0].lineno, node.end_lineno or node.lineno):
            self.walk_body(node.body, place.in_class(node.name))

    def on_compound(self, node: ast.stmt, place: Place) -> None:
        self.statement = None  # a reference in a header is shown as its call
        super().on_compound(node, place)

    def on_simple(self, node: ast.stmt, place: Place) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # a docstring or a bare string: names nothing
        if not self.hot(node):
            return
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call):
            self.annotated_relationship(node, place)
        for child in ast.iter_child_nodes(node):
            self.on_expression(child, place)

    def hot(self, node: ast.AST) -> bool:
        """Whether a line of ``node`` mentions a recognised name (or defines a class)."""
        return self.hot_span(node.lineno, node.end_lineno or node.lineno)

    def hot_span(self, first: int, last: int) -> bool:
        """Whether one of lines ``first`` to ``last`` does."""
        return self.hot_lines[min(last, len(self.hot_lines) - 1)] \
            > self.hot_lines[min(first, len(self.hot_lines)) - 1]

    def on_expression(self, node: ast.AST, place: Place) -> None:
        if isinstance(node, ast.expr | ast.keyword) and not self.hot(node):
            return
        self.walk(node, place)

    def walk(self, node: ast.AST, place: Place) -> None:
        if isinstance(node, ast.Lambda):
            self.walk(node.body, place.in_lambda())
            return
        if isinstance(node, ast.Call):
            self.call(node, place)
        if self.definition:
            self.definition_path(node, place)
        for child in ast.iter_child_nodes(node):
            self.walk(child, place)

    def record_class(self, node: ast.ClassDef, scope: list[str]) -> None:
        table, marked = None, False
        for statement in node.body:
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
            for target in targets:
                if isinstance(target, ast.Name) and target.id in _MAPPER_MARKS:
                    marked = True
                    value = statement.value
                    if target.id == "__tablename__" and isinstance(value, ast.Constant) \
                            and isinstance(value.value, str):
                        table = value.value
            if isinstance(statement, ast.FunctionDef) and statement.name == "__tablename__":
                marked = True  # a declared_attr
        if table:
            self.tables.append((table, node.lineno))
        if any(base.endswith("AppConfig") for base in base_names(node)):
            self.apps.append(_app_config(node))
        self.classes.append(MappedClass(".".join([*scope, node.name]), node.lineno,
                                        base_names(node), table, marked))

    # -- calls ---------------------------------------------------------------------------------

    def callee(self, func: ast.expr) -> tuple[str | None, str]:
        """What a callee resolves to through the file's imports (None when it does not),
        and its last name."""
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None, parts[0] if parts else ""
        parts.append(func.id)
        parts.reverse()
        base = self.aliases.get(parts[0])
        if base is None:
            return None, parts[-1]
        return ".".join([base, *parts[1:]]), parts[-1]

    def call(self, node: ast.Call, place: Place) -> None:
        qualified, final = self.callee(node.func)
        written = ast.unparse(node.func)
        for rule in self.rules.loaders:
            if (qualified == rule.function) if "." in rule.function else (final == rule.function):
                self.loader_argument(node, written, rule.form, rule.argument, rule.keyword,
                                     place, submodule=rule.submodule)
                return
        if qualified in ("importlib.import_module", "importlib.util.find_spec") \
                or (final == "__import__" and isinstance(node.func, ast.Name)):
            package = _argument(node, 1, "package")
            package_text = None
            if isinstance(package, ast.Constant) and isinstance(package.value, str):
                package_text = package.value
            elif isinstance(package, ast.Name) and package.id in ("__package__", "__name__"):
                package_text = ""
            self.loader_argument(node, written, MODULE_PATH, 0, "name", place,
                                 package=package_text)
            return
        if qualified == "pkgutil.resolve_name":
            self.loader_argument(node, written, OBJECT_PATH, 0, "name", place)
            return
        if qualified is not None and qualified.startswith("django."):
            if qualified.startswith("django.db.models.") and final in _DJANGO_RELATIONS:
                target = _string(_argument(node, 0, "to"))
                if target and "." in target:
                    self.add(node, written, APP_LABEL, target, place,
                             submodule="models")
            return
        if final in ("relationship", "dynamic_loader"):
            self.relationship(node, written, place)
        elif final == "ForeignKey":
            target = _string(_argument(node, 0, "column"))
            if target and "." in target:
                self.add(node, written, TABLE_COLUMN, target, place)
        elif final == "Table" and len(node.args) >= 2:
            name = _string(node.args[0])
            if name:
                self.tables.append((name, node.lineno))

    def loader_argument(self, node: ast.Call, written: str, form: str, position: int,
                        keyword: str | None, place: Place, *, package: str | None = None,
                        submodule: str | None = None) -> None:
        value = _argument(node, position, keyword)
        text = _string(value)
        if text is not None:
            # A configured loader's next positional string, when it is an identifier, is
            # the name loaded from what the first names: get_model("basket", "Basket").
            name = _string(_argument(node, position + 1, None)) \
                if package is None and keyword != "name" else None
            self.add(node, written, form, text, place, package=package,
                     submodule=submodule, loads=True,
                     name=name if name is not None and name.isidentifier() else None)
            return
        prefix = _literal_prefix(value)
        if prefix:
            self.add(node, written, form, prefix, place, prefix=True,
                     package=package, submodule=submodule, loads=True)
            return
        setting = _setting_name(value)
        if setting and self.rules.settings:
            self.add(node, written, form, "", place, setting=setting,
                     submodule=submodule, loads=True)

    def relationship(self, node: ast.Call, written: str, place: Place) -> None:
        target = _string(_argument(node, 0, "argument"))
        if target:
            self.add(node, written, MAPPED_CLASS, target, place)
        secondary = _string(_argument(node, None, "secondary"))
        if secondary:
            if re.fullmatch(r"[A-Za-z_][\w.]*", secondary):
                self.add(node, f"{written}(secondary=…)", TABLE, secondary, place)
            else:
                self.expression_classes(node, f"{written}(secondary=…)", secondary, place)
        for name in _JOIN_KEYWORDS:
            expression = _string(_argument(node, None, name))
            if expression:
                self.expression_classes(node, f"{written}({name}=…)", expression, place)

    def expression_classes(self, node: ast.Call, written: str, expression: str,
                           place: Place) -> None:
        """``"and_(Store.id == Job.store_id)"``: the names whose attributes it reads."""
        try:
            parsed = ast.parse(expression.strip(), mode="eval")
        except SyntaxError:
            return
        names = []
        for sub in ast.walk(parsed):
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                    and sub.value.id not in names:
                names.append(sub.value.id)
        for name in names:
            self.add(node, written, MAPPED_CLASS, name, place, tentative=True)

    def annotated_relationship(self, node: ast.AnnAssign, place: Place) -> None:
        """``jobs: Mapped[list["Job"]] = relationship(back_populates="store")``: the target
        is the annotation's class, resolved by name when the mapping is configured."""
        call = node.value
        _, final = self.callee(call.func)
        if final != "relationship" or _argument(call, 0, "argument") is not None:
            return
        for name in self.annotation_names(node.annotation, quoted=False):
            self.add(call, ast.unparse(call.func), MAPPED_CLASS, name, place,
                     tentative=True)

    def annotation_names(self, annotation: ast.expr, quoted: bool) -> list[str]:
        names: list[str] = []
        for sub in ast.walk(annotation):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                try:
                    inner = ast.parse(sub.value.strip(), mode="eval").body
                except SyntaxError:
                    continue
                names += [n for n in self.annotation_names(inner, quoted=True)
                          if n not in names]
            elif isinstance(sub, ast.Name) and (quoted or self.future_annotations) \
                    and sub.id not in names:
                names.append(sub.id)
        return names

    def definition_path(self, node: ast.AST, place: Place) -> None:
        """A dotted project path given as a string in a definition file."""
        if isinstance(node, ast.keyword):
            value, call = node.value, f"{node.arg}=" if node.arg else "definition"
        elif isinstance(node, ast.Constant) and not isinstance(self.statement, ast.Expr):
            value, call = node, "definition"
        else:
            return
        text = _string(value)
        if text and self.project_path.match(text) and not self.found_at(value):
            self.add(value, call, OBJECT_PATH, text, place)

    def one_line(self, statement: ast.stmt) -> str | None:
        """``statement`` as one line of source, or None when it takes more than one or is
        wider than a report's column. Unparsed once per statement: a migration's
        ``operations = [...]`` holds hundreds of references."""
        key = id(statement)
        if key not in self.shown:
            shown = ast.unparse(statement)
            self.shown[key] = shown if shown and len(shown) <= _STATEMENT_WIDTH \
                and "\n" not in shown else None
        return self.shown[key]

    def found_at(self, value: ast.expr) -> bool:
        return any(r.line == value.lineno and r.column == value.col_offset + 1
                   for r in self.found)

    def add(self, node: ast.expr, call: str, form: str, text: str, place: Place, **details) -> None:
        statement = self.statement
        shown = self.one_line(statement) if statement is not None else None
        if shown is None:
            shown = ast.unparse(node)
        first = statement.lineno if statement is not None else node.lineno
        last = max(node.end_lineno or node.lineno,
                   (statement.end_lineno or first) if statement is not None else 0)
        ignore, reason = inline_ignore(self.lines, first, last)
        self.found.append(StringReference(
            line=node.lineno, column=node.col_offset + 1, end_line=node.end_lineno or node.lineno,
            call=call, form=form, text=text, statement=shown, kind=place.string_kind,
            function=place.function, holder=place.holder, ignore=ignore, ignore_reason=reason,
            **details,
        ))


def _argument(node: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    if position is not None and len(node.args) > position \
            and not any(isinstance(a, ast.Starred) for a in node.args[:position + 1]):
        return node.args[position]
    if keyword is not None:
        for item in node.keywords:
            if item.arg == keyword:
                return item.value
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _literal_prefix(node: ast.expr | None) -> str | None:
    """The literal start of ``f"app.modules.{name}"`` or ``"app.modules." + name``."""
    if isinstance(node, ast.JoinedStr) and node.values:
        return _string(node.values[0]) or None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string(node.left) or _literal_prefix(node.left)
    return None


def _setting_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Attribute) and _SETTING.match(node.attr):
        return node.attr
    if isinstance(node, ast.Name) and _SETTING.match(node.id):
        return node.id
    return None


def _app_config(node: ast.ClassDef) -> tuple[str, str]:
    """A Django AppConfig's ``name`` (the app's package) and ``label``, as its class body
    gives them as strings ("" for what it leaves to Django's defaults)."""
    found = {"name": "", "label": ""}
    for statement in node.body:
        targets = (statement.targets if isinstance(statement, ast.Assign)
                   else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        value = getattr(statement, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and target.id in found \
                    and isinstance(value, ast.Constant) and isinstance(value.value, str):
                found[target.id] = value.value
    return found["name"], found["label"]


_NOTHING = FileStrings()


def strings_to_json(strings: FileStrings) -> dict:
    """A file's scan as plain JSON data, for the scan cache (``{}`` when it found nothing)."""
    if not (strings.references or strings.classes or strings.tables or strings.constants
            or strings.apps):
        return {}
    return {
        "references": [
            {k: list(v) if isinstance(v, tuple) else v for k, v in vars(r).items()}
            for r in strings.references
        ],
        "classes": [[c.name, c.line, list(c.bases), c.table, c.marked] for c in strings.classes],
        "tables": [list(t) for t in strings.tables],
        "constants": [list(c) for c in strings.constants],
        "apps": [list(a) for a in strings.apps],
    }


def strings_from_json(data: dict) -> FileStrings:
    """The inverse of :func:`strings_to_json`; raises on anything malformed."""
    if data == {}:
        return _NOTHING
    references = []
    for item in data["references"]:
        ignore = tuple(item["ignore"]) if item.get("ignore") is not None else None
        references.append(StringReference(**{**item, "ignore": ignore,
                                             "kind": ImportKind(item["kind"])}))
    return FileStrings(
        references=tuple(references),
        classes=tuple(MappedClass(n, int(line), tuple(b), t, bool(m))
                      for n, line, b, t, m in data["classes"]),
        tables=tuple((str(n), int(line)) for n, line in data["tables"]),
        constants=tuple((str(n), str(v)) for n, v in data["constants"]),
        apps=tuple((str(n), str(label)) for n, label in data["apps"]),
    )
