"""What a recipe is, and what it may ask of the project while it looks for violations it
can remove.

A recipe is one class in one module of this package: its id, title and documentation, the
safety of its rewrite, and :meth:`Recipe.propose`, which reads the violations ``check``
found (with their uses), the module layout and the source, and returns a proposal per group
of violations it can remove, or the reason it does not apply. Validation against the
contracts, the choice among proposals and the writing of files happen elsewhere.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from archguard.domain.inventory import Inventory
from archguard.domain.layout import Layout, OwnerKind
from archguard.domain.proposals import Proposal, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import Violation
from archguard.rewrites.facts import FileFacts, NameUse, file_facts


@dataclass(frozen=True)
class ProtocolFacts:
    """A ``Protocol`` class of a contracts module: where it is, its methods, its text."""

    name: str
    module: str
    file: str
    line: int
    methods: tuple[str, ...]
    docstring: str

    def words(self) -> set[str]:
        return words(self.name, *self.methods, self.docstring)


@dataclass
class RewriteContext:
    """The project as the recipes see it. Nothing here imports or runs the project's code:
    sources are read through ``read`` and parsed with ``ast``.

    ``read`` gives the text of a project-relative path (None when absent); ``file_of``
    the project-relative file of a dotted module (None when the project has none).
    """

    violations: tuple[Violation, ...]
    layout: Layout
    inventory: Inventory
    read: Callable[[str], str | None]
    file_of: Callable[[str], str | None]
    #: Modules whose files hold the contracts (``Protocol`` classes) every module may use.
    contract_modules: tuple[str, ...] = ()
    #: Every module of the project, by dotted name.
    modules: frozenset[str] = frozenset()
    #: The project's modules importing each module: ``{imported: {importer, ...}}``.
    importers: dict[str, set[str]] = field(default_factory=dict)
    #: The class each ``definition.py`` instantiates.
    definition_class: str = "ModuleDefinition"
    #: Its fields (``providers``, …), each with its annotation as written.
    definition_fields: dict[str, str] = field(default_factory=dict)
    #: The kernel module that looks providers up for callers, if the project has one.
    provider_lookup: str | None = None
    modules_package: str = ""
    #: Functions an accepted proposal moves out of each file: ``{file: {qualname, ...}}``.
    moved: dict[str, set[str]] = field(default_factory=dict)
    _facts: dict[str, FileFacts | None] = field(default_factory=dict)

    def facts(self, file: str, module: str) -> FileFacts | None:
        """The facts of one project file (parsed once)."""
        if file not in self._facts:
            text = self.read(file)
            self._facts[file] = None if text is None else \
                file_facts(text, module, file.endswith("__init__.py"))
        return self._facts[file]

    def facts_of(self, violation: Violation) -> FileFacts | None:
        return self.facts(violation.file, violation.importer)

    def staying(self, file: str, uses: Iterable[NameUse]) -> list[NameUse]:
        """The uses that stay in ``file`` once the accepted proposals have moved code."""
        gone = self.moved.get(file, set())
        return [u for u in uses if u.function is None or u.function not in gone]

    def category(self, module: str) -> str | None:
        owner = self.layout.modules.get(module)
        return owner.category if owner else None

    def module_package(self, module: str) -> str:
        return f"{self.modules_package}.{module}"

    def short(self, file: str) -> str:
        """A file as the seed's tables write it: relative to the modules package's folder
        (``tenancy/models/__init__.py``)."""
        init = self.file_of(self.modules_package)
        folder = init.rpartition("/")[0] if init else ""
        return short_file(file, folder) if folder else file

    def group(self, violations: Sequence[Violation]) -> str:
        """The dependency a group of violations makes, as the seed's tables name it: the
        importing files (or ``module/*`` for several) and the modules they reach."""
        files = sorted({self.short(v.file) for v in violations})
        sources = sorted({v.source_module for v in violations})
        where = files[0] if len(files) == 1 else \
            (f"{sources[0]}/*" if len(sources) == 1 else ", ".join(files))
        targets = ", ".join(sorted({v.target_module for v in violations}))
        return f"{where} → {targets}"

    def module_folder(self, module: str) -> str | None:
        """The project-relative folder of a module (``app/modules/catalog``)."""
        found = self.inventory.module(module)
        if found is None:
            return None
        init = self.file_of(found.package)
        return init.rpartition("/")[0] if init else None

    @cached_property
    def protocols(self) -> tuple[ProtocolFacts, ...]:
        """Every ``Protocol`` class of the contract modules."""
        found = []
        for module in self.contract_modules:
            prefix = self.module_package(module)
            for dotted in sorted(m for m in self.modules if m == prefix
                                 or m.startswith(prefix + ".")):
                file = self.file_of(dotted)
                text = self.read(file) if file else None
                if not text:
                    continue
                tree = parse_text(text)
                if tree is None:
                    continue
                for node in tree.body:
                    if isinstance(node, ast.ClassDef) and any(
                            _base_name(b) == "Protocol" for b in node.bases):
                        methods = tuple(n.name for n in node.body
                                        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
                        found.append(ProtocolFacts(node.name, dotted, file or "", node.lineno,
                                                   methods, ast.get_docstring(node) or ""))
        return tuple(found)

    def consumers(self, protocol: ProtocolFacts) -> list[str]:
        """Core code outside the contract modules that imports the protocol's module and
        names the protocol: the aggregators that ask every module's implementation."""
        found = []
        for importer in sorted(self.importers.get(protocol.module, ())):
            owner = self.layout.owner_of(importer)
            if owner.kind == OwnerKind.MODULE and (owner.category != "core"
                                                   or owner.name in self.contract_modules):
                continue
            file = self.file_of(importer)
            text = self.read(file) if file else None
            if text and re.search(rf"\b{re.escape(protocol.name)}\b", text) \
                    and "definition" not in importer.rpartition(".")[2]:
                found.append(importer)
        return found


@dataclass
class Workspace:
    """The files a fix run rewrites, in memory: what a recipe reads sees the rewrites of
    the recipes before it, and nothing is written to disk until the whole run succeeded."""

    original: Callable[[str], str | None]
    changed: dict[str, str] = field(default_factory=dict)

    def read(self, path: str) -> str | None:
        return self.changed[path] if path in self.changed else self.original(path)

    def text(self, path: str) -> str:
        """The text of a file that must exist."""
        from archguard.rewrites.codemods import CodemodError

        found = self.read(path)
        if found is None:
            raise CodemodError(f"{path}: no such file")
        return found

    def write(self, path: str, text: str) -> None:
        if text != self.read(path):
            self.changed[path] = text

    def snapshot(self) -> dict[str, str]:
        return dict(self.changed)

    def restore(self, snapshot: dict[str, str]) -> None:
        self.changed = dict(snapshot)


class Recipe:
    """A rewrite archguard can propose. A recipe subclasses this, sets the class
    attributes, and implements :meth:`propose`, and :meth:`apply` when its rewrite is
    mechanical."""

    id: ClassVar[str]
    title: ClassVar[str]
    doc: ClassVar[RecipeDoc]
    safety: ClassVar[Safety] = Safety.MANUAL
    #: Where the recipe comes in the order proposals are tried (lower first).
    rank: ClassVar[int] = 50

    def propose(self, context: RewriteContext,
                violations: Sequence[Violation]) -> Iterable[Proposal | Rejection]:
        """A proposal for each group of ``violations`` this recipe removes, and a rejection
        for each it was made for but cannot remove (with the reason)."""
        raise NotImplementedError

    def apply(self, proposal: Proposal, files: Workspace) -> None:
        """Rewrite ``files`` as ``proposal`` says; raises CodemodError where it cannot."""
        from archguard.rewrites.codemods import CodemodError

        raise CodemodError(f"{self.id} has no mechanical rewrite: {proposal.summary}")


# -- helpers the recipes share ------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
#: Short forms read as the words they stand for.
_SYNONYMS = {"stats": "statistics", "stat": "statistics", "metrics": "statistics",
             "metric": "statistics", "info": "information", "qty": "quantity",
             "num": "number", "cnt": "count"}
#: Words that say nothing of what a name is about.
STOP_WORDS = frozenset({"get", "set", "list", "create", "update", "delete", "add", "remove",
                        "service", "services", "provider", "protocol", "the", "a", "an", "of",
                        "for", "to", "and", "or", "by", "in", "is", "its", "it", "this",
                        "that", "with", "from", "each", "all", "module", "modules", "self",
                        "db", "id", "ids", "on", "be", "are", "as", "e", "g", "eg", "s"})


def words(*texts: str) -> set[str]:
    """The meaningful lower-case words of identifiers and prose, short forms expanded."""
    found = set()
    for text in texts:
        for part in re.split(r"[^A-Za-z0-9]+", text):
            for word in _WORD.findall(part):
                lowered = word.lower()
                lowered = _SYNONYMS.get(lowered, lowered)
                if lowered.endswith("s") and len(lowered) > 3 and lowered not in ("status",
                                                                                   "statistics"):
                    lowered = lowered[:-1]
                if lowered not in STOP_WORDS and len(lowered) > 1:
                    found.add(lowered)
    return found


def pascal(*parts: str) -> str:
    """``pascal("product", "count")`` → ``ProductCount``; identifiers keep their capitals."""
    out = []
    for part in parts:
        for piece in re.split(r"[^A-Za-z0-9]+", part):
            if piece:
                out.append(piece[0].upper() + piece[1:])
    return "".join(out)


def snake(name: str) -> str:
    """``ProductCountProvider`` → ``product_count_provider``."""
    return "_".join(w.lower() for w in _WORD.findall(name))


def short_file(file: str, modules_folder: str) -> str:
    """A file as the seed's table writes it: relative to the modules folder."""
    prefix = modules_folder.rstrip("/") + "/"
    return file[len(prefix):] if file.startswith(prefix) else file


def parse_text(text: str) -> ast.Module | None:
    """The syntax tree of a source text; None when it does not parse (``check`` has
    reported the file already)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _base_name(node: object) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
