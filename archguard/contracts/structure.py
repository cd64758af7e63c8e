"""``structure``: every module follows the layout conventions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archguard.contracts.base import Contract, Option, OptionType
from archguard.domain.inventory import Finding, Module, ModuleSources
from archguard.domain.rules import DocBlock

#: Base-class name endings that make a class an exception.
EXCEPTION_SUFFIXES = ("Exception", "Error")


class Structure(Contract):
    type = "structure"
    summary = "Each module follows the layout conventions."
    doc = DocBlock(
        what="Each module has the required files, defines its exception classes in the "
             "exceptions module, and its definition.py defines the definition variable and "
             "the required functions.",
        why="Discovery finds modules by convention: a module without its definition.py, or "
            "with a definition variable of another name, is silently not loaded; exceptions "
            "spread over a module's files are imported from everywhere.",
        example="app/modules/cart/services.py:\n"
                "    class CartLimitError(Exception): ...   # outside exceptions.py",
        fix="Add the missing file, move the class to exceptions.py, or rename the variable "
            "as the convention says.",
    )
    judges_dependencies = False

    required_files = Option(OptionType.FILES, "Files every module must have.",
                            default=("__init__.py", "definition.py"))
    exceptions_module = Option(OptionType.FILE, "Where a module's exception classes must "
                                                "live, e.g. exceptions.py.")
    definition_variable = Option(OptionType.FLAG, "definition.py defines the variable named "
                                                  "by definitions.variable.", default=True)
    definition_functions = Option(OptionType.IDENTIFIERS, "Functions every definition.py must "
                                                          "define.", default=())

    def problems(self, modules: Sequence[Module], sources: ModuleSources) -> list[Finding]:
        found: list[Finding] = []
        for module in modules:
            found += self.missing_files(module, sources)
            found += self.definition_problems(module, sources)
            if self.exceptions_module:
                found += [self.finding(f"{module.name}: exception class {site.name} is defined "
                                       f"outside {self.exceptions_module}", site.path, site.line)
                          for site in sources.classes_deriving(
                              module, EXCEPTION_SUFFIXES, skip_file=self.exceptions_module)]
        return found

    def missing_files(self, module: Module, sources: ModuleSources) -> list[Finding]:
        return [self.finding(f"{module.name} has no {required}", module.path)
                for required in self.required_files if not sources.has_file(module, required)]

    def definition_problems(self, module: Module, sources: ModuleSources) -> list[Finding]:
        if not (self.definition_variable or self.definition_functions):
            return []
        facts = sources.definition(module)
        if facts is None:
            return []
        found = []
        wanted = sources.definition_variable(module)
        if self.definition_variable and facts.variable != wanted:
            shown = f"`{facts.variable}`" if facts.variable else "none"
            found.append(self.finding(f"{module.name}: the definition variable is {shown}, the "
                                      f"convention is `{wanted}`", facts.path, facts.line))
        for function in self.definition_functions:
            if function not in facts.functions:
                found.append(self.finding(f"{module.name}: {facts.path.name} does not define "
                                          f"{function}()", facts.path))
        return found

    def finding(self, message: str, path: Path, line: int | None = None) -> Finding:
        return Finding(self.id, message, path, line, self.spec.severity)
