"""Write a synthetic modular platform for benchmarks, with planted core -> optional violations.

    python benchmarks/generate.py OUT_DIR --files N [--modules M] [--fanout F] [--violations V]
        [--violation-files N] [--file-lines MEDIAN,P90]
        [--kinds module=70,lazy=15,type_checking=5,guarded=5,string=5] [--seed S] [--force]

The tree is a root package ``app`` with a small kernel (``app.core``, ``app.main``) and M modules
under ``app.modules``, split into core (about 40 %) and optional ones. Core modules import only
core modules and the kernel; optional modules import core and optional ones. Every leaf file
has about F imports of other files, of the kinds archguard tells apart (module-level, lazy,
``if TYPE_CHECKING:``, guarded by ``except ImportError``, and SQLAlchemy-style
``relationship("ClassName")`` strings). V core -> optional dependencies are planted on top,
at known files and lines, and listed in ``manifest.json``: in as many files as they fall in,
or in ``--violation-files`` of them, several to a file, as in real code. Leaf files are short
unless ``--file-lines`` asks for real code's sizes: each is then padded, with code that imports
nothing, to a length drawn from a log-normal distribution of that median and 90th percentile.

The tree imports cleanly (``python -c "import app.main"`` executes every file): modules and
their files are ranked, and an import that runs at import time (module-level or guarded)
always names a file of lower rank, while each package ``__init__`` imports its children in
rank order. Lazy, ``TYPE_CHECKING`` and string references may point anywhere.

Next to the tree: ``archguard.yaml``, ``.importlinter`` and ``tach.toml`` state the same
contract (core modules do not depend on optional ones) for the three tools. The output
depends only on the arguments: the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("module", "lazy", "type_checking", "guarded", "string")
DEFAULT_KINDS = "module=70,lazy=15,type_checking=5,guarded=5,string=5"
PLANTED_KINDS = ("module", "lazy", "string")
AT_IMPORT_TIME = ("module", "guarded")
MIN_FILES, MAX_FILES = 50, 50_000
MIN_MODULES = 4
CORE_SHARE = 0.4
CORE_RANK_BIAS = 0.35
LOCAL_SHARE = 0.6
MODULE_DEPENDENCIES = (2, 6)
MAX_FILE_LINES = 20_000
# The Gaussian quantile of 0.9: a log-normal's 90th percentile is its median times
# exp(1.2816 * sigma).
P90_SIGMAS = 1.2815516

# Sub-packages in rank order: a file imports, at import time, only files of earlier
# sub-packages (or earlier files of its own), so models never import services at load.
SUBPACKAGES = ("models", "schemas", "utils", "services", "events", "tasks", "routes")
# Which sub-packages a module gets first, after models, as it grows.
SUBPACKAGE_PRIORITY = ("services", "routes", "schemas", "tasks", "utils", "events")
SUFFIXES = {"models": "", "schemas": "_schemas", "utils": "_utils", "services": "_service",
            "events": "_events", "tasks": "_tasks", "routes": "_routes"}
MODULE_NAMES = (
    "accounts", "analytics", "audit", "billing", "booking", "cart", "catalog", "checkout",
    "cms", "contracts", "customers", "delivery", "documents", "export", "feedback",
    "fulfilment", "gifting", "imports", "inventory", "invoicing", "ledger", "loyalty",
    "marketing", "marketplace", "media", "messaging", "notifications", "orders", "payments",
    "pricing", "procurement", "promotions", "quotes", "recommendations", "refunds",
    "reporting", "returns", "reviews", "scheduling", "search", "shipping", "subscriptions",
    "support", "taxes", "tenancy", "translations", "warehouse", "wishlists",
)
NOUNS = (
    "account", "address", "adjustment", "allocation", "attachment", "balance", "batch",
    "category", "channel", "comment", "contact", "coupon", "credit", "currency", "discount",
    "document", "entry", "event", "invoice", "item", "job", "label", "limit", "line", "member",
    "message", "note", "offer", "option", "package", "page", "payment", "period", "plan",
    "policy", "price", "profile", "rate", "record", "region", "request", "rule", "schedule",
    "session", "setting", "snapshot", "source", "status", "tag", "template", "ticket",
    "token", "transfer", "unit", "variant", "voucher",
)

KERNEL = [
    "app/__init__.py",
    "app/core/__init__.py",
    "app/core/db.py",
    "app/core/module_definition.py",
    "app/modules/__init__.py",
    "app/main.py",
]
KERNEL_SOURCES = {
    "app/__init__.py": '"""A synthetic modular platform, generated for benchmarks."""\n',
    "app/core/__init__.py": '"""The kernel: what every module may use."""\n',
    "app/modules/__init__.py": '"""The modules: each sub-package is one module."""\n',
    "app/core/db.py": '''"""Database stand-ins: enough for models to declare themselves."""


class Base:
    """Base class of every model; a model names its table in ``__tablename__``."""

    __tablename__: str = ""


class Session:
    """A unit of work, passed to services as a parameter."""

    def add(self, instance: object) -> None:
        """Stage ``instance`` for writing."""


def relationship(*args: object, **kwargs: object) -> None:
    """Declare a relationship to a model named by its class name (resolved later)."""
    return None
''',
    "app/core/module_definition.py": '''"""What a module declares about itself."""

from dataclasses import dataclass, field


@dataclass
class ModuleDefinition:
    """Declaration of one module: its code, category flags and the modules it requires."""

    code: str
    name: str
    description: str = ""
    is_core: bool = False
    is_internal: bool = False
    requires: list[str] = field(default_factory=list)
''',
}


class GenerationError(Exception):
    """The arguments describe a platform that cannot be generated."""


@dataclass(eq=False)
class Leaf:
    """A file of a module that other files import: it defines one exported name."""

    index: int
    module: Module
    subpackage: str
    stem: str
    export: str
    table: str = ""
    edges: list[Edge] = field(default_factory=list)

    @property
    def dotted(self) -> str:
        return f"app.modules.{self.module.name}.{self.subpackage}.{self.stem}"

    @property
    def path(self) -> str:
        return f"app/modules/{self.module.name}/{self.subpackage}/{self.stem}.py"

    @property
    def is_model(self) -> bool:
        return self.subpackage == "models"


@dataclass(eq=False)
class Edge:
    """One reference from a leaf to another leaf; ``line`` is set when the file is written."""

    target: Leaf
    kind: str
    planted: bool = False
    line: int = 0


@dataclass(eq=False)
class Module:
    """A module: its category, rank, sub-packages and leaves."""

    name: str
    category: str
    rank: int = 0
    subpackages: dict[str, list[Leaf]] = field(default_factory=dict)
    leaves: list[Leaf] = field(default_factory=list)
    models: list[Leaf] = field(default_factory=list)
    dependencies: list[Module] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)

    @property
    def is_core(self) -> bool:
        return self.category == "core"


def camel(name: str) -> str:
    """``order_line_2`` -> ``OrderLine2``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def parse_kinds(text: str) -> dict[str, float]:
    """``module=70,lazy=15`` -> weights for every kind (absent kinds weigh 0)."""
    weights = dict.fromkeys(KINDS, 0.0)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in KINDS:
            raise GenerationError(f"--kinds: {item!r} is not KIND=WEIGHT with KIND one of "
                                  f"{', '.join(KINDS)}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise GenerationError(f"--kinds: weight of {name} is not a number: "
                                  f"{value!r}") from None
        if not math.isfinite(weights[name]) or weights[name] < 0:
            raise GenerationError(f"--kinds: weight of {name} must be a number, 0 or more")
    if sum(weights.values()) <= 0:
        raise GenerationError("--kinds: at least one kind needs a positive weight")
    return weights


class Platform:
    """The generated platform, built in memory from the parameters, then written."""

    def __init__(self, files: int, modules: int, fanout: int, violations: int,
                 kinds: dict[str, float], seed: int, violation_files: int = 0,
                 file_lines: tuple[int, int] | None = None) -> None:
        self.files, self.module_count, self.fanout = files, modules, fanout
        self.violation_count, self.kinds, self.seed = violations, kinds, seed
        self.violation_files, self.file_lines = violation_files, file_lines
        self.rng = random.Random(seed)
        self.modules: list[Module] = []
        self.leaves: list[Leaf] = []
        self.sources: dict[str, str] = {}
        self._class_names: set[str] = set()
        self._tables: set[str] = set()
        self._exports: set[str] = set()

    # -- shape -------------------------------------------------------------------------------

    def build(self) -> Platform:
        self._make_modules()
        self._make_leaves()
        self._choose_dependencies()
        self._draw_imports()
        self._plant_violations()
        self._declare_requires()
        self._render()
        return self

    def _make_modules(self) -> None:
        rng = self.rng
        count = self.module_count
        names = [MODULE_NAMES[i % len(MODULE_NAMES)]
                 + (f"_{i // len(MODULE_NAMES) + 1}" if i >= len(MODULE_NAMES) else "")
                 for i in range(count)]
        core_count = max(1, round(CORE_SHARE * count))
        core = set(rng.sample(range(count), core_count))
        self.modules = [Module(name, "core" if i in core else "optional")
                        for i, name in enumerate(names)]
        # Rank: core modules tend to sit below optional ones, but they interleave, so some
        # optional modules rank below some core ones (where module-level violations go).
        keys = {m.name: rng.random() - (CORE_RANK_BIAS if m.is_core else 0.0)
                for m in self.modules}
        order = sorted(self.modules, key=lambda m: keys[m.name])
        top_core = max(i for i, m in enumerate(order) if m.is_core)
        bottom_optional = min(i for i, m in enumerate(order) if not m.is_core)
        if bottom_optional > top_core:
            order[top_core], order[bottom_optional] = order[bottom_optional], order[top_core]
        for rank, module in enumerate(order):
            module.rank = rank

    def _make_leaves(self) -> None:
        """Split the file budget over modules, sub-packages and leaves, in rank order."""
        rng = self.rng
        modules = sorted(self.modules, key=lambda m: m.rank)
        budget = self.files - len(KERNEL) - 2 * len(modules)  # each: __init__, definition
        weights = [rng.uniform(0.5, 1.5) for _ in modules]
        spare = budget - 2 * len(modules)
        sizes = [2 + int(spare * w / sum(weights)) for w in weights]
        for _ in range(budget - sum(sizes)):
            sizes[rng.randrange(len(sizes))] += 1
        for module, size in zip(modules, sizes, strict=True):
            count = max(1, min(len(SUBPACKAGES), size // 7 + 1, size // 2))
            chosen = {"models", *SUBPACKAGE_PRIORITY[:count - 1]}
            subpackages = [s for s in SUBPACKAGES if s in chosen]
            leaves = size - len(subpackages)
            others = len(subpackages) - 1
            models = max(1, min(leaves - others, round(leaves * 0.3))) if others else leaves
            rest = leaves - models
            per = [models] + [rest // others + (1 if i < rest % others else 0)
                              for i in range(others)]
            nouns = list(NOUNS)
            rng.shuffle(nouns)
            for subpackage, number in zip(subpackages, per, strict=True):
                files = []
                for i in range(number):
                    noun = nouns[i % len(nouns)]
                    if i >= len(nouns):
                        noun = f"{noun}_{i // len(nouns) + 1}"
                    files.append(self._leaf(module, subpackage, noun + SUFFIXES[subpackage]))
                module.subpackages[subpackage] = files
            module.models = module.subpackages["models"]

    def _leaf(self, module: Module, subpackage: str, stem: str) -> Leaf:
        leaf = Leaf(len(self.leaves), module, subpackage, stem, "")
        if leaf.is_model:
            leaf.export = self._unique(self._class_names, camel(module.name) + camel(stem))
            leaf.table = self._unique(self._tables, f"{module.name}_{stem}")
        else:
            leaf.export = self._unique(self._exports, f"{module.name}_{stem}")
        self.leaves.append(leaf)
        module.leaves.append(leaf)
        return leaf

    @staticmethod
    def _unique(taken: set[str], name: str) -> str:
        candidate, number = name, 2
        while candidate in taken:
            candidate, number = f"{name}{number}", number + 1
        taken.add(candidate)
        return candidate

    def _choose_dependencies(self) -> None:
        """Each module depends on a few others of allowed categories, mostly of lower rank."""
        rng = self.rng
        core = [m for m in self.modules if m.is_core]
        for module in self.modules:
            allowed = [m for m in (core if module.is_core else self.modules) if m is not module]
            if not allowed:
                continue
            lower = [m for m in allowed if m.rank < module.rank]
            wanted = min(len(allowed), rng.randint(*MODULE_DEPENDENCIES))
            chosen: list[Module] = []
            while len(chosen) < wanted:
                pool = lower if lower and rng.random() < 0.8 else allowed
                candidate = rng.choice(pool)
                if candidate not in chosen:
                    chosen.append(candidate)
            module.dependencies = sorted(chosen, key=lambda m: m.rank)

    # -- imports -----------------------------------------------------------------------------

    def _kind_tables(self) -> tuple[tuple[list[str], list[float]], tuple[list[str], list[float]]]:
        """Kind distributions for model leaves and for the others: only a model holds
        ``relationship()`` strings, so models take all the string share."""
        total = sum(self.kinds.values())
        share = {k: w / total for k, w in self.kinds.items()}
        models = sum(1 for leaf in self.leaves if leaf.is_model)
        string = min(1.0, share["string"] * len(self.leaves) / models)
        rest = 1.0 - share["string"]
        scale = (1.0 - string) / rest if rest > 0 else 0.0
        model_weights = {k: (string if k == "string" else share[k] * scale) for k in KINDS}
        other_weights = {k: (0.0 if k == "string" else share[k]) for k in KINDS}

        def table(weights: dict[str, float]) -> tuple[list[str], list[float]]:
            names = [k for k in KINDS if weights[k] > 0]
            return names, [weights[k] for k in names]

        return table(model_weights), table(other_weights)

    def _draw_imports(self) -> None:
        rng = self.rng
        model_kinds, other_kinds = self._kind_tables()
        low, high = self.fanout - self.fanout // 2, self.fanout + self.fanout // 2
        for leaf in self.leaves:
            names, weights = model_kinds if leaf.is_model else other_kinds
            if not names:
                continue
            taken = {leaf}
            for _ in range(rng.randint(low, high)):
                kind = rng.choices(names, weights)[0]
                target = self._pick_target(leaf, kind)
                if target is not None and target not in taken:
                    taken.add(target)
                    leaf.edges.append(Edge(target, kind))

    def _pick_target(self, leaf: Leaf, kind: str) -> Leaf | None:
        """A target for one reference: in the leaf's own module or in one it depends on.
        What runs at import time names only files of lower rank."""
        local = self.rng.random() < LOCAL_SHARE
        return self._target_in(leaf, kind, local) or self._target_in(leaf, kind, not local)

    def _target_in(self, leaf: Leaf, kind: str, local: bool) -> Leaf | None:
        rng = self.rng
        module = leaf.module
        at_import_time = kind in AT_IMPORT_TIME
        if local:
            pool = module.models if kind == "string" else module.leaves
            end = len(pool)
            if at_import_time:
                end = bisect.bisect_left(pool, leaf.index, key=lambda other: other.index)
            return pool[rng.randrange(end)] if end else None
        targets = module.dependencies
        if at_import_time:
            targets = [m for m in targets if m.rank < module.rank]
        if not targets:
            return None
        target = rng.choice(targets)
        return rng.choice(target.models if kind == "string" else target.leaves)

    def _plant_violations(self) -> None:
        """Core -> optional references, spread round-robin over the kinds --kinds allows."""
        kinds = [k for k in PLANTED_KINDS if self.kinds[k] > 0]
        if self.violation_count and not kinds:
            raise GenerationError("--violations needs a positive weight for module, lazy or "
                                  "string in --kinds")
        core = sorted((m for m in self.modules if m.is_core), key=lambda m: m.rank)
        optional = sorted((m for m in self.modules if not m.is_core), key=lambda m: m.rank)
        sources = self._violation_sources(core)
        pairs: set[tuple[int, int]] = set()
        for number in range(self.violation_count):
            kind = kinds[number % len(kinds)]
            for _ in range(1000):
                source, target = (self._pooled_violation(kind, sources, optional)
                                  or self._drawn_violation(kind, core, optional))
                if (source.index, target.index) not in pairs:
                    break
            else:
                raise GenerationError(f"cannot plant {self.violation_count} distinct "
                                      "violations in a platform this small")
            pairs.add((source.index, target.index))
            source.edges.append(Edge(target, kind, planted=True))

    def _drawn_violation(self, kind: str, core: list[Module],
                         optional: list[Module]) -> tuple[Leaf, Leaf]:
        """A violation of ``kind`` from any core module into an optional one (of lower rank
        for a module-level import, so that the tree still imports)."""
        rng = self.rng
        if kind == "module":
            source_module = rng.choice([m for m in core if m.rank > optional[0].rank])
            target_module = rng.choice([m for m in optional if m.rank < source_module.rank])
        else:
            source_module, target_module = rng.choice(core), rng.choice(optional)
        if kind == "string":
            return rng.choice(source_module.models), rng.choice(target_module.models)
        return rng.choice(source_module.leaves), rng.choice(target_module.leaves)

    def _violation_sources(self, core: list[Module]) -> list[Leaf]:
        """The ``--violation-files`` core leaves that hold the planted violations (none
        when the option is not given: each violation then picks its own file)."""
        if not self.violation_files:
            return []
        leaves = [leaf for module in core for leaf in module.leaves]
        return sorted(self.rng.sample(leaves, min(self.violation_files, len(leaves))),
                      key=lambda leaf: leaf.index)

    def _pooled_violation(self, kind: str, sources: list[Leaf],
                          optional: list[Module]) -> tuple[Leaf, Leaf] | None:
        """A violation of ``kind`` from one of ``sources`` into an optional module: a
        module-level import only into a module of lower rank (the tree must still import),
        a string only from a model; None when no source can hold it."""
        lowest = optional[0].rank
        eligible = [leaf for leaf in sources
                    if (kind != "module" or leaf.module.rank > lowest)
                    and (kind != "string" or leaf.is_model)]
        if not eligible:
            return None
        source = self.rng.choice(eligible)
        targets = [m for m in optional if kind != "module" or m.rank < source.module.rank]
        target_module = self.rng.choice(targets)
        return source, self.rng.choice(target_module.models if kind == "string"
                                       else target_module.leaves)

    def _declare_requires(self) -> None:
        """A module requires the optional modules its unplanted references reach."""
        for module in self.modules:
            module.requires = sorted({
                e.target.module.name for leaf in module.leaves for e in leaf.edges
                if not e.planted and not e.target.module.is_core and e.target.module is not module
            })

    # -- source ------------------------------------------------------------------------------

    def _render(self) -> None:
        self.sources = {path: KERNEL_SOURCES[path] for path in KERNEL if path in KERNEL_SOURCES}
        ordered = sorted(self.modules, key=lambda m: m.name)
        self.sources["app/main.py"] = render_main(ordered)
        for module in self.modules:
            base = f"app/modules/{module.name}"
            self.sources[f"{base}/__init__.py"] = render_module_init(module)
            self.sources[f"{base}/definition.py"] = render_definition(module)
            for subpackage, leaves in module.subpackages.items():
                self.sources[f"{base}/{subpackage}/__init__.py"] = render_subpackage_init(
                    module, subpackage, leaves)
        lengths = self._file_lengths()
        for leaf in self.leaves:
            self.sources[leaf.path] = pad(render_leaf(leaf), leaf, lengths.get(leaf.index, 0))

    def _file_lengths(self) -> dict[int, int]:
        """A length in lines for each leaf, drawn from ``--file-lines``' log-normal
        distribution, with a generator of its own: the rest of the tree is the same with
        the option as without it."""
        if self.file_lines is None:
            return {}
        median, p90 = self.file_lines
        sigma = math.log(p90 / median) / P90_SIGMAS
        rng = random.Random(f"{self.seed}:file-lines")
        return {leaf.index: min(MAX_FILE_LINES, round(rng.lognormvariate(math.log(median),
                                                                         sigma)))
                for leaf in self.leaves}


    # -- outputs -----------------------------------------------------------------------------

    def manifest(self, kinds_text: str) -> dict:
        counts = dict.fromkeys(KINDS, 0)
        for leaf in self.leaves:
            for edge in leaf.edges:
                counts[edge.kind] += 1
        planted_counts = dict.fromkeys(PLANTED_KINDS, 0)
        violations = []
        for leaf in self.leaves:
            for edge in leaf.edges:
                if not edge.planted:
                    continue
                planted_counts[edge.kind] += 1
                entry = {
                    "file": leaf.path, "line": edge.line, "kind": edge.kind,
                    "source_module": leaf.module.name, "target_module": edge.target.module.name,
                    "importer": leaf.dotted, "imported": edge.target.dotted,
                    "name": edge.target.export,
                }
                violations.append(entry)
        violations.sort(key=lambda v: (v["file"], v["line"]))
        return {
            "generator": "benchmarks/generate.py",
            "parameters": {
                "files": self.files, "modules": self.module_count, "fanout": self.fanout,
                "violations": self.violation_count, "kinds": kinds_text, "seed": self.seed,
                "violation_files": self.violation_files or None,
                "file_lines": list(self.file_lines) if self.file_lines else None,
            },
            "counts": {
                "files": len(self.sources),
                "modules": len(self.modules),
                "core_modules": sum(1 for m in self.modules if m.is_core),
                "optional_modules": sum(1 for m in self.modules if not m.is_core),
                "leaf_files": len(self.leaves),
                "model_files": sum(1 for leaf in self.leaves if leaf.is_model),
                "lines": sum(text.count("\n") for text in self.sources.values()),
                "imports": sum(counts.values()),
                "imports_by_kind": counts,
                "violations_by_kind": planted_counts,
            },
            "modules": {m.name: {"category": m.category, "rank": m.rank,
                                 "files": 2 + len(m.subpackages) + len(m.leaves)}
                        for m in sorted(self.modules, key=lambda m: m.name)},
            "violations": violations,
        }

    def configs(self) -> dict[str, str]:
        return {
            "archguard.yaml": render_archguard_yaml(self.modules),
            ".importlinter": render_importlinter(self.modules),
            "tach.toml": render_tach_toml(self.modules),
        }


# -- rendering -----------------------------------------------------------------------------------


def render_main(modules: list[Module]) -> str:
    lines = ['"""Application entry point: loads every module and collects its definition."""',
             ""]
    lines += [f"import app.modules.{m.name}" for m in modules]
    lines += ["", "MODULES = ["]
    lines += [f"    app.modules.{m.name}.definition.{m.name}_module," for m in modules]
    lines += ["]", ""]
    return "\n".join(lines)


def render_module_init(module: Module) -> str:
    lines = [f'"""The {module.name} module ({module.category})."""', "",
             "from . import definition"]
    lines += [f"from . import {s}" for s in module.subpackages]
    return "\n".join(lines) + "\n"


def render_subpackage_init(module: Module, subpackage: str, leaves: list[Leaf]) -> str:
    lines = [f'"""{subpackage.capitalize()} of the {module.name} module."""', ""]
    lines += [f"from . import {leaf.stem}" for leaf in leaves]
    return "\n".join(lines) + "\n"


def render_definition(module: Module) -> str:
    requires = module.requires
    if len(requires) <= 3:
        requires_text = "[" + ", ".join(f'"{r}"' for r in requires) + "]"
    else:
        requires_text = "[\n" + "".join(f'        "{r}",\n' for r in requires) + "    ]"
    return f'''"""Module definition for {module.name}."""

from app.core.module_definition import ModuleDefinition

{module.name}_module = ModuleDefinition(
    code="{module.name}",
    name="{camel(module.name)}",
    description="The {module.name} module of the synthetic platform.",
    is_core={module.is_core},
    is_internal=False,
    requires={requires_text},
)


def get_module_with_routers() -> ModuleDefinition:
    """Return the definition; routes are discovered, not attached here."""
    return {module.name}_module
'''


def _import_line(edge: Edge) -> str:
    return f"from {edge.target.dotted} import {edge.target.export}"


def render_leaf(leaf: Leaf) -> str:
    """A leaf's source; sets ``line`` on each of its edges."""
    by_kind: dict[str, list[Edge]] = {k: [] for k in KINDS}
    for edge in leaf.edges:
        by_kind[edge.kind].append(edge)
    for edges in by_kind.values():
        edges.sort(key=lambda e: e.target.dotted)
    noun = leaf.stem.replace("_", " ")
    out = [f'"""{noun.capitalize()}: part of the {leaf.module.name} module."""', ""]

    def add(text: str = "") -> int:
        out.append(text)
        return len(out)

    if by_kind["type_checking"]:
        add("from typing import TYPE_CHECKING")
        add()
    if leaf.is_model:
        add("from app.core.db import Base, relationship")
    elif leaf.subpackage == "services":
        add("from app.core.db import Session")
    for edge in by_kind["module"]:
        edge.line = add(_import_line(edge))
    if out[-1]:
        add()
    if by_kind["type_checking"]:
        add("if TYPE_CHECKING:")
        for edge in by_kind["type_checking"]:
            edge.line = add("    " + _import_line(edge))
        add()
    for edge in by_kind["guarded"]:
        add("try:")
        edge.line = add("    " + _import_line(edge))
        add("except ImportError:")
        add(f"    {edge.target.export} = None")
        add()
    add()

    if leaf.is_model:
        add(f"class {leaf.export}(Base):")
        add(f'    """A {noun} record of the {leaf.module.name} module."""')
        add()
        add(f'    __tablename__ = "{leaf.table}"')
        add()
        add("    id = 0")
        add('    name = ""')
        for edge in by_kind["string"]:
            target = edge.target
            edge.line = add(f'    {target.table} = relationship("{target.export}")')
    elif leaf.subpackage == "services":
        add(f"def {leaf.export}(db: Session, value: int = 0) -> dict:")
        add(f'    """Handle one {noun} request within ``db``."""')
        add('    return {"value": value, "session": db}')
    else:
        add(f"def {leaf.export}(value: int = 0) -> dict:")
        add(f'    """Describe one {noun}."""')
        add(f'    return {{"{leaf.stem}": value}}')

    for edge in by_kind["lazy"]:
        add()
        add()
        add(f"def load_{edge.target.table or edge.target.export}():")
        add(f'    """Load {edge.target.export} when it is first needed."""')
        edge.line = add("    " + _import_line(edge))
        add()
        add(f"    return {edge.target.export}")
    if by_kind["type_checking"]:
        names = " | ".join(e.target.export for e in by_kind["type_checking"])
        add()
        add()
        add(f'def accepts(item: "{names}") -> bool:')
        add('    """Whether an item of one of the referenced types is given."""')
        add("    return item is not None")
    used = by_kind["module"] + by_kind["guarded"]
    if used:
        add()
        add()
        add("def collaborators() -> tuple:")
        add('    """What this file works with."""')
        names = ", ".join(e.target.export for e in used)
        add(f"    return ({names},)" if len(used) == 1 else f"    return ({names})")
    return "\n".join(out) + "\n"


def pad(source: str, leaf: Leaf, lines: int) -> str:
    """``source`` with code that imports nothing appended, up to ``lines`` lines: helper
    functions like a real module's, so that reading the file costs what a file of that
    length costs, then one-line constants for the last few lines."""
    missing = lines - source.count("\n")
    out: list[str] = []
    number = 0
    while missing - len(out) >= 11:
        number += 1
        out += ["", "",
                f"def _{leaf.stem}_step_{number}(values: list[int], limit: int = {number}) "
                "-> int:",
                f'    """Fold the values of step {number} of the {leaf.stem} rules."""',
                "    total = 0",
                "    for value in values:",
                "        if value > limit:",
                f"            total += value * {number % 7 + 2}",
                "        else:",
                "            total -= limit",
                "    return total"]
    out += [f"_{leaf.stem.upper()}_LIMIT_{index} = {index}"
            for index in range(1, missing - len(out) + 1)]
    return source + "".join(line + "\n" for line in out)


def render_archguard_yaml(modules: list[Module]) -> str:
    lines = [
        "# Generated by benchmarks/generate.py: core modules must not depend on optional ones.",
        "version: 1",
        "project: {root_package: app, modules_package: app.modules}",
        "kernel: [app.main, app.core]",
        "categories:",
        "  core: {description: Always enabled.}",
        "  optional: {description: Can be disabled or removed.}",
        "definitions: {enabled: false}",
        "modules:",
    ]
    for module in sorted(modules, key=lambda m: m.name):
        declared = f", requires: [{', '.join(module.requires)}]" if module.requires else ""
        lines.append(f"  {module.name}: {{category: {module.category}{declared}}}")
    lines += [
        "policy: {count: [module, lazy, string]}",
        "contracts:",
        "  - id: core-not-optional",
        "    name: Core modules do not depend on optional modules",
        "    type: category_layering",
        "    source: [core]",
        "    forbidden: [optional]",
        "",
    ]
    return "\n".join(lines)


def render_importlinter(modules: list[Module]) -> str:
    core = sorted(m.name for m in modules if m.is_core)
    optional = sorted(m.name for m in modules if not m.is_core)
    lines = [
        "# Generated by benchmarks/generate.py: core modules must not depend on optional ones.",
        "# Direct imports only, like archguard's category_layering (which follows chains only",
        "# through kernel or uncategorised code; this tree has none). import-linter cannot",
        "# leave out guarded imports; the tree has no guarded core -> optional import.",
        "[importlinter]",
        "root_package = app",
        "include_external_packages = False",
        "exclude_type_checking_imports = True",
        "",
        "[importlinter:contract:core-not-optional]",
        "name = Core modules do not depend on optional modules",
        "type = forbidden",
        "source_modules =",
        *(f"    app.modules.{name}" for name in core),
        "forbidden_modules =",
        *(f"    app.modules.{name}" for name in optional),
        "allow_indirect_imports = True",
        "",
    ]
    return "\n".join(lines)


def render_tach_toml(modules: list[Module]) -> str:
    core = sorted(m.name for m in modules if m.is_core)
    lines = [
        "# Generated by benchmarks/generate.py: core modules may depend only on core modules",
        "# (and the kernel, app.core, a utility module); optional modules on anything.",
        'source_roots = ["."]',
        "exact = false",
        "ignore_type_checking_imports = true",
        'root_module = "ignore"',
        'exclude = ["**/__pycache__", "**/.archguard_cache", "**/.import_linter_cache"]',
        "",
        "[[modules]]",
        'path = "app.core"',
        "utility = true",
    ]
    for module in sorted(modules, key=lambda m: m.name):
        lines += ["", "[[modules]]", f'path = "app.modules.{module.name}"']
        if module.is_core:
            others = [f'"app.modules.{name}"' for name in core if name != module.name]
            lines.append("depends_on = [" + ", ".join(others) + "]")
    return "\n".join(lines) + "\n"


# -- command line -----------------------------------------------------------------------------

GENERATED = ("app", "archguard.yaml", ".importlinter", "tach.toml", "manifest.json",
             ".archguard_cache", ".import_linter_cache", ".tach")


def write_platform(out_dir: Path, platform: Platform, kinds_text: str, force: bool) -> dict:
    """Write the tree, the configurations and the manifest; returns the manifest."""
    if out_dir.exists() and not out_dir.is_dir():
        raise GenerationError(f"{out_dir} exists and is not a directory")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise GenerationError(f"{out_dir} is not empty (use --force to replace what "
                                  "the generator writes there)")
        for name in GENERATED:
            path = out_dir / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    files = dict(platform.sources)
    files.update(platform.configs())
    manifest = platform.manifest(kinds_text)
    files["manifest.json"] = json.dumps(manifest, indent=1) + "\n"
    for folder in sorted({str(Path(p).parent) for p in files}):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        (out_dir / relative).write_text(text, encoding="utf-8")
    return manifest


def file_lines(text: str) -> tuple[int, int]:
    """``80,400`` -> (80, 400): a median and a larger 90th percentile, in lines."""
    try:
        median, p90 = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not MEDIAN,P90 (two whole numbers of lines): {text!r}") from None
    if not 0 < median < p90 <= MAX_FILE_LINES:
        raise argparse.ArgumentTypeError(
            f"MEDIAN,P90 needs 0 < MEDIAN < P90 <= {MAX_FILE_LINES:,}: {text!r}")
    return median, p90


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write a synthetic modular platform (app/modules/...) with planted "
                    "core -> optional violations and configs for archguard, import-linter "
                    "and tach.")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--files", type=int, required=True,
                        help=f"Python files to write ({MIN_FILES} to {MAX_FILES})")
    parser.add_argument("--modules", type=int, default=None,
                        help=f"modules (default: files / 50, at least {MIN_MODULES})")
    parser.add_argument("--fanout", type=int, default=5,
                        help="imports of other files per file, on average (default 5)")
    parser.add_argument("--violations", type=int, default=10,
                        help="planted core -> optional violations (default 10)")
    parser.add_argument("--violation-files", type=int, default=0, metavar="N",
                        help="plant the violations in N core files, several to a file "
                             "(default: each in a file of its own drawing)")
    parser.add_argument("--file-lines", type=file_lines, default=None, metavar="MEDIAN,P90",
                        help="pad each leaf file to a length drawn from a log-normal "
                             "distribution with this median and 90th percentile, in lines "
                             "(default: no padding)")
    parser.add_argument("--kinds", default=DEFAULT_KINDS,
                        help=f"weights of the import kinds (default {DEFAULT_KINDS})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty OUT_DIR, replacing app/, the configs "
                             "and the manifest")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        if not MIN_FILES <= args.files <= MAX_FILES:
            raise GenerationError(f"--files must be from {MIN_FILES} to {MAX_FILES}")
        modules = args.modules if args.modules is not None \
            else max(MIN_MODULES, round(args.files / 50))
        if modules < MIN_MODULES:
            raise GenerationError(f"--modules must be at least {MIN_MODULES}")
        if len(KERNEL) + 4 * modules > args.files:
            raise GenerationError(f"{modules} modules need at least "
                                  f"{len(KERNEL) + 4 * modules} files")
        if args.fanout < 0 or args.violations < 0 or args.violation_files < 0:
            raise GenerationError("--fanout, --violations and --violation-files must not be "
                                  "negative")
        kinds = parse_kinds(args.kinds)
        platform = Platform(args.files, modules, args.fanout, args.violations, kinds,
                            args.seed, args.violation_files, args.file_lines).build()
        manifest = write_platform(args.out_dir, platform, args.kinds, args.force)
    except GenerationError as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    counts = manifest["counts"]
    by_kind = ", ".join(f"{k} {n}" for k, n in counts["imports_by_kind"].items())
    planted = ", ".join(f"{k} {n}" for k, n in counts["violations_by_kind"].items())
    print(f"{args.out_dir}: {counts['files']} files, {counts['modules']} modules "
          f"({counts['core_modules']} core, {counts['optional_modules']} optional), "
          f"{counts['imports']} imports ({by_kind}), {len(manifest['violations'])} planted "
          f"violations ({planted}) in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
