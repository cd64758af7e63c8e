"""What a source tree holds, as ``archguard init`` looks for it: its packages and their
modules, and the Django settings that list its apps. Files are read as text and parsed
with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from archguard.adapters.string_references import literal_strings

#: Folders that hold no application code to find modules in: tests, documentation,
#: migrations, assets, builds and environments.
LEFT_OUT = frozenset({"tests", "test", "docs", "doc", "migrations", "node_modules", "build",
                      "dist", "site-packages", "venv", "env", "__pycache__", "static",
                      "templates", "locale"})


def _kept(name: str) -> bool:
    return not name.startswith((".", "_")) and name not in LEFT_OUT


def packages_in(folder: Path) -> list[str]:
    """The names of ``folder``'s subpackages (folders with an ``__init__.py``), sorted;
    hidden, private and :data:`LEFT_OUT` folders are not counted."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [entry.name for entry in entries
            if _kept(entry.name) and entry.is_dir() and os.path.isfile(
                os.path.join(entry.path, "__init__.py"))]


def modules_in(folder: Path) -> list[str]:
    """The names of the ``.py`` modules directly in ``folder`` (not ``__init__``), sorted."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [entry.name[:-3] for entry in entries
            if entry.name.endswith(".py") and entry.name != "__init__.py"
            and not entry.name.startswith(".") and entry.is_file()]


def settings_files(folder: Path) -> list[Path]:
    """The Python files below ``folder`` (outside :data:`LEFT_OUT` folders) that assign
    ``INSTALLED_APPS``, in path order."""
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if _kept(name))
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(parent, name)
                try:
                    if b"INSTALLED_APPS" in path.read_bytes():
                        found.append(path)
                except OSError:
                    continue
    return found


def installed_apps(path: Path) -> list[str]:
    """The literal strings a module assigns to ``INSTALLED_APPS`` at its top level (``=``,
    ``+=``, ``.append``, ``.extend``), in order; a file that cannot be parsed gives none."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return []
    apps: list[str] = []
    for node in tree.body:
        value: ast.expr | None = None
        if (isinstance(node, ast.Assign) and any(_is_setting(t) for t in node.targets)) or (
                isinstance(node, ast.AnnAssign | ast.AugAssign) and _is_setting(node.target)):
            value = node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and _is_setting(node.value.func.value) \
                and node.value.func.attr in ("append", "extend") and node.value.args:
            value = node.value.args[0]
        apps += [constant.value for constant in literal_strings(value)]
    return apps


def _is_setting(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id == "INSTALLED_APPS"


def class_label(path: Path, class_name: str) -> str | None:
    """The string a class ``class_name`` of ``path`` assigns to ``label`` in its body (a
    Django AppConfig's), or None."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "label" for t in statement.targets) \
                        and isinstance(statement.value, ast.Constant) \
                        and isinstance(statement.value.value, str):
                    return statement.value.value
    return None
