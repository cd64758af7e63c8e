"""Finding, reading and validating the configuration into an :class:`ArchitectureConfig`.

The file is loaded with YAML's safe loader only. Errors name the file, line, column and key.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Collection
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
from archguard.domain.patterns import matches
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
    """``[tool.archguard]`` of ``path``; None when it has none."""
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        where = Position(path, int(found[1]), int(found[2])) if found else Position(path)
        message = str(exc)[:found.start()].rstrip() if found else str(exc)
        raise ConfigError(f"invalid TOML: {message}", where) from None
    except RecursionError:
        raise ConfigError("invalid TOML: nested too deeply", Position(path)) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError("must be a table", Position(path, _key_line(path, "tool")),
                          key="tool")
    table = tool.get("archguard")
    if table is not None and not isinstance(table, dict):
        raise ConfigError("must be a table", Position(path, _key_line(path, "tool.archguard")),
                          key="tool.archguard")
    return table


def _read_text(path: Path) -> str:
    """The text of a configuration file; a clear error when it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", Position(path)) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError("configuration is not UTF-8 text", Position(path, line)) from None


def load_config(path: Path, *, project_dir: Path | None = None) -> ArchitectureConfig:
    """Read and validate the configuration at ``path`` (YAML, or pyproject's table).

    An error in a file outside ``project_dir``, or outside the folder of a
    ``pyproject.toml`` that names it, shows the key and position only, never a value: such
    a file may hold a secret, and the error lands in CI logs.

    With ``project_dir``, the packages the configuration names are looked for in its tree
    (see :func:`_check_packages`).
    """
    config = _load(path, (), project_dir.resolve() if project_dir is not None else None)
    if project_dir is not None:
        _check_packages(config, project_dir)
    return config


def config_from_text(text: str, path: Path, *, project_dir: Path | None = None
                     ) -> ArchitectureConfig:
    """The configuration ``text``, which is to be written at ``path`` (a YAML file), read
    and validated as :func:`load_config` reads a file: errors name ``path``."""
    config = _build(*validate_document(text, path, CONFIG_SCHEMA))
    if project_dir is not None:
        _check_packages(config, project_dir)
    return config


def _load(path: Path, via: tuple[Path, ...], project: Path | None) -> ArchitectureConfig:
    """:func:`load_config` of ``path``, reached through the pyproject files ``via``; an
    error quotes nothing of a file outside ``project``."""
    text = _read_text(path)
    try:
        if path.name != "pyproject.toml":
            return _build(*validate_document(text, path, CONFIG_SCHEMA))
        table = _pyproject_table(path)
        if table is None:
            raise ConfigError("no [tool.archguard] table", Position(path))
        if set(table) == {"config"}:
            return _load(_pointed(path, table["config"], via), (*via, path),
                         project or path.parent.resolve())
        # Re-serialise the table so the same validator applies; lines point at the table.
        text = yaml.safe_dump(table, sort_keys=False)
        values, located = validate_document(text, path, CONFIG_SCHEMA)
        header = _table_line(path)
        located.positions = {k: Position(path, header) for k in located.positions}
        return _build(values, located)
    except ConfigError as exc:
        if project is None or not exc.quotes_content or path.resolve().is_relative_to(project):
            raise
        raise ConfigError("not a valid archguard configuration (the file is outside the "
                          "project: its content is not shown)", exc.position,
                          key=exc.key) from None


def _pointed(pyproject: Path, target: object, via: tuple[Path, ...]) -> Path:
    """The file ``[tool.archguard] config`` names, checked to be one that can be read."""
    where = Position(pyproject, _key_line(pyproject, "config"))
    if not isinstance(target, str) or not target:
        raise ConfigError("must be the path of a configuration file", where,
                          key="tool.archguard.config")
    resolved = (pyproject.parent / target).resolve()
    if resolved in {p.resolve() for p in (*via, pyproject)}:
        raise ConfigError(f"'{target}' points back to {pyproject.name}: name the YAML file",
                          where, key="tool.archguard.config")
    if not resolved.is_file():
        raise ConfigError(f"'{target}' is not a file", where, key="tool.archguard.config")
    return resolved


def _key_line(path: Path, key: str) -> int | None:
    """The line of ``path`` that opens table ``key`` or sets its last part (``config``)."""
    last = key.rpartition(".")[2]
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(f"[{key}") or stripped.split("=", 1)[0].strip() == last:
            return number
    return None


def _table_line(path: Path) -> int | None:
    for number, line in enumerate(io.StringIO(_read_text(path)), start=1):
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

    def known(self, value: str, path: DocPath, known: Collection[str], what: str):
        """Fail unless ``value`` is one of ``known`` (a set keeps many checks linear), a
        pattern, or ``*``."""
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
            check.known(category, ("definitions", "category_flags", flag), categories,
                        "category")
    else:  # the defaults apply only as far as the categories exist
        flags = {flag: category for flag, category in flags.items() if category in categories}
    if ("definitions", "default_category") in located.positions:
        check.known(default_category, ("definitions", "default_category"), categories,
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
    module_names = frozenset(values["modules"])
    references = _module_references(values["modules"])
    for name, spec in values["modules"].items():
        if spec["category"] is not None:
            check.known(spec["category"], ("modules", name, "category"), categories,
                        "category")
        requires = spec["requires"]
        if requires is not None:
            for index, required in enumerate(requires):
                check.known(required, ("modules", name, "requires", index), references,
                            "module")
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
        _check_contract_references(check, path, raw, categories, module_names)
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
                description=raw["description"],
            )
        )

    ignores = tuple(_ignore(i, located.at(("ignores", n)).line)
                    for n, i in enumerate(values["ignores"]))
    for index, ignore in enumerate(ignores):
        for position, contract_id in enumerate(ignore.contracts):
            check.known(contract_id, ("ignores", index, "contracts", position), seen_ids,
                        "contract")
    _check_ignore_scopes(check, values, root)

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
        lines=_tree_lines(values, located),
    )


def _tree_lines(values: dict[str, Any], located: Located) -> dict[tuple[str, str], int]:
    """The line of each name of the project's tree the file gives, by key and name (see
    :attr:`ArchitectureConfig.lines`)."""
    named: list[tuple[DocPath, str]] = [
        (("project", key), values["project"][key])
        for key in ("source_root", "root_package", "modules_package")]
    named += [(("kernel", index), name) for index, name in enumerate(values["kernel"])]
    named += [(("runtime", "entry_points", index), name)
              for index, name in enumerate(values["runtime"]["entry_points"])]
    lines = {}
    for path, name in named:
        line = located.at(path).line
        if line is not None:
            lines[(render_path(path[:-1] if isinstance(path[-1], int) else path), name)] = line
    return lines


def _module_references(raw_modules: dict[str, dict]) -> frozenset[str]:
    """Names a ``requires`` entry may use: package names and declared codes."""
    return frozenset(raw_modules) | {spec["code"] for spec in raw_modules.values()
                                     if spec["code"]}


def _check_contract_references(check: _References, path: DocPath, raw: dict,
                               categories: Collection[str], modules: Collection[str]) -> None:
    """Options that name categories must name declared ones; options that name modules,
    declared modules (when the configuration declares any)."""
    kind = CONTRACT_KINDS[raw["type"]]
    spec = ContractSpec(raw["id"], raw["type"], raw["id"], options=raw)
    for key, index, category in kind.option_values(spec, OptionType.CATEGORIES):
        check.known(category, (*path, key, index), categories, "category")
    if modules:
        for key, index, module in kind.option_values(spec, OptionType.MODULES):
            check.known(module, (*path, key, index), modules, "module")
    if raw["type"] in OVERLAP_REFUSED:
        sources = set(raw.get("source") or ())
        for index, name in enumerate(raw.get("forbidden") or ()):
            if name in sources and name != ANY:
                raise check.fail((*path, "forbidden", index),
                                 f"'{name}' is both in source and in forbidden: a module "
                                 "cannot be forbidden to depend on itself")


#: Contract kinds whose ``source`` and ``forbidden`` must not name the same thing.
OVERLAP_REFUSED = ("category_layering", "forbidden")


def _check_ignore_scopes(check: _References, values: dict[str, Any], root: str) -> None:
    """An ignore whose importer matches every module of ``root`` accepts every import of
    what it names: refused, since it silences a contract instead of naming an exception."""
    where = [(("ignores", n), raw) for n, raw in enumerate(values["ignores"])]
    where += [(("contracts", c, "ignore", n), raw)
              for c, contract in enumerate(values["contracts"])
              for n, raw in enumerate(contract["ignore"])]
    probes = (root, f"{root}.x_", f"{root}.x_.y_.z_")
    for path, raw in where:
        importer = raw["importer"]
        if "**" in importer and all(matches(importer, probe) for probe in probes):
            raise check.fail((*path, "importer"),
                             f"'{importer}' matches every module: name the importers this "
                             "ignore accepts")


def _ignore(raw: dict, line: int | None) -> Ignore:
    return Ignore(raw["importer"], raw["imported"], raw["reason"], tuple(raw["contracts"]), line)


def _check_packages(config: ArchitectureConfig, project_dir: Path) -> None:
    """Refuse a configuration whose root package or modules package is not in the tree of
    ``project_dir``: nothing could be checked, and every contract would be kept by nothing.
    Only the file tree is read; a folder that cannot be searched is left to the reading,
    which reports what it cannot read.

    The root package must be a regular package (with ``__init__.py``), as grimp reads it;
    the modules package only a folder, since a modules package without ``__init__.py`` is
    reported by the inventory, with the rest of what it finds.
    """
    try:
        _check_folders(config, project_dir)
    except OSError:
        return


def _check_folders(config: ArchitectureConfig, project_dir: Path) -> None:
    """:func:`_check_packages`, raising :class:`OSError` where a folder cannot be searched."""
    elsewhere = "run archguard on the project's folder, or set project.source_root"
    source_root = project_dir / config.source_root
    if not source_root.is_dir():
        raise _not_in_tree(config, "project.source_root", config.source_root,
                           f"{source_root} is not a folder; it is the folder holding the "
                           "root package, relative to the project's folder")
    root = source_root / Path(*config.root_package.split("."))
    if not (root / "__init__.py").is_file():
        found = (f"{root}/ has no __init__.py, and archguard reads regular packages only, as "
                 "grimp and import-linter do" if root.is_dir()
                 else f"{root} does not exist; {elsewhere}")
        raise _not_in_tree(config, "project.root_package", config.root_package, found)
    modules = source_root / Path(*config.modules_package.split("."))
    if not modules.is_dir():
        raise _not_in_tree(config, "project.modules_package", config.modules_package,
                           f"{modules} is not a folder; {elsewhere}")


def _not_in_tree(config: ArchitectureConfig, key: str, value: str, found: str) -> ConfigError:
    """The error for a package or folder ``key`` names that the project does not have."""
    return ConfigError(f"'{value}' is not in the project: {found}",
                       Position(config.source, config.lines.get((key, value))), key=key)
