"""A small declarative schema for archguard's YAML, validated against YAML nodes.

The schema validates the composed YAML node tree, so every error carries the line and column
of the offending node, and an unknown key is answered with the nearest valid one. The same
schema objects export a JSON Schema (``archguard schema``) for editors and other tools.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from archguard.errors import ConfigError, Position

# A path into the document: mapping keys and sequence indexes.
DocPath = tuple[str | int, ...]


@dataclass
class Located:
    """Where each validated value came from, by document path."""

    file: Path
    positions: dict[DocPath, Position] = field(default_factory=dict)

    def at(self, path: DocPath) -> Position:
        """The position of ``path``, or of its nearest recorded ancestor."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, Position(self.file))


def render_path(path: DocPath) -> str:
    """``contracts[2].forbidden`` style rendering of a document path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "<document>"


def nearest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The closest candidate to ``word``, if any is close enough to be a likely typo."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


class _Context:
    def __init__(self, file: Path) -> None:
        self.located = Located(file)
        self._constructor = SafeConstructor()

    def position(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return Position(self.located.file, mark.line + 1, mark.column + 1)

    def error(self, node: yaml.Node, path: DocPath, message: str, suggestion: str | None = None,
              *, quotes_content: bool = True):
        return ConfigError(
            message, self.position(node), key=render_path(path) if path else None,
            suggestion=suggestion, quotes_content=quotes_content,
        )

    def scalar(self, node: yaml.Node) -> Any:
        """The value of a scalar node; a value its tag cannot read (``!!int abc``) is an
        error at the node."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise ConfigError(str(exc.problem), self.position(node)) from None
        except (ValueError, TypeError, KeyError, OverflowError):
            tag = node.tag.rpartition(":")[2]
            raise ConfigError(f"{_shown(node.value)} is not a valid !!{tag}",
                              self.position(node)) from None


class Schema:
    """Base of the schema node types."""

    description: str = ""

    def validate(self, node: yaml.Node, path: DocPath, ctx: _Context) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError

    def _doc(self, schema: dict) -> dict:
        if self.description:
            schema["description"] = self.description
        return schema

    @property
    def type_name(self) -> str:
        raise NotImplementedError


#: The longest value an error message quotes; a longer one is cut.
_SHOWN_LENGTH = 60


def _shown(value: str) -> str:
    """``value`` quoted for a message, cut to :data:`_SHOWN_LENGTH` characters."""
    if len(value) > _SHOWN_LENGTH:
        value = value[:_SHOWN_LENGTH] + "…"
    return repr(value) if not value.isprintable() else f"'{value}'"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "empty"
    return _shown(node.value)


@dataclass
class Str(Schema):
    """A string, optionally one of ``choices`` or matching ``pattern``."""

    description: str = ""
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    pattern_hint: str | None = None

    type_name = "a string"

    def validate(self, node, path, ctx):
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            raise ctx.error(node, path, f"expected a string, got {_kind(node)}")
        value = node.value
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(self.choices)
            raise ctx.error(
                node, path, f"'{value}' is not one of: {allowed}", nearest(value, self.choices)
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            hint = self.pattern_hint or f"must match {self.pattern}"
            raise ctx.error(node, path, f"'{value}' {hint}")
        return value

    def json_schema(self):
        schema: dict = {"type": "string"}
        if self.choices is not None:
            schema["enum"] = list(self.choices)
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return self._doc(schema)


@dataclass
class Bool(Schema):
    description: str = ""
    type_name = "true or false"

    def validate(self, node, path, ctx):
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
            return ctx.scalar(node)
        raise ctx.error(node, path, f"expected true or false, got {_kind(node)}")

    def json_schema(self):
        return self._doc({"type": "boolean"})


@dataclass
class Number(Schema):
    """A finite number (``.nan`` and ``.inf`` are refused), at least ``minimum`` and more
    than ``exclusive_minimum`` where given."""

    description: str = ""
    minimum: float | None = None
    integer: bool = False
    exclusive_minimum: float | None = None

    @property
    def type_name(self) -> str:
        return "an integer" if self.integer else "a number"

    def validate(self, node, path, ctx):
        accepted = (":int",) if self.integer else (":int", ":float")
        if not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(accepted)):
            raise ctx.error(node, path, f"expected {self.type_name}, got {_kind(node)}")
        value = ctx.scalar(node)
        if not math.isfinite(value):
            raise ctx.error(node, path, f"must be a finite number, got {node.value}")
        if self.minimum is not None and value < self.minimum:
            raise ctx.error(node, path, f"must be at least {self.minimum}, got {value}")
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            raise ctx.error(node, path,
                            f"must be more than {self.exclusive_minimum}, got {value}")
        return value

    def json_schema(self):
        schema: dict = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        return self._doc(schema)


@dataclass
class ListOf(Schema):
    """A list of items. ``min_items`` and ``unique`` are checked."""

    item: Schema
    description: str = ""
    min_items: int = 0
    unique: bool = False
    type_name = "a list"

    def validate(self, node, path, ctx):
        if not isinstance(node, yaml.SequenceNode):
            raise ctx.error(node, path, f"expected a list, got {_kind(node)}")
        if len(node.value) < self.min_items:
            raise ctx.error(node, path, f"needs at least {self.min_items} item(s)")
        values = []
        seen: set = set()
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            ctx.located.positions[child_path] = ctx.position(child)
            value = self.item.validate(child, child_path, ctx)
            if self.unique:
                # A set keeps the check linear; unhashable items (mappings) are compared
                # by their canonical text.
                marker = value if isinstance(value, str | int | float | bool) else repr(value)
                if marker in seen:
                    raise ctx.error(child, child_path, f"'{value}' is listed twice")
                seen.add(marker)
            values.append(value)
        return values

    def json_schema(self):
        schema: dict = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.unique:
            schema["uniqueItems"] = True
        return self._doc(schema)


def _mapping_pairs(node, path, ctx) -> list[tuple[yaml.Node, str, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, path, f"expected a mapping, got {_kind(node)}")
    seen: dict[str, yaml.Node] = {}
    pairs = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ctx.error(key_node, path, "keys must be plain strings")
        key = str(key_node.value)
        if key in seen:
            first = ctx.position(seen[key]).line
            raise ctx.error(key_node, (*path, key), f"duplicate key (first given on line {first})")
        seen[key] = key_node
        ctx.located.positions[(*path, key)] = ctx.position(key_node)
        pairs.append((key_node, key, value_node))
    return pairs


@dataclass
class MapOf(Schema):
    """A mapping with free keys (matching ``key_pattern``) and values of one schema."""

    value: Schema
    description: str = ""
    key_pattern: str | None = None
    key_hint: str | None = None
    type_name = "a mapping"

    def validate(self, node, path, ctx):
        result = {}
        for key_node, key, value_node in _mapping_pairs(node, path, ctx):
            if self.key_pattern is not None and not re.fullmatch(self.key_pattern, key):
                hint = self.key_hint or f"must match {self.key_pattern}"
                raise ctx.error(key_node, (*path, key), f"'{key}' {hint}")
            result[key] = self.value.validate(value_node, (*path, key), ctx)
        return result

    def json_schema(self):
        schema: dict = {"type": "object", "additionalProperties": self.value.json_schema()}
        if self.key_pattern is not None:
            schema["propertyNames"] = {"pattern": f"^(?:{self.key_pattern})$"}
        return self._doc(schema)


@dataclass
class Field:
    """One key of a :class:`Struct`."""

    schema: Schema
    required: bool = False
    default: Any = None
    default_factory: Callable[[], Any] | None = None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default


@dataclass
class Struct(Schema):
    """A mapping with a fixed set of keys. Unknown keys are errors with a suggestion."""

    fields: Mapping[str, Field]
    description: str = ""
    title: str | None = None
    type_name = "a mapping"

    def validate(self, node, path, ctx):
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            node = yaml.MappingNode("tag:yaml.org,2002:map", [], node.start_mark, node.end_mark)
        result: dict[str, Any] = {}
        for key_node, key, value_node in _mapping_pairs(node, path, ctx):
            spec = self.fields.get(key)
            if spec is None:
                valid = ", ".join(self.fields)
                raise ctx.error(
                    key_node, (*path, key), f"unknown key (valid keys here: {valid})",
                    nearest(key, tuple(self.fields)), quotes_content=False,
                )
            result[key] = spec.schema.validate(value_node, (*path, key), ctx)
        for key, spec in self.fields.items():
            if key in result:
                continue
            if spec.required:
                raise ctx.error(node, path, f"missing required key '{key}'",
                                quotes_content=False)
            if isinstance(spec.schema, Struct) and spec.default is None:
                result[key] = spec.schema.defaults()
            else:
                result[key] = spec.default_value()
        return result

    def defaults(self) -> dict[str, Any]:
        """The value of an absent section: every field at its default."""
        values: dict[str, Any] = {}
        for key, spec in self.fields.items():
            if isinstance(spec.schema, Struct) and spec.default is None:
                values[key] = spec.schema.defaults()
            else:
                values[key] = spec.default_value()
        return values

    def json_schema(self):
        schema: dict = {
            "type": "object",
            "properties": {k: f.schema.json_schema() for k, f in self.fields.items()},
            "additionalProperties": False,
        }
        required = [k for k, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        if self.title:
            schema["title"] = self.title
        return self._doc(schema)


@dataclass
class Tagged(Schema):
    """A mapping whose ``tag`` key picks which :class:`Struct` validates the rest."""

    tag: str
    variants: Mapping[str, Struct]
    description: str = ""
    type_name = "a mapping"

    def validate(self, node, path, ctx):
        pairs = _mapping_pairs(node, path, ctx)
        tag_node = next((value for _, key, value in pairs if key == self.tag), None)
        if tag_node is None:
            choices = ", ".join(self.variants)
            raise ctx.error(node, path, f"missing required key '{self.tag}' (one of: {choices})",
                            quotes_content=False)
        variant = Str(choices=tuple(self.variants)).validate(tag_node, (*path, self.tag), ctx)
        return self.variants[variant].validate(node, path, ctx)

    def json_schema(self):
        return self._doc({"oneOf": [v.json_schema() for v in self.variants.values()]})


#: libyaml's parser where PyYAML was built with it (about 10x faster on large files); the
#: nodes, positions and errors are the same.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def validate_document(text: str, file: Path, schema: Schema) -> tuple[Any, Located]:
    """Parse ``text`` as YAML and validate it, returning plain values and their positions."""
    ctx = _Context(file)
    try:
        node = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
        raise ConfigError(f"invalid YAML: {exc.problem or exc.context}", position) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", Position(file)) from None
    if node is None:
        raise ConfigError("the file is empty", Position(file, 1, 1), quotes_content=False)
    if not isinstance(node, yaml.MappingNode):
        # Not quoted: a file named by mistake (a token, a key) must not land in a log.
        got = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ConfigError(f"expected a mapping of keys, got {got}", ctx.position(node),
                          quotes_content=False)
    _check_expansion(node, ctx)
    return schema.validate(node, (), ctx), ctx.located


#: How many nodes aliases may add to a document, beyond its own: enough for any real
#: reuse of anchors, far below what an alias bomb expands to.
ALIAS_EXPANSION_LIMIT = 100_000


def _check_expansion(root: yaml.Node, ctx: _Context) -> None:
    """Refuse a document whose aliases expand it by more than :data:`ALIAS_EXPANSION_LIMIT`
    nodes, or refer to a node from inside itself, before anything walks the expanded tree.

    Aliases compose to shared nodes, so each distinct node is visited once: the sizes are
    computed bottom-up, iteratively, in time linear in the document's own nodes.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    added = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            open_nodes.discard(id(node))
            size[id(node)] = 1 + sum(size[id(child)] for child in children)
            continue
        if id(node) in size:  # one collection holding the same alias twice
            added += size[id(node)]
            children = []
        else:
            open_nodes.add(id(node))
            stack.append((node, True))
        if added > ALIAS_EXPANSION_LIMIT:
            raise ctx.error(node, (), f"aliases expand the document by more than "
                                      f"{ALIAS_EXPANSION_LIMIT:,} nodes")
        for child in reversed(children):
            key = id(child)
            if key in open_nodes:
                raise ctx.error(node, (), "an alias refers to a collection that holds it "
                                          "(a recursive anchor)")
            if key in size:  # an alias: the nodes it repeats
                added += size[key]
            elif isinstance(child, yaml.ScalarNode):
                size[key] = 1
            else:
                stack.append((child, False))
                continue
            if added > ALIAS_EXPANSION_LIMIT:
                raise ctx.error(node, (), f"aliases expand the document by more than "
                                          f"{ALIAS_EXPANSION_LIMIT:,} nodes")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
