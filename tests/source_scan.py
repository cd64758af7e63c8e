"""An independent reading of the reference platform's source with the standard library's
``ast``: imports with the kind their position gives them, relationship strings, foreign keys.

It shares no code with archguard, so tests can hold archguard and the fixture's golden file
against it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from . import seed_facts


@dataclass(frozen=True)
class FoundImport:
    file: str
    line: int
    module: str
    names: tuple[str, ...]
    kind: str


def dotted_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    if node.level == 0:
        return node.module or ""
    package = dotted_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in names for k in kinds)


def imports_of(path: Path, root: Path) -> list[FoundImport]:
    """Every import in ``path``: ``module``, ``lazy``, ``type_checking`` or ``guarded``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root).as_posix()
    found: list[FoundImport] = []

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit_one(stmt, "type_checking")
                for stmt in child.orelse:
                    visit_one(stmt, kind)
                continue
            if isinstance(child, ast.Try) and any(map(_catches_import_error, child.handlers)):
                for stmt in child.body:
                    visit_one(stmt, "guarded" if kind == "module" else kind)
                for stmt in [*child.orelse, *child.finalbody, *child.handlers]:
                    visit_one(stmt, kind)
                continue
            visit_one(child, kind)

    def visit_one(child: ast.AST, kind: str) -> None:
        if isinstance(child, ast.Import):
            for alias in child.names:
                found.append(FoundImport(rel, child.lineno, alias.name, (), kind))
        elif isinstance(child, ast.ImportFrom):
            names = tuple(sorted(a.name for a in child.names))
            found.append(FoundImport(rel, child.lineno, _absolute(child, path, root), names,
                                     kind))
        inner = kind
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and (
            kind == "module"
        ):
            inner = "lazy"
        visit(child, inner)

    visit(tree, "module")
    return found


def module_of(dotted: str) -> str | None:
    """The module (``app.modules.<name>``) a dotted name belongs to."""
    parts = dotted.split(".")
    if parts[:2] == ["app", "modules"] and len(parts) > 2:
        return parts[2]
    return None


def files_of(root: Path, category: str) -> list[Path]:
    """Python files of every module of ``category`` below ``root``."""
    modules = root / "app" / "modules"
    return sorted(
        path
        for name, cat in seed_facts.CATEGORIES.items() if cat == category
        for path in (modules / name).rglob("*.py")
    )


def kernel_files(root: Path) -> list[Path]:
    app = root / "app"
    files = [app / "main.py", *(app / "modules").glob("*.py")]
    for package in ("core", "api", "middleware"):
        files.extend((app / package).rglob("*.py"))
    return sorted(p for p in files if p.is_file())


def cross_imports(root: Path, files: list[Path], target_categories: set[str]) -> set[FoundImport]:
    """Imports in ``files`` whose target module is of one of ``target_categories``."""
    result = set()
    for path in files:
        for found in imports_of(path, root):
            if found.module == "app.modules":
                targets = [n for n in found.names if n in seed_facts.CATEGORIES]
            else:
                targets = [t for t in [module_of(found.module)] if t]
            if any(seed_facts.CATEGORIES.get(t) in target_categories for t in targets):
                result.add(found)
    return result


def classes_and_tables(root: Path, categories: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Class name → module, and ``__tablename__`` → module, for modules of ``categories``."""
    classes: dict[str, str] = {}
    tables: dict[str, str] = {}
    for name, category in seed_facts.CATEGORIES.items():
        if category not in categories:
            continue
        for path in (root / "app" / "modules" / name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    classes[node.name] = name
                    for stmt in node.body:
                        if (isinstance(stmt, ast.Assign)
                                and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                        for t in stmt.targets)
                                and isinstance(stmt.value, ast.Constant)):
                            tables[str(stmt.value.value)] = name
    return classes, tables


def string_references(root: Path, files: list[Path], classes: dict[str, str],
                      tables: dict[str, str]) -> set[tuple[str, int, str, str]]:
    """``relationship("Class")``, ``ForeignKey("table.col")`` and string literals naming
    ``app.modules.<m>`` in ``files`` that reach one of the given classes, tables or modules:
    (file, line, reference, target module)."""
    found = set()
    targets = set(classes.values())
    for path in files:
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            literals = [a.value for a in node.args
                        if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            literals += [k.value.value for k in node.keywords
                         if isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
                         and k.arg in {"secondary", "back_populates", "backref"}]
            for text in literals:
                if func in {"relationship", "backref"}:
                    name = text.rsplit(".", 1)[-1]
                    if name in classes:
                        found.add((rel, node.lineno, name, classes[name]))
                if func == "ForeignKey" and "." in text:
                    table = text.split(".", 1)[0]
                    if table in tables:
                        found.add((rel, node.lineno, text, tables[table]))
                if module_of(text) in targets:
                    found.add((rel, node.lineno, text, module_of(text)))
    return found
