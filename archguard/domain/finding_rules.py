"""The finding rules: each rule's id, title, default severity and documentation, defined
once. Code that reports a finding names its rule from here."""

from __future__ import annotations

from pathlib import Path

from archguard.domain.inventory import Finding
from archguard.domain.rules import DocBlock, FindingRule


class Rule(FindingRule):
    """A finding rule that makes its own findings."""

    def finding(self, message: str, path: Path | None = None, line: int | None = None,
                severity: str | None = None) -> Finding:
        return Finding(self.id, message, path, line, severity or self.severity)


MISSING_INIT = Rule("missing-init", "A package folder without __init__.py", "warning", DocBlock(
    what="A folder of the package tree holds Python files but no __init__.py (an error when "
         "the folder is the modules package, a folder above it, or a module: declared in "
         "the configuration, or holding its definition.py).",
    why="Inside a regular package such a folder is not part of it: import graphs leave it "
        "out, with every import its files make, so nothing in it is checked. Python still "
        "imports it, as a namespace package, but no import graph reads one (grimp's, so "
        "neither import-linter's nor archguard's): a modules package without __init__.py "
        "would keep every contract by checking nothing, and simulate cannot tell whether "
        "start-up survives a removal when it imports code there.",
    example="app/modules/loyalty/services/points.py exists, "
            "app/modules/loyalty/services/__init__.py does not",
    fix="Add __init__.py, or list the folder under project.exclude if it holds no code of "
        "the package (migrations, scripts).",
))

MISSING_KERNEL_PACKAGE = Rule(
    "missing-kernel-package", "A kernel package that does not exist", "warning", DocBlock(
        what="An entry of kernel names no module or package of the project's tree.",
        why="It counts nothing as core: a kernel package that was moved or renamed, or is "
            "misspelt, leaves the code it meant uncategorised, and what that code imports "
            "is judged by no category contract.",
        example="kernel: [app.main, app.midleware] with app/middleware/",
        fix="Correct the name, or remove the entry.",
    ))

MISSING_ENTRY_POINT = Rule(
    "missing-entry-point", "An entry point that does not exist", "warning", DocBlock(
        what="An entry of runtime.entry_points names no module of the project's tree.",
        why="Start-up cannot be followed from it: simulate refuses to predict (it would say "
            "\"runs\" of an app whose start-up it never read), and its runs import a module "
            "that is not there.",
        example="runtime: {entry_points: [app.main]} after app/main.py became app/asgi.py",
        fix="Name the module the application starts from.",
    ))

DECLARED_MODULE_MISSING = Rule(
    "declared-module-missing", "A declared module that does not exist", "warning", DocBlock(
        what="The configuration declares a module that is not a folder of the modules package.",
        why="A contract or a requires entry that names it checks nothing; a removed or renamed "
            "module keeps its declaration by mistake.",
        example="modules: {loyalty: {category: optional}} with no app/modules/loyalty/",
        fix="Remove the declaration, or correct its name.",
    ))

UNPARSABLE_DEFINITION = Rule(
    "unparsable-definition", "A definition.py that cannot be parsed", "error", DocBlock(
        what="A module's definition.py has a syntax error.",
        why="Its category and requires cannot be read, so the module is judged without them.",
        example="ModuleDefinition(code='cart', requires=['inventory'",
        fix="Fix the syntax error at the line shown.",
    ))

UNREADABLE_DEFINITION = Rule(
    "unreadable-definition", "A definition.py that cannot be read statically", "warning",
    DocBlock(
        what="A definition.py gives its category flags, code or requires other than as "
             "literals, or defines no definition variable.",
        why="archguard never imports the analysed code, so only literal values can be read; "
            "what it cannot read it does not know.",
        example="cart_module = ModuleDefinition(code=CODE, requires=load_requires())",
        fix="Write the values as literals: code='cart', requires=['inventory'], "
            "is_core=False.",
    ))

CATEGORY_MISMATCH = Rule(
    "category-mismatch", "YAML and definition.py disagree on a category", "warning", DocBlock(
        what="A module's category in the configuration differs from the one its "
             "definition.py flags give.",
        why="One of the two is wrong, and contracts judged on the wrong category report the "
            "wrong dependencies.",
        example="modules: {billing: {category: optional}} while billing/definition.py says "
                "is_core=True",
        fix="Make the two agree, or declare the category in one place only.",
    ))

REQUIRES_MISMATCH = Rule(
    "requires-mismatch", "YAML and definition.py disagree on requires", "warning", DocBlock(
        what="A module's requires in the configuration differ from its definition.py's.",
        why="The registry loads modules by definition.py; contracts judged on other requires "
            "allow or forbid the wrong imports.",
        example="modules: {cart: {requires: []}} while cart/definition.py says "
                "requires=['inventory']",
        fix="Make the two agree, or declare requires in one place only.",
    ))

UNCATEGORISED_MODULE = Rule(
    "uncategorised-module", "A module without a category", "warning", DocBlock(
        what="A module of the modules package has no category, in the configuration or its "
             "definition.py.",
        why="Category contracts cannot judge it: its dependencies go unchecked.",
        example="app/modules/gifts/ exists and is declared nowhere",
        fix="Declare it under modules in the configuration, or in its definition.py.",
    ))

UNKNOWN_REQUIREMENT = Rule(
    "unknown-requirement", "A requirement that names no module", "warning", DocBlock(
        what="A module requires a module that is not in the modules package.",
        why="The registry never loads a module whose requirement is missing, so the module "
            "is silently off.",
        example="requires=['inventroy']",
        fix="Correct the name, or add the module.",
    ))

AMBIGUOUS_REFERENCE = Rule(
    "ambiguous-reference", "A string that may name several modules", "warning", DocBlock(
        what="A string reference (relationship('Product'), a table name) matches a class or "
             "table of more than one module.",
        why="Which module it depends on is decided at run time by what is loaded; the "
            "dependency cannot be judged.",
        example="relationship('Product') while catalog and marketplace both map a Product",
        fix="Write the full path: relationship('app.modules.catalog.models.Product').",
    ))

UNRESOLVED_REFERENCE = Rule(
    "unresolved-reference", "A string that names nothing in the project", "warning", DocBlock(
        what="A string reference names a module, class or table of the project that does "
             "not exist.",
        why="It fails when its code runs: import_module raises, SQLAlchemy cannot configure "
            "its mappers.",
        example="import_module('app.modules.catalog.servics')",
        fix="Correct the name, or remove the reference.",
    ))

UNUSED_IGNORE = Rule("unused-ignore", "An ignore that matches nothing", "warning", DocBlock(
    what="An ignore in the configuration, or an inline `# archguard: ignore` comment, matches "
         "no violation.",
    why="The dependency it excused is gone; left in place, it would silently excuse a new one.",
    example="ignores: [{importer: app.modules.cms.*, imported: app.modules.catalog.*, "
            "reason: ...}] after cms stopped importing catalog",
    fix="Remove it.",
))

IGNORE_WITHOUT_REASON = Rule(
    "ignore-without-reason", "An inline ignore without a reason", "error", DocBlock(
        what="An `# archguard: ignore` comment gives no reason after it.",
        why="An accepted dependency needs its reason where the next reader sees it; without "
            "one, the dependency is reported.",
        example="from app.modules.catalog.models import Product  # archguard: ignore",
        fix="Add the reason: `# archguard: ignore[core-not-optional] counted for the invoice "
            "only`.",
    ))

IMPORT_BEYOND_TOP_LEVEL = Rule(
    "import-beyond-top-level", "A relative import that climbs above the top-level package",
    "error", DocBlock(
        what="A `from ...x import y` has more leading dots than the packages it sits in: it "
             "names nothing inside the project.",
        why="Python raises ImportError (\"attempted relative import beyond top-level "
            "package\") where the statement runs. It is no dependency on any module, so it "
            "is reported here instead of as an edge; read as one, it would make up chains "
            "and violations that do not exist.",
        example="from ....models import Gift  in app/modules/shop/x.py (a package three "
                "deep: three dots reach app, four reach above it)",
        fix="Count the dots again, or write the import absolutely: "
            "from app.modules.gifts.models import Gift.",
    ))

NEWER_SYNTAX = Rule(
    "newer-syntax", "A file of newer Python syntax than archguard runs on", "warning",
    DocBlock(
        what="Python's own parser, in the version archguard runs on, cannot parse the file, "
             "but grimp's parser (which reads every Python 3 syntax) can: the file uses "
             "syntax of a later Python (3.12: `type` statements, PEP 695 generics, nested "
             "f-strings).",
        why="Its imports are still in the import graph and are judged; what needs Python's "
            "parser is only approximate: the kind of each import (module level, lazy, "
            "TYPE_CHECKING, guarded) is read from the indentation and the block headers "
            "above it, and the functions using the imported names are not listed.",
        example="type Wrapped = list[Gift]  in app/modules/shop/x.py, read by archguard on "
                "Python 3.11",
        fix="Run archguard on the Python the project is written for (3.12 or later here).",
    ))

FINDING_RULES: dict[str, Rule] = {rule.id: rule for rule in (
    MISSING_INIT, MISSING_KERNEL_PACKAGE, MISSING_ENTRY_POINT, DECLARED_MODULE_MISSING,
    UNPARSABLE_DEFINITION, UNREADABLE_DEFINITION,
    CATEGORY_MISMATCH, REQUIRES_MISMATCH, UNCATEGORISED_MODULE, UNKNOWN_REQUIREMENT,
    AMBIGUOUS_REFERENCE, UNRESOLVED_REFERENCE, UNUSED_IGNORE, IGNORE_WITHOUT_REASON,
    IMPORT_BEYOND_TOP_LEVEL, NEWER_SYNTAX,
)}
