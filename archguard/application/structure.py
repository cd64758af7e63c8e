"""The ``structure`` contract: every module follows the layout conventions.

It judges files, not imports: required files, where exception classes live, the definition
variable and the functions every ``definition.py`` must define. Everything is read with
``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archguard.adapters.definitions import read_definition
from archguard.domain.architecture import ArchitectureConfig, ContractSpec
from archguard.domain.inventory import Finding, Inventory
from archguard.errors import SourceSyntaxError

_EXCEPTION_SUFFIXES = ("Exception", "Error")
# A class statement whose bases mention an exception-like name, possibly over several lines.
_EXCEPTION_CLASS = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*(?:Exception|Error)\b",
                              re.MULTILINE)


def _base_names(node: ast.ClassDef) -> list[str]:
    names = []
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.append(base.id)
        elif isinstance(base, ast.Attribute):
            names.append(base.attr)
    return names


def check_structure(spec: ContractSpec, config: ArchitectureConfig,
                    inventory: Inventory) -> list[Finding]:
    """Problems of each module with the conventions ``spec`` sets."""
    options = spec.options
    problems: list[Finding] = []
    for module in inventory.modules:
        for required in options.get("required_files", []):
            if not (module.path / required).exists():
                problems.append(Finding(spec.id, f"{module.name} has no {required}",
                                        module.path, None, spec.severity))
        definition = module.path / config.definitions.file
        if definition.is_file() and (options.get("definition_variable")
                                     or options.get("definition_functions")):
            try:
                facts = read_definition(definition, module.name, config.definitions)
            except SourceSyntaxError:
                facts = None
            if facts is not None:
                wanted = config.definitions.variable_for(module.name)
                if options.get("definition_variable") and facts.variable != wanted:
                    found = f"`{facts.variable}`" if facts.variable else "none"
                    problems.append(Finding(
                        spec.id, f"{module.name}: the definition variable is {found}, "
                                 f"the convention is `{wanted}`",
                        definition, facts.line, spec.severity))
                for function in options.get("definition_functions", []):
                    if function not in facts.functions:
                        problems.append(Finding(
                            spec.id, f"{module.name}: {config.definitions.file} does not "
                                     f"define {function}()", definition, None, spec.severity))
        home = options.get("exceptions_module")
        if home:
            problems.extend(_misplaced_exceptions(spec, module.name, module.path, home))
    return problems


def _misplaced_exceptions(spec: ContractSpec, name: str, folder: Path,
                          home: str) -> list[Finding]:
    problems = []
    for path in sorted(folder.rglob("*.py")):
        if path.name == home:
            continue
        data = path.read_bytes()
        if not _EXCEPTION_CLASS.search(data):  # most files define none: skip parsing them
            continue
        try:
            tree = ast.parse(data, filename=str(path))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                base.endswith(_EXCEPTION_SUFFIXES) for base in _base_names(node)
            ):
                problems.append(Finding(
                    spec.id, f"{name}: exception class {node.name} is defined outside "
                             f"{home}", path, node.lineno, spec.severity))
    return problems
