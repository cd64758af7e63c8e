""""What already works", checked from the code: the conventions a modular monolith keeps so
that a module can be added, switched off or removed without touching the kernel.

Each check reads the project as ``check`` does (the import table, the classified
statements, the sources parsed with ``ast``); none imports or runs it. A check that finds
what it is about holds (``ok``) or fails with the file:line of each place it fails
(``broken``); one that finds nothing to judge (no middleware in the kernel) says so
(``absent``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from archguard.application.project import Project
from archguard.domain.audit import Evidence, RuleCheck, Status
from archguard.domain.layout import OwnerKind
from archguard.domain.violations import CheckResult

#: Parameters that hold a database session.
SESSION_NAMES = frozenset({"db", "session", "db_session", "dbsession"})
#: Longer strings (docstrings, messages) are prose, not paths.
MAX_STRING = 120
#: At most this many places are listed for one rule.
MAX_EVIDENCE = 20


def what_works(project: Project, result: CheckResult) -> tuple[RuleCheck, ...]:
    """Every rule of "what works", in the order the seed's analysis lists them."""
    return tuple(check(project, result) for check in CHECKS)


# -- the rules ------------------------------------------------------------------------------


def module_discovery(project: Project, result: CheckResult) -> RuleCheck:
    modules = project.inventory.modules
    definition = project.config.definitions.file
    missing = [Evidence(f"{m.name} has no {definition}", _relative(project, m.path))
               for m in modules if m.definition is None]
    named = list(_kernel_imports(project, lambda target: target.rpartition(".")[2]
                                 == definition.removesuffix(".py")))
    evidence = tuple(missing + [Evidence(f"the kernel imports {t} by name", f, line)
                                for f, line, t in named])
    if not modules:
        return RuleCheck("Module auto-discovery", f"every module is found through its "
                         f"{definition}", Status.ABSENT, "no modules found")
    if evidence:
        return RuleCheck("Module auto-discovery", f"every module is found through its "
                         f"{definition}", Status.BROKEN,
                         f"{len(missing)} of {len(modules)} modules without {definition}; "
                         f"{len(named)} imported by name in the kernel", evidence[:MAX_EVIDENCE])
    return RuleCheck("Module auto-discovery", f"every module is found through its "
                     f"{definition}", Status.OK,
                     f"all {len(modules)} modules declare themselves in {definition}; the "
                     "kernel names none of them")


def route_registration(project: Project, result: CheckResult) -> RuleCheck:
    aspect, rule = "Route auto-registration", "no hard-coded module routes in the app kernel"
    found = [Evidence(f"imports {t}", f, line) for f, line, t in _kernel_imports(
        project, lambda target: ".routes" in target[len(project.config.modules_package):])]
    if found:
        return RuleCheck(aspect, rule, Status.BROKEN,
                         f"the kernel imports {len(found)} module route "
                         f"module{'s' if len(found) > 1 else ''}", tuple(found[:MAX_EVIDENCE]))
    return RuleCheck(aspect, rule, Status.OK,
                     "the kernel imports no module's routes; each module's definition "
                     "hands them over")


def middleware_stack(project: Project, result: CheckResult) -> RuleCheck:
    aspect, rule = "Middleware stack", "middleware imports no module-specific code"
    middleware = [m for m in sorted(project.files) if "middleware" in m.split(".")
                  and project.layout.owner_of(m).kind == OwnerKind.KERNEL]
    if not middleware:
        return RuleCheck(aspect, rule, Status.ABSENT, "no middleware in the kernel")
    found = []
    for module in middleware:
        for target in sorted(project.table.imported_by(module)):
            if project.layout.owner_of(target).kind != OwnerKind.MODULE:
                continue
            for statement in project.links(module, target):
                found.append(Evidence(f"imports {target}", project.relative(module)[1],
                                      statement.line))
    if found:
        return RuleCheck(aspect, rule, Status.BROKEN,
                         f"{len(found)} import{'s' if len(found) > 1 else ''} of module code "
                         "in the middleware", tuple(found[:MAX_EVIDENCE]))
    return RuleCheck(aspect, rule, Status.OK,
                     f"{len(middleware)} middleware module{'s' if len(middleware) > 1 else ''}"
                     ", none imports module code")


def static_mounting(project: Project, result: CheckResult) -> RuleCheck:
    aspect, rule = "Static file mounting", "module static folders are found by scanning"
    names = [m.name for m in project.inventory.modules] + \
        [m.code for m in project.inventory.modules if m.code != m.name]
    listed = re.compile(r"(?:^|[/\\.])(" + "|".join(map(re.escape, names)) + r")[/\\]static\b") \
        if names else None
    mounts: list[Evidence] = []
    named: list[Evidence] = []
    for file, line, text in _kernel_strings(project):
        if listed is not None and listed.search(text):
            named.append(Evidence(f"names {text!r}", file, line))
        elif "static" in text.lower():
            mounts.append(Evidence(f"{text!r}", file, line))
    if named:
        return RuleCheck(aspect, rule, Status.BROKEN,
                         f"the kernel lists {len(named)} module static folder"
                         f"{'s' if len(named) > 1 else ''}", tuple(named[:MAX_EVIDENCE]))
    if not mounts:
        return RuleCheck(aspect, rule, Status.ABSENT, "the kernel mounts no static folders")
    return RuleCheck(aspect, rule, Status.OK,
                     "the kernel names no module's static folder; it mounts what it finds",
                     tuple(mounts[:3]))


def module_enablement(project: Project, result: CheckResult) -> RuleCheck:
    aspect, rule = "Module enablement", "optional modules are switched by an enablement flag"
    found = []
    for module in sorted(project.files):
        owner = project.layout.owner_of(module)
        if owner.kind == OwnerKind.MODULE and owner.category != _foundation(project):
            continue
        tree = _tree(project, module, b"is_enabled")
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    _assigns(statement, "is_enabled") for statement in node.body):
                found.append(Evidence(f"{node.name}.is_enabled",
                                      project.relative(module)[1], node.lineno))
    if not found:
        return RuleCheck(aspect, rule, Status.BROKEN,
                         "no class of the kernel or the core modules has an is_enabled flag")
    return RuleCheck(aspect, rule, Status.OK,
                     "controlled by " + ", ".join(e.text for e in found[:3]), tuple(found[:3]))


def fixed_conventions(project: Project, result: CheckResult) -> RuleCheck:
    aspect = "Fixed conventions"
    problems = [p for outcome in result.contracts if outcome.type == "structure"
                for p in outcome.problems]
    rule = ("the layout the structure contract requires; services take the session as a "
            "method parameter, not in __init__")
    evidence = [Evidence(p.message, _relative(project, p.path) if p.path else None, p.line)
                for p in problems]
    stored = list(_sessions_in_init(project))
    evidence += stored
    if evidence:
        return RuleCheck(aspect, rule, Status.BROKEN,
                         f"{len(problems)} layout problem{'s' if len(problems) != 1 else ''}, "
                         f"{len(stored)} service{'s' if len(stored) != 1 else ''} keeping a "
                         "session", tuple(evidence[:MAX_EVIDENCE]))
    declared = any(outcome.type == "structure" for outcome in result.contracts)
    return RuleCheck(aspect, rule, Status.OK,
                     ("every module has the files and definition the structure contract asks "
                      "for; " if declared else "no structure contract declared; ")
                     + "no service keeps a session")


CHECKS: tuple[Callable[[Project, CheckResult], RuleCheck], ...] = (
    module_discovery, route_registration, middleware_stack, static_mounting,
    module_enablement, fixed_conventions,
)


# -- reading --------------------------------------------------------------------------------


def _kernel_imports(project: Project, wanted: Callable[[str], bool]
                    ) -> Iterator[tuple[str, int, str]]:
    """``(file, line, target)`` of each kernel import of a module's code that ``wanted``."""
    for module in sorted(project.files):
        if project.layout.owner_of(module).kind != OwnerKind.KERNEL:
            continue
        for target in sorted(project.table.imported_by(module)):
            if project.layout.owner_of(target).kind != OwnerKind.MODULE or not wanted(target):
                continue
            for statement in project.links(module, target):
                yield project.relative(module)[1], statement.line, target


def _kernel_strings(project: Project) -> Iterator[tuple[str, int, str]]:
    for module in sorted(project.files):
        if project.layout.owner_of(module).kind != OwnerKind.KERNEL:
            continue
        tree = _tree(project, module, b"static")
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and "\n" not in node.value and len(node.value) <= MAX_STRING:
                yield project.relative(module)[1], node.lineno, node.value


def _sessions_in_init(project: Project) -> Iterator[Evidence]:
    for module in sorted(project.files):
        if "services" not in module.split("."):
            continue
        tree = _tree(project, module, b"__init__")
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and method.name == "__init__":
                    arguments = [a.arg for a in (*method.args.args, *method.args.kwonlyargs)]
                    held = [a for a in arguments if a in SESSION_NAMES]
                    if held:
                        yield Evidence(f"{node.name}.__init__ takes {held[0]}",
                                       project.relative(module)[1], method.lineno)


def _tree(project: Project, module: str, needle: bytes) -> ast.Module | None:
    """The syntax tree of a module's file when its text holds ``needle``."""
    data = project.source(project.relative(module)[1])
    if data is None or needle not in data:
        return None
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError):
        return None


def _assigns(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    return False


def _foundation(project: Project) -> str | None:
    """The category every other one may depend on: the first the configuration declares."""
    return next(iter(project.config.categories), None)


def _relative(project: Project, path) -> str:  # type: ignore[no-untyped-def]
    try:
        return path.resolve().relative_to(project.project_dir).as_posix()
    except ValueError:
        return str(path)
