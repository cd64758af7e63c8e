"""Reading an import-linter configuration, as import-linter reads it.

An INI file (``.importlinter``, ``setup.cfg``) holds an ``[importlinter]`` section and a
section for each contract, ``[importlinter:contract:ID]`` (any section named
``importlinter:…`` is one; its id is the name's last part). A value on several lines is a
list, one item a line; a value on one line is one item. ``pyproject.toml`` holds a
``[tool.importlinter]`` table whose ``contracts`` is a list of tables, booleans read as
``True``/``False``. The file is only read: nothing it names is imported or checked here.

Errors name the file and the line: of the section or table, or of the key at fault.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archguard.config.schema import nearest
from archguard.errors import ConfigError, Position

SECTION = "importlinter"
TOML_TABLE = "tool.importlinter"
#: The contract types import-linter has built in.
BUILT_IN_TYPES = ("forbidden", "layers", "independence", "protected", "private_modules",
                  "acyclic_siblings")
#: Every contract's keys, beside its type's options.
COMMON_KEYS = ("id", "name", "type")
_IGNORES = ("ignore_imports", "unmatched_ignore_imports_alerting")
#: The options import-linter accepts for the types archguard converts: any other is refused
#: by lint-imports (``Unrecognized option``), and so here.
OPTIONS = {
    "forbidden": ("source_modules", "forbidden_modules", *_IGNORES, "allow_indirect_imports",
                  "as_packages", "broken_contract_guidance"),
    "layers": ("layers", "containers", *_IGNORES, "exhaustive", "exhaustive_ignores",
               "broken_contract_guidance"),
    "independence": ("modules", *_IGNORES, "broken_contract_guidance"),
}
#: The options each of those types requires.
REQUIRED = {"forbidden": ("source_modules", "forbidden_modules"), "layers": ("layers",),
            "independence": ("modules",)}
_HEADER = re.compile(r"\[(?P<header>.+)\]")
_KEY = re.compile(r"(?P<key>[^=:\s][^=:]*?)\s*[=:]")

Value = str | tuple[str, ...]


@dataclass(frozen=True)
class LinterContract:
    """One contract of an import-linter configuration: its id, type and name, its other
    options as import-linter reads them (one value, or the lines of a list), and where it
    and each of its keys are in the file."""

    id: str
    type: str
    name: str
    options: Mapping[str, Value]
    file: Path
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def position(self, key: str | None = None) -> Position:
        """Where the contract is, or where it sets ``key``."""
        return Position(self.file, self.key_lines.get(key, self.line) if key else self.line)

    def values(self, key: str) -> tuple[str, ...]:
        """A list option's items (one value is a list of one; blank lines are no item)."""
        value = self.options.get(key, ())
        items = (value,) if isinstance(value, str) else value
        return tuple(item.strip() for item in items if item.strip())

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean option: ``True``/``true`` or ``False``/``false``, as import-linter reads
        them; anything else is an error at its line."""
        value = self.options.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ConfigError(f"'{_shown(value)}' is not a boolean: write True or False",
                          self.position(key), key=f"{self.id}.{key}")

    def text(self, key: str) -> str:
        """A text option, its lines joined."""
        value = self.options.get(key, "")
        return value if isinstance(value, str) else "\n".join(value)


@dataclass(frozen=True)
class LinterConfig:
    """An import-linter configuration: its session options and its contracts."""

    file: Path
    root_packages: tuple[str, ...]
    include_external_packages: bool
    exclude_type_checking_imports: bool
    contracts: tuple[LinterContract, ...]
    #: The contract types the file registers itself (``contract_types``), by name.
    own_types: tuple[str, ...] = ()
    line: int | None = None

    @property
    def position(self) -> Position:
        """Where the ``[importlinter]`` section (or table) starts."""
        return Position(self.file, self.line)


def read_importlinter(path: Path) -> LinterConfig:
    """The import-linter configuration in ``path``: TOML when it ends in ``.toml``, else INI."""
    text = _read_text(path)
    if path.suffix == ".toml":
        return _from_toml(path, text)
    return _from_ini(path, text)


def _read_text(path: Path) -> str:
    """The file's text; an error at its line when it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the import-linter configuration: {exc.strerror}",
                          Position(path)) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError("the import-linter configuration is not UTF-8 text",
                          Position(path, line)) from None


def _shown(value: Value) -> str:
    """A value as one line of text."""
    return value if isinstance(value, str) else " ".join(value)


# -- INI --------------------------------------------------------------------------------------

def _from_ini(path: Path, text: str) -> LinterConfig:
    """The configuration of an INI file, read by configparser as import-linter reads it."""
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ConfigError(f"invalid INI: {_ini_message(exc)}",
                          Position(path, _ini_line(exc))) from None
    lines = _ini_lines(text)
    contract_sections = [name for name in parser.sections() if name.startswith(f"{SECTION}:")]
    if SECTION not in parser.sections():
        where = lines.get(contract_sections[0], (1, {}))[0] if contract_sections else 1
        found = (f"has [{contract_sections[0]}] but" if contract_sections
                 else "is not an import-linter configuration: it has")
        raise ConfigError(f"{path.name} {found} no [{SECTION}] section", Position(path, where))
    session = _ini_section(parser, SECTION, path, lines)
    contracts = []
    for name in contract_sections:
        header, key_lines = lines.get(name, (None, {}))
        options = _ini_section(parser, name, path, lines)
        contracts.append(_contract({"id": name.split(":")[-1], **options}, path, header,
                                   key_lines))
    return _config(path, session, contracts, lines.get(SECTION, (None, {}))[0])


def _ini_section(parser: configparser.ConfigParser, name: str, path: Path,
                 lines: dict[str, tuple[int | None, dict[str, int]]]) -> dict[str, Value]:
    """A section's options as import-linter cleans them: a value holding a newline is the
    list of its lines."""
    found: dict[str, Value] = {}
    for key in parser[name]:
        try:
            value = parser[name][key]
        except configparser.InterpolationError as exc:
            raise ConfigError(f"invalid INI: {exc.message.splitlines()[0]} (write '%%' for a "
                              "'%')", Position(path, _key_line(lines, name, key)),
                              key=f"{name.split(':')[-1]}.{key}") from None
        found[key] = tuple(value.strip().split("\n")) if "\n" in value else value
    return found


def _key_line(lines: dict[str, tuple[int | None, dict[str, int]]], section: str,
              key: str) -> int | None:
    """The line that sets ``key`` in ``section``, else the section's."""
    header, keys = lines.get(section, (None, {}))
    return keys.get(key, header)


def _ini_lines(text: str) -> dict[str, tuple[int | None, dict[str, int]]]:
    """Each section's header line, and the line of each key it sets (keys lower case, as
    configparser reads them)."""
    found: dict[str, tuple[int | None, dict[str, int]]] = {}
    keys: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        header = _HEADER.match(stripped)
        if header and not line[0].isspace():
            keys = {}
            found.setdefault(header["header"], (number, keys))
        elif not line[0].isspace() and (key := _KEY.match(stripped)):
            keys.setdefault(key["key"].strip().lower(), number)
    return found


def _ini_message(exc: configparser.Error) -> str:
    """What configparser found wrong, without the file and line it names itself."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return "a line before any [section]"
    if isinstance(exc, configparser.ParsingError):
        return "a line that is neither a [section], a key nor a value's continuation"
    return exc.message.splitlines()[0].split(": ", 1)[-1]


def _ini_line(exc: configparser.Error) -> int | None:
    """The line configparser found wrong."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        return exc.errors[0][0]
    return getattr(exc, "lineno", None)


# -- TOML -------------------------------------------------------------------------------------

def _from_toml(path: Path, text: str) -> LinterConfig:
    """The configuration of a ``pyproject.toml``: its ``[tool.importlinter]`` table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        where = Position(path, int(found[1]), int(found[2])) if found else Position(path)
        message = str(exc)[:found.start()].rstrip() if found else str(exc)
        raise ConfigError(f"invalid TOML: {message}", where) from None
    tool = data.get("tool")
    table = tool.get("importlinter") if isinstance(tool, dict) else None
    header = _toml_header(text, f"[{TOML_TABLE}]")
    if not table:
        raise ConfigError(f"{path.name} is not an import-linter configuration: it has no "
                          f"[{TOML_TABLE}] table", Position(path, header or 1))
    if not isinstance(table, dict):
        raise ConfigError("must be a table", Position(path, header), key=TOML_TABLE)
    session = {key: _toml_value(value) for key, value in table.items() if key != "contracts"}
    raw = table.get("contracts", [])
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ConfigError("must be a list of tables, one a contract",
                          Position(path, _toml_key_line(text, "contracts", header or 1)),
                          key=f"{TOML_TABLE}.contracts")
    starts = _toml_contract_lines(text, raw, header or 1)
    contracts = []
    for index, (entry, start) in enumerate(zip(raw, starts, strict=True)):
        options = {key: _toml_value(value) for key, value in entry.items()}
        end = starts[index + 1] if index + 1 < len(starts) else None
        key_lines = {key: line for key in options
                     if (line := _toml_key_line(text, key, start, end)) is not None}
        options.setdefault("id", _slug(_shown(options.get("name", ""))) or str(index + 1))
        contracts.append(_contract(options, path, start, key_lines))
    return _config(path, session, contracts, header)


def _toml_value(value: object) -> Value:
    """A TOML value as import-linter passes it to a contract: booleans as ``True``/``False``,
    lists as their items."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return tuple(_shown(_toml_value(item)) for item in value)
    return str(value)


def _toml_header(text: str, header: str) -> int | None:
    """The line of the table header ``header``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") == header:
            return number
    return None


def _toml_contract_lines(text: str, raw: list[dict[str, object]], start: int) -> list[int]:
    """The line each contract starts at: its ``[[tool.importlinter.contracts]]`` header, or,
    in an inline list, the line that gives its id or, without one, its name (else the
    line of the contract before)."""
    lines = text.splitlines()
    headers = [number for number, line in enumerate(lines, start=1)
               if line.strip().replace(" ", "") == f"[[{TOML_TABLE}.contracts]]"]
    if len(headers) == len(raw):
        return headers
    found = []
    after = start
    for entry in raw:
        key = "id" if "id" in entry else "name"
        line = _toml_key_line(text, key, after, value=str(entry.get(key, "")))
        found.append(line or after)
        after = (line or after) + (line is not None)
    return found


def _toml_key_line(text: str, key: str, start: int, end: int | None = None,
                   value: str | None = None) -> int | None:
    """The first line from ``start`` (before ``end``) that sets ``key`` (to ``value``)."""
    wanted = re.compile(rf"(?:^|[{{,\s]){re.escape(key)}\s*=\s*"
                        + (rf"[\"']{re.escape(value)}[\"']" if value is not None else ""))
    for number, line in enumerate(text.splitlines(), start=1):
        if number < start or (end is not None and number >= end):
            continue
        if wanted.search(line):
            return number
    return None


def _slug(text: str) -> str:
    """An id made of a contract's name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# -- both -------------------------------------------------------------------------------------

def _contract(options: dict[str, Value], path: Path, line: int | None,
              key_lines: dict[str, int]) -> LinterContract:
    """One contract, checked to have what lint-imports requires of it."""
    contract_id = _shown(options.pop("id"))
    where = Position(path, line)
    if "type" not in options:
        raise ConfigError(f"contract '{contract_id}' has no type (forbidden, layers, "
                          "independence, …)", where, key=contract_id)
    if "name" not in options:
        raise ConfigError(f"contract '{contract_id}' has no name, which lint-imports "
                          "requires", where, key=contract_id)
    contract = LinterContract(id=contract_id, type=_shown(options.pop("type")).strip(),
                              name=_shown(options.pop("name")), options=options, file=path,
                              line=line, key_lines=key_lines)
    _check_options(contract)
    return contract


def _check_options(contract: LinterContract) -> None:
    """The options of a type archguard converts must be those import-linter accepts."""
    known = OPTIONS.get(contract.type)
    if known is None:
        return
    for key in contract.options:
        if key not in known:
            raise ConfigError(f"a {contract.type} contract has no option '{key}' (lint-imports "
                              "refuses it)", contract.position(key), key=f"{contract.id}.{key}",
                              suggestion=nearest(key, known))
    for key in REQUIRED[contract.type]:
        if not contract.values(key):
            raise ConfigError(f"a {contract.type} contract needs {key}", contract.position(),
                              key=f"{contract.id}.{key}")


def _config(path: Path, session: dict[str, Value], contracts: list[LinterContract],
            line: int | None) -> LinterConfig:
    """The configuration, checked to name its root packages and to hold contracts of types
    import-linter knows."""
    where = Position(path, line)
    roots = session.get("root_packages") or session.get("root_package")
    if not roots:
        raise ConfigError("names no root_package (or root_packages)", where, key=SECTION)
    roots = (roots,) if isinstance(roots, str) else roots
    own_types = tuple(entry.split(": ")[0].strip()
                      for entry in _items(session.get("contract_types", ())))
    if not contracts:
        raise ConfigError(f"{path.name} has no contract ([{SECTION}:contract:ID] sections, or "
                          f"[[{TOML_TABLE}.contracts]] tables)", where)
    known = (*BUILT_IN_TYPES, *own_types)
    for contract in contracts:
        if contract.type not in known:
            raise ConfigError(f"unknown contract type '{contract.type}' (import-linter has "
                              f"{', '.join(BUILT_IN_TYPES)})", contract.position("type"),
                              key=f"{contract.id}.type", suggestion=nearest(contract.type,
                                                                            known))
    return LinterConfig(
        file=path, root_packages=tuple(item.strip() for item in _items(roots)),
        include_external_packages=_session_flag(session, "include_external_packages"),
        exclude_type_checking_imports=_session_flag(session, "exclude_type_checking_imports"),
        contracts=tuple(contracts), own_types=own_types, line=line)


def _session_flag(session: dict[str, Value], key: str) -> bool:
    """A session option import-linter takes as true when it is ``True`` or ``true``, and as
    false whatever else it is."""
    return session.get(key) in ("True", "true")


def _items(value: Value) -> tuple[str, ...]:
    """A value's items, blank ones left out."""
    items = (value,) if isinstance(value, str) else value
    return tuple(item for item in items if item.strip())
