"""The schema of archguard's configuration file, version 1.

This is the single definition of the format: the loader validates against it, and
``archguard schema`` prints it as JSON Schema. Descriptions here are the reference docs.
"""

from __future__ import annotations

from archguard.config.schema import (
    Bool,
    Field,
    ListOf,
    MapOf,
    Number,
    Schema,
    Str,
    Struct,
    Tagged,
)
from archguard.contracts import CONTRACT_KINDS, Contract, Option, OptionType
from archguard.domain.architecture import (
    DEFAULT_COUNTED_KINDS,
    DEFINITION_KEYS,
    SEVERITIES,
    Indirect,
)
from archguard.domain.imports import ImportKind
from archguard.domain.references import LOADER_FORMS

DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
DOTTED_HINT = "is not a dotted Python name such as app.modules"
# A dotted pattern: names, '*' for one segment, '**' for any number of segments.
DOTTED_GLOB = r"(\*\*|\*|[A-Za-z_][A-Za-z0-9_*]*)(\.(\*\*|\*|[A-Za-z_][A-Za-z0-9_*]*))*"
DOTTED_GLOB_HINT = "is not a dotted name or pattern such as app.modules.*.routes"
NAME = r"[a-z][a-z0-9_-]*"
NAME_HINT = "must be lower case letters, digits, '_' or '-', starting with a letter"
CONTRACT_ID = r"[a-z0-9][a-z0-9_.-]*"
#: A command as a shell reads its words (shlex): not blank, every quote closed, no
#: backslash left at its end.
COMMAND = r"""(?=\s*\S)(?:[^'"\\]|\\[\s\S]|'[^']*'|"(?:[^"\\]|\\[\s\S])*")*"""
COMMAND_HINT = "is not a command: it is blank, leaves a quote open or ends in a backslash"

_kinds = ListOf(
    Str(choices=tuple(ImportKind)),
    unique=True,
    description="Import kinds that count against contracts: " + ", ".join(ImportKind) + ".",
)

_ignore = Struct(
    {
        "importer": Field(
            Str(pattern=DOTTED_GLOB, pattern_hint=DOTTED_GLOB_HINT,
                description="Importing module (dotted name or pattern)."),
            required=True,
        ),
        "imported": Field(
            Str(pattern=DOTTED_GLOB, pattern_hint=DOTTED_GLOB_HINT,
                description="Imported module (dotted name or pattern)."),
            required=True,
        ),
        "reason": Field(Str(pattern=r"\s*\S[\s\S]*",
                            pattern_hint="is no reason: say why this dependency is accepted",
                            description="Why this dependency is accepted (not blank)."),
                        required=True),
        "contracts": Field(
            ListOf(Str(pattern=CONTRACT_ID), unique=True,
                   description="Contract ids this ignore applies to; all when absent."),
            default_factory=list,
        ),
    },
    title="Ignore",
    description="A known dependency: it is not reported, and no chain of imports passes "
                "through it. A reason is required.",
)

#: Keys every contract has; the others are its kind's options.
CONTRACT_KEYS = ("id", "type", "name", "description", "severity", "count", "indirect",
                 "ignore")


def _option_schema(option: Option) -> Schema:
    """The schema of a contract kind's option, from what the option is."""
    kinds = {
        OptionType.CATEGORIES: lambda: Str(pattern=rf"\*|{NAME}",
                                           pattern_hint="must be a category name or '*'"),
        OptionType.MODULES: lambda: Str(pattern=r"[A-Za-z0-9_*.-]+",
                                        pattern_hint="must be a module name or glob"),
        OptionType.PACKAGES: lambda: Str(pattern=DOTTED, pattern_hint=DOTTED_HINT),
        OptionType.IDENTIFIERS: lambda: Str(pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                                            pattern_hint="is not a Python name"),
        OptionType.FILES: Str,
        OptionType.LAYERS: lambda: Str(
            pattern=r"[A-Za-z0-9_*.:-]+(?: *\| *[A-Za-z0-9_*.:-]+)*"
                    r"|[A-Za-z0-9_*.:-]+(?: : [A-Za-z0-9_*.:-]+)*",
            pattern_hint="must be a module, a glob or category:NAME, or several of them "
                         "separated by '|' or ' : ' (not both)"),
    }
    if option.value_type == OptionType.FLAG:
        return Bool(description=option.description)
    if option.value_type == OptionType.FILE:
        return Str(description=option.description)
    return ListOf(kinds[option.value_type](), min_items=option.min_items or 0, unique=True,
                  description=option.description)


def _option_field(option: Option) -> Field:
    if option.required:
        return Field(_option_schema(option), required=True)
    if option.is_list:
        default = list(option.default or ())
        return Field(_option_schema(option), default_factory=lambda: list(default))
    return Field(_option_schema(option), default=option.default)


def _contract(kind: type[Contract]) -> Struct:
    common = {
        "id": Field(
            Str(pattern=CONTRACT_ID, pattern_hint="must be lower case, digits, '.', '_' or '-'",
                description="Stable identifier, used by ignores, baselines and reports."),
            required=True,
        ),
        "type": Field(Str(choices=(kind.type,), description=kind.summary), required=True),
        "name": Field(Str(description="Human title shown in reports."), default=""),
        "description": Field(Str(description="Why this contract exists."), default=""),
        "severity": Field(Str(choices=SEVERITIES), default="error"),
        "count": Field(_kinds, default=None),
        "ignore": Field(ListOf(_ignore), default_factory=list),
    }
    if kind.judges_dependencies:
        common["indirect"] = Field(Str(
            choices=tuple(Indirect),
            description="Which chains of imports (a -> b -> c) count as a dependency of a on "
                        "c: `kernel` (the default) follows them through kernel packages and "
                        "uncategorised code; `any` through any project code, like "
                        "lint-imports' allow_indirect_imports = False; `none` counts direct "
                        "imports only."), default=Indirect.KERNEL.value)
    specific = {name: _option_field(option) for name, option in kind.options.items()}
    return Struct({**common, **specific}, title=kind.type, description=kind.summary)


CONTRACT_VARIANTS = {name: _contract(kind) for name, kind in CONTRACT_KINDS.items()}

CONFIG_SCHEMA = Struct(
    {
        "version": Field(Number(integer=True, minimum=1,
                                description="Format version; this is version 1."),
                         required=True),
        "project": Field(
            Struct(
                {
                    "root_package": Field(
                        Str(pattern=DOTTED, pattern_hint=DOTTED_HINT,
                            description="The top-level package analysed, e.g. app."),
                        required=True,
                    ),
                    "modules_package": Field(
                        Str(pattern=DOTTED, pattern_hint=DOTTED_HINT,
                            description="Every direct subpackage of it is a module."),
                        required=True,
                    ),
                    "source_root": Field(
                        Str(description="Folder holding the root package, relative to the "
                                        "project directory."),
                        default=".",
                    ),
                    "exclude": Field(
                        ListOf(Str(), unique=True,
                               description="Folders that hold no code of the package "
                                           "(globs relative to the source root, such as "
                                           "app/**/migrations/versions): no warning when "
                                           "they lack __init__.py."),
                        default_factory=list,
                    ),
                },
                title="Project",
            ),
            required=True,
        ),
        "kernel": Field(
            ListOf(Str(pattern=DOTTED, pattern_hint=DOTTED_HINT), unique=True,
                   description="Packages outside the modules that count as core: the app "
                               "kernel (entry point, API plumbing, middleware)."),
            default_factory=list,
        ),
        "categories": Field(
            MapOf(
                Struct({"description": Field(Str(), default="")}),
                key_pattern=NAME, key_hint=NAME_HINT,
                description="Module categories, e.g. core, optional, internal.",
            ),
            required=True,
        ),
        "modules": Field(
            MapOf(
                Struct(
                    {
                        "category": Field(Str(pattern=NAME, pattern_hint=NAME_HINT),
                                          default=None),
                        "requires": Field(ListOf(Str(), unique=True), default=None),
                        "code": Field(Str(description="The module's code where it differs "
                                                      "from the package name."), default=None),
                        "purpose": Field(Str(), default=""),
                    },
                    title="Module",
                ),
                key_pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                key_hint="is not a Python package name",
                description="Modules by package name. category and requires may instead come "
                            "from definition.py (see definitions.read).",
            ),
            default_factory=dict,
        ),
        "definitions": Field(
            Struct(
                {
                    "enabled": Field(Bool(), default=True),
                    "file": Field(Str(), default="definition.py"),
                    "variable": Field(
                        Str(description="Name of the definition variable; {package} is the "
                                        "module's package name."),
                        default="{package}_module",
                    ),
                    "class_name": Field(Str(), default="ModuleDefinition"),
                    "category_flags": Field(
                        MapOf(Str(pattern=NAME, pattern_hint=NAME_HINT),
                              key_pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                              description="Boolean keyword → category it gives when true, "
                                          "in order."),
                        default_factory=lambda: {"is_core": "core", "is_internal": "internal"},
                    ),
                    "default_category": Field(Str(pattern=NAME), default="optional"),
                    "read": Field(
                        ListOf(Str(choices=DEFINITION_KEYS), unique=True,
                               description="Module keys taken from definition.py."),
                        default_factory=lambda: list(DEFINITION_KEYS),
                    ),
                },
                title="Definitions",
                description="Reading each module's definition.py statically (never imported).",
            ),
        ),
        "policy": Field(
            Struct({"count": Field(_kinds, default_factory=lambda: list(DEFAULT_COUNTED_KINDS))},
                   title="Policy"),
        ),
        "strings": Field(
            Struct(
                {
                    "enabled": Field(Bool(description="Find dependencies made by strings."),
                                     default=True),
                    "loaders": Field(
                        ListOf(
                            Struct(
                                {
                                    "function": Field(
                                        Str(pattern=DOTTED, pattern_hint=DOTTED_HINT,
                                            description="The loader: dotted (matched "
                                                        "through the file's imports) or a "
                                                        "bare name (matched by name)."),
                                        required=True,
                                    ),
                                    "argument": Field(
                                        Number(integer=True, minimum=0,
                                               description="Position of the string "
                                                           "argument."),
                                        default=0,
                                    ),
                                    "keyword": Field(
                                        Str(pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                                            description="Keyword of the string argument."),
                                        default=None,
                                    ),
                                    "form": Field(
                                        Str(choices=LOADER_FORMS,
                                            description="How the string names code: module "
                                                        "(a.b), object (a.b.C or a.b:C), "
                                                        "app_module (label.sub) or "
                                                        "app_label (label or label.Model)."),
                                        required=True,
                                    ),
                                    "submodule": Field(
                                        Str(pattern=DOTTED, pattern_hint=DOTTED_HINT,
                                            description="For app_label: the module of the "
                                                        "app reached, e.g. models."),
                                        default=None,
                                    ),
                                },
                                title="Loader",
                            ),
                            description="Functions that load code named by a string, beyond "
                                        "importlib, __import__, find_spec, "
                                        "pkgutil.resolve_name and SQLAlchemy/Django "
                                        "relations, which are always read.",
                        ),
                        default_factory=list,
                    ),
                    "app_labels": Field(
                        MapOf(Str(pattern=DOTTED, pattern_hint=DOTTED_HINT),
                              key_pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                              description="App label → package. Each module's package name "
                                          "is its label unless given here."),
                        default_factory=dict,
                    ),
                    "external_apps": Field(
                        ListOf(Str(pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                                   pattern_hint="is not an app label"), unique=True,
                               description="Labels of apps outside the project, beyond "
                                           "Django's own (auth, contenttypes, …, always "
                                           "external): references to them are no "
                                           "dependency; any other label that names no app "
                                           "is an unresolved reference."),
                        default_factory=list,
                    ),
                    "settings": Field(
                        ListOf(Str(pattern=DOTTED, pattern_hint=DOTTED_HINT), unique=True,
                               description="Settings modules: a loader given settings.NAME "
                                           "is resolved through NAME's string value there, "
                                           "and the Django settings that name code "
                                           "(INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF, …) "
                                           "are references, imported at start-up."),
                        default_factory=list,
                    ),
                },
                title="Strings",
                description="Dependencies made by strings, which no import graph shows.",
            ),
        ),
        "contracts": Field(
            ListOf(Tagged("type", CONTRACT_VARIANTS), description="The contracts checked."),
            default_factory=list,
        ),
        "ignores": Field(
            ListOf(_ignore, description="Ignores that apply to every contract."),
            default_factory=list,
        ),
        "runtime": Field(
            Struct(
                {
                    "entry_points": Field(
                        ListOf(Str(pattern=DOTTED, pattern_hint=DOTTED_HINT), unique=True,
                               description="Modules that start the application."),
                        default_factory=list,
                    ),
                    "discovered": Field(
                        ListOf(Str(pattern=DOTTED_GLOB, pattern_hint=DOTTED_GLOB_HINT),
                               unique=True,
                               description="Modules the application imports at start-up by "
                                           "convention rather than by an import statement, "
                                           "for each loaded module (patterns)."),
                        default_factory=list,
                    ),
                    "scanned": Field(
                        ListOf(Str(pattern=DOTTED_GLOB, pattern_hint=DOTTED_GLOB_HINT),
                               unique=True,
                               description="Modules imported at start-up for every module "
                                           "present, loaded or not: a registry reading each "
                                           "definition to decide (patterns)."),
                        default_factory=list,
                    ),
                    "smoke": Field(
                        ListOf(
                            Struct(
                                {
                                    "name": Field(Str(pattern=NAME), required=True),
                                    "command": Field(
                                        Str(pattern=COMMAND, pattern_hint=COMMAND_HINT),
                                        required=True),
                                    "timeout": Field(Number(exclusive_minimum=0),
                                                     default=None),
                                },
                                title="SmokeCommand",
                            )
                        ),
                        default_factory=list,
                    ),
                    "timeout": Field(Number(exclusive_minimum=0), default=60),
                },
                title="Runtime",
            ),
        ),
    },
    title="archguard configuration",
    description="Architecture of a modular Python application and the contracts it keeps.",
)


def json_schema() -> dict:
    """The configuration format as a JSON Schema document."""
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:archguard:schema:config:1",
    }
    document.update(CONFIG_SCHEMA.json_schema())
    return document
