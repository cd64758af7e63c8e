"""Finding, reading and validating the configuration into an :class:`ArchitectureConfig`.

The file is loaded with YAML's safe loader only. Errors name the file, line, column and key.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

import yaml

from archguard.config.format import CONFIG_SCHEMA, CONTRACT_KEYS
from archguard.config.schema import DocPath, Located, nearest, render_path, validate_document
from archguard.contracts import CONTRACT_KINDS, OptionType
from archguard.domain.architecture import (
    ANY,
    ArchitectureConfig,
    ContractSpec,
    DefinitionReading,
    Ignore,
    Indirect,
    LoaderRule,
    ModuleDeclaration,
    RuntimeSpec,
    SmokeCommand,
    StringsSpec,
)
from archguard.errors import ConfigError, ConfigNotFoundError, Position

CONFIG_FILENAME = "archguard.yaml"
SUPPORTED_VERSIONS = (1,)


def find_config(project_dir: Path, explicit: Path | None = None) -> Path:
    """The configuration to use: ``explicit``, else ``archguard.yaml``, else ``pyproject.toml``.

    ``pyproject.toml`` counts only when it has a ``[tool.archguard]`` table.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigNotFoundError(f"configuration file not found: {explicit}")
        return explicit
    candidate = project_dir / CONFIG_FILENAME
    if candidate.is_file():
        return candidate
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file() and _pyproject_table(pyproject) is not None:
        return pyproject
    raise ConfigNotFoundError(
        f"no configuration found in {project_dir}: pass --config FILE, or add "
        f"{CONFIG_FILENAME} or a [tool.archguard] table in pyproject.toml"
    )


def _pyproject_table(path: Path) -> dict | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", Position(path)) from None
    table = data.get("tool", {}).get("archguard")
    return table if isinstance(table, dict) else None


def load_config(path: Path) -> ArchitectureConfig:
    """Read and validate the configuration at ``path`` (YAML, or pyproject's table)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", Position(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("configuration is not UTF-8 text", Position(path)) from None
    if path.name == "pyproject.toml":
        table = _pyproject_table(path)
        if table is None:
            raise ConfigError("no [tool.archguard] table", Position(path))
        if set(table) == {"config"}:
            return load_config((path.parent / str(table["config"])).resolve())
        # Re-serialise the table so the same validator applies; lines point at the table.
        text = yaml.safe_dump(table, sort_keys=False)
        values, located = validate_document(text, path, CONFIG_SCHEMA)
        header = _table_line(path)
        located.positions = {k: Position(path, header) for k in located.positions}
    else:
        values, located = validate_document(text, path, CONFIG_SCHEMA)
    return _build(values, located)


def _table_line(path: Path) -> int | None:
    for number, line in enumerate(io.StringIO(path.read_text(encoding="utf-8")), start=1):
        if line.strip().startswith("[tool.archguard"):
            return number
    return None


class _References:
    """Cross-reference checks that a per-node schema cannot make."""

    def __init__(self, located: Located) -> None:
        self.located = located

    def fail(self, path: DocPath, message: str, suggestion: str | None = None) -> ConfigError:
        return ConfigError(
            message, self.located.at(path), key=render_path(path), suggestion=suggestion
        )

    def known(self, value: str, path: DocPath, known: tuple[str, ...] | list[str], what: str):
        if value == ANY or "*" in value:
            return
        if value not in known:
            raise self.fail(path, f"unknown {what} '{value}'", nearest(value, tuple(known)))


def _build(values: dict[str, Any], located: Located) -> ArchitectureConfig:
    check = _References(located)
    if values["version"] not in SUPPORTED_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        raise check.fail(("version",), f"unsupported version {values['version']} "
                                       f"(this archguard reads version {supported})")
    project = values["project"]
    root = project["root_package"]
    modules_package = project["modules_package"]
    if modules_package != root and not modules_package.startswith(root + "."):
        raise check.fail(("project", "modules_package"),
                         f"'{modules_package}' is not inside root_package '{root}'")
    for index, kernel in enumerate(values["kernel"]):
        if kernel != root and not kernel.startswith(root + "."):
            raise check.fail(("kernel", index), f"'{kernel}' is not inside root_package '{root}'")

    categories = {name: spec["description"] for name, spec in values["categories"].items()}
    category_names = tuple(categories)
    if not category_names:
        raise check.fail(("categories",), "declare at least one category")

    definitions_raw = values["definitions"]
    flags = definitions_raw["category_flags"]
    default_category = definitions_raw["default_category"]
    if ("definitions", "category_flags") in located.positions:
        for flag, category in flags.items():
            check.known(category, ("definitions", "category_flags", flag), category_names,
                        "category")
    else:  # the defaults apply only as far as the categories exist
        flags = {flag: category for flag, category in flags.items() if category in categories}
    if ("definitions", "default_category") in located.positions:
        check.known(default_category, ("definitions", "default_category"), category_names,
                    "category")
    elif default_category not in categories:
        default_category = None
    definitions = DefinitionReading(
        enabled=definitions_raw["enabled"],
        file=definitions_raw["file"],
        variable=definitions_raw["variable"],
        class_name=definitions_raw["class_name"],
        category_flags=tuple(flags.items()),
        default_category=default_category,
        read=tuple(definitions_raw["read"]) if definitions_raw["enabled"] else (),
    )

    modules: dict[str, ModuleDeclaration] = {}
    module_names = tuple(values["modules"])
    for name, spec in values["modules"].items():
        if spec["category"] is not None:
            check.known(spec["category"], ("modules", name, "category"), category_names,
                        "category")
        requires = spec["requires"]
        if requires is not None:
            for index, required in enumerate(requires):
                check.known(required, ("modules", name, "requires", index),
                            _module_references(values["modules"]), "module")
        modules[name] = ModuleDeclaration(
            name=name,
            category=spec["category"],
            requires=tuple(requires) if requires is not None else None,
            code=spec["code"],
            purpose=spec["purpose"],
            line=located.at(("modules", name)).line,
        )

    contracts = []
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(values["contracts"]):
        path: DocPath = ("contracts", index)
        if raw["id"] in seen_ids:
            raise check.fail((*path, "id"), f"contract id '{raw['id']}' is already used by "
                                            f"contracts[{seen_ids[raw['id']]}]")
        seen_ids[raw["id"]] = index
        _check_contract_references(check, path, raw, category_names, module_names)
        options = {k: v for k, v in raw.items() if k not in CONTRACT_KEYS}
        contracts.append(
            ContractSpec(
                id=raw["id"],
                type=raw["type"],
                name=raw["name"] or raw["id"],
                severity=raw["severity"],
                count=tuple(raw["count"]) if raw["count"] is not None else None,
                indirect=Indirect(raw.get("indirect", Indirect.KERNEL)),
                ignores=tuple(_ignore(i, located.at((*path, "ignore", n)).line)
                              for n, i in enumerate(raw["ignore"])),
                options=options,
                line=located.at(path).line,
            )
        )

    ignores = tuple(_ignore(i, located.at(("ignores", n)).line)
                    for n, i in enumerate(values["ignores"]))
    for index, ignore in enumerate(ignores):
        for position, contract_id in enumerate(ignore.contracts):
            check.known(contract_id, ("ignores", index, "contracts", position), tuple(seen_ids),
                        "contract")

    runtime_raw = values["runtime"]
    runtime = RuntimeSpec(
        entry_points=tuple(runtime_raw["entry_points"]),
        discovered=tuple(runtime_raw["discovered"]),
        scanned=tuple(runtime_raw["scanned"]),
        smoke=tuple(SmokeCommand(s["name"], s["command"], s["timeout"])
                    for s in runtime_raw["smoke"]),
        timeout=float(runtime_raw["timeout"]),
    )
    strings_raw = values["strings"]
    strings = StringsSpec(
        enabled=strings_raw["enabled"],
        loaders=tuple(LoaderRule(function=r["function"], form=r["form"],
                                 argument=int(r["argument"]), keyword=r["keyword"],
                                 submodule=r["submodule"])
                      for r in strings_raw["loaders"]),
        app_labels=tuple(strings_raw["app_labels"].items()),
        external_apps=tuple(strings_raw["external_apps"]),
        settings=tuple(strings_raw["settings"]),
    )
    return ArchitectureConfig(
        source=located.file,
        version=values["version"],
        root_package=root,
        modules_package=modules_package,
        source_root=project["source_root"],
        kernel=tuple(values["kernel"]),
        categories=categories,
        modules=modules,
        definitions=definitions,
        counted_kinds=tuple(values["policy"]["count"]),
        contracts=tuple(contracts),
        ignores=ignores,
        runtime=runtime,
        strings=strings,
        exclude=tuple(project["exclude"]),
    )


def _module_references(raw_modules: dict[str, dict]) -> tuple[str, ...]:
    """Names a ``requires`` entry may use: package names and declared codes."""
    names = list(raw_modules)
    names += [spec["code"] for spec in raw_modules.values() if spec["code"]]
    return tuple(names)


def _check_contract_references(check: _References, path: DocPath, raw: dict,
                               categories: tuple[str, ...], modules: tuple[str, ...]) -> None:
    """Options that name categories must name declared ones; options that name modules,
    declared modules (when the configuration declares any)."""
    kind = CONTRACT_KINDS[raw["type"]]
    spec = ContractSpec(raw["id"], raw["type"], raw["id"], options=raw)
    for key, index, category in kind.option_values(spec, OptionType.CATEGORIES):
        check.known(category, (*path, key, index), categories, "category")
    if modules:
        for key, index, module in kind.option_values(spec, OptionType.MODULES):
            check.known(module, (*path, key, index), modules, "module")


def _ignore(raw: dict, line: int | None) -> Ignore:
    return Ignore(raw["importer"], raw["imported"], raw["reason"], tuple(raw["contracts"]), line)
