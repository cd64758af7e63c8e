"""Writing a configuration: a :class:`ConfigDraft` as the text of an ``archguard.yaml``.

``archguard init`` drafts a configuration from what it finds in a codebase, and from an
import-linter configuration; both are written here, in the order and style of the format's
reference (a comment above each section and contract, short lists inline). The text is
always read back through the loader before it is written anywhere.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

#: Width at which long strings are folded.
WIDTH = 92


@dataclass(frozen=True)
class DraftContract:
    """A contract to write: the keys every contract has, its kind's options, and the lines
    of comment above it."""

    id: str
    type: str
    name: str = ""
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None
    indirect: str | None = None
    count: tuple[str, ...] | None = None
    ignore: tuple[dict[str, Any], ...] = ()
    comment: tuple[str, ...] = ()

    def document(self) -> dict[str, Any]:
        """The contract as the format writes it: empty keys left out."""
        written: dict[str, Any] = {"id": self.id}
        if self.name:
            written["name"] = self.name
        written["type"] = self.type
        if self.description:
            written["description"] = self.description
        written.update(self.options)
        for key in ("severity", "indirect"):
            if getattr(self, key) is not None:
                written[key] = getattr(self, key)
        if self.count is not None:
            written["count"] = list(self.count)
        if self.ignore:
            written["ignore"] = [dict(entry) for entry in self.ignore]
        return written


@dataclass(frozen=True)
class ConfigDraft:
    """A configuration to write, with a comment for each section that says where its
    content came from."""

    root_package: str
    modules_package: str
    categories: dict[str, str]
    header: tuple[str, ...] = ()
    source_root: str = "."
    kernel: tuple[str, ...] = ()
    kernel_comment: tuple[str, ...] = ()
    #: The ``definitions`` section's keys; None writes ``enabled: false``.
    definitions: dict[str, Any] | None = None
    definitions_comment: tuple[str, ...] = ()
    #: Each module's keys (category, requires, code, purpose), by package name.
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The ``strings`` section's keys, when it has any to say.
    strings: dict[str, Any] | None = None
    strings_comment: tuple[str, ...] = ()
    modules_comment: tuple[str, ...] = ()
    count: tuple[str, ...] | None = None
    count_comment: tuple[str, ...] = ()
    contracts: tuple[DraftContract, ...] = ()
    ignores: tuple[dict[str, Any], ...] = ()
    #: Comment lines at the end: what could not be written as configuration.
    footer: tuple[str, ...] = ()


def render(draft: ConfigDraft) -> str:
    """The ``archguard.yaml`` text of ``draft``."""
    parts = [_comment(draft.header), "version: 1\n"]
    project: dict[str, Any] = {"root_package": draft.root_package,
                               "modules_package": draft.modules_package}
    if draft.source_root != ".":
        project["source_root"] = draft.source_root
    parts.append(_dump({"project": project}))
    if draft.kernel:
        parts.append(_comment(draft.kernel_comment)
                     + _dump({"kernel": list(draft.kernel)}, flow=False))
    parts.append(_dump({"categories": {name: {"description": text} if text else {}
                                       for name, text in draft.categories.items()}}))
    definitions = draft.definitions if draft.definitions is not None else {"enabled": False}
    parts.append(_comment(draft.definitions_comment) + _dump({"definitions": definitions}))
    if draft.modules:
        parts.append(_comment(draft.modules_comment) + _modules(draft.modules))
    if draft.strings:
        parts.append(_comment(draft.strings_comment)
                     + _dump({"strings": draft.strings}, flow=False))
    if draft.count is not None:
        parts.append(_comment(draft.count_comment)
                     + _dump({"policy": {"count": list(draft.count)}}))
    if draft.contracts:
        parts.append("contracts:\n" + "\n".join(_contract(c) for c in draft.contracts))
    if draft.ignores:
        parts.append(_dump({"ignores": [dict(entry) for entry in draft.ignores]}))
    if draft.footer:
        parts.append(_comment(draft.footer))
    return "\n".join(part for part in parts if part)


def _comment(lines: tuple[str, ...], indent: str = "") -> str:
    """Comment lines, each folded at :data:`WIDTH`."""
    return "".join(f"{indent}# {part}".rstrip() + "\n" for line in lines
                   for part in textwrap.wrap(line, WIDTH - len(indent) - 2) or [""])


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the format's reference writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(value: Any, flow: bool = True, width: int = WIDTH) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=None if flow else False)


def _modules(modules: dict[str, dict[str, Any]]) -> str:
    """One line a module, the keys of each aligned: ``  billing:  {category: core}``."""
    width = max(map(len, modules)) + 1
    lines = ["modules:\n"]
    for name, keys in modules.items():
        value = _dump(keys).strip() if keys else "{}"
        lines.append(f"  {name + ':':<{width}} {value}\n")
    return "".join(lines)


def _contract(contract: DraftContract) -> str:
    body = _dump([contract.document()], width=WIDTH - 2)
    lines = [f"  {line}" if line else line for line in body.splitlines()]
    return _comment(contract.comment, "  ") \
        + "\n".join(lines) + "\n"
