"""Property test: on random module graphs written as packages, archguard's violations equal
a brute-force oracle's over the same graph."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.application.check import run_check
from archguard.config import load_config

KINDS = ("module", "lazy", "type_checking", "guarded")
COUNTED = {"module", "lazy"}
CATEGORIES = ("core", "optional", "internal")


@st.composite
def platforms(draw):
    count = draw(st.integers(2, 5))
    categories = [draw(st.sampled_from(CATEGORIES)) for _ in range(count)]
    requires = [sorted(draw(st.sets(st.integers(0, count - 1), max_size=2)) - {i})
                for i in range(count)]
    submodules = [draw(st.integers(1, 3)) for _ in range(count)]
    edges = draw(st.lists(
        st.tuples(st.integers(0, count - 1), st.integers(0, 2), st.integers(0, count - 1),
                  st.integers(0, 2), st.sampled_from(KINDS)),
        max_size=12,
    ))
    edges = [(a, sa % submodules[a], b, sb % submodules[b], kind)
             for a, sa, b, sb, kind in edges if (a, sa % submodules[a]) != (b, sb % submodules[b])]
    return categories, requires, submodules, edges


def write_platform(root: Path, categories, requires, submodules, edges):
    """Write the packages; returns {(file, line): (source, target, kind)} for every import."""
    files: dict[str, list[str]] = {}
    for index, count in enumerate(submodules):
        for sub in range(count):
            files[f"app/modules/m{index}/s{sub}.py"] = ["from typing import TYPE_CHECKING", ""]
    placed = {}
    for number, (a, sa, b, sb, kind) in enumerate(edges):
        lines = files[f"app/modules/m{a}/s{sa}.py"]
        target = f"app.modules.m{b}.s{sb}"
        if kind == "module":
            block = [f"import {target}"]
        elif kind == "lazy":
            block = [f"def use_{number}():", f"    import {target}", "    return 1"]
        elif kind == "type_checking":
            block = ["if TYPE_CHECKING:", f"    import {target}"]
        else:
            block = ["try:", f"    import {target}", "except ImportError:", "    pass"]
        offset = 0 if kind == "module" else 1
        placed[(f"app/modules/m{a}/s{sa}.py", len(lines) + 1 + offset)] = (a, b, kind)
        lines.extend(block)
    for relative, lines in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for folder in ("app", "app/modules", *(f"app/modules/m{i}" for i in range(len(submodules)))):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "__init__.py").write_text("", encoding="utf-8")
    modules = "\n".join(
        f"  m{i}: {{category: {categories[i]}, requires: [{', '.join(f'm{r}' for r in requires[i])}]}}"
        for i in range(len(submodules)))
    (root / "archguard.yaml").write_text(
        "version: 1\nproject: {root_package: app, modules_package: app.modules}\n"
        "categories: {core: {}, optional: {}, internal: {}}\n"
        "definitions: {enabled: false}\n"
        f"modules:\n{modules}\n"
        "contracts:\n"
        "  - {id: layering, type: category_layering, source: [core], forbidden: [optional]}\n"
        "  - {id: internal, type: category_layering, source: ['*'], forbidden: [internal]}\n"
        "  - {id: declared, type: declared_dependencies, categories: [optional],"
        " allow_categories: [core]}\n",
        encoding="utf-8",
    )
    return placed


def oracle(categories, requires, placed) -> set[tuple[str, str, int]]:
    expected = set()
    for (file, line), (a, b, kind) in placed.items():
        if a == b or kind not in COUNTED:
            continue
        if categories[a] == "core" and categories[b] == "optional":
            expected.add(("layering", file, line))
        if categories[b] == "internal":
            expected.add(("internal", file, line))
        if categories[a] == "optional" and categories[b] != "core" and b not in requires[a]:
            expected.add(("declared", file, line))
    return expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(platforms())
def test_violations_equal_the_oracle(platform):
    categories, requires, submodules, edges = platform
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        placed = write_platform(root, categories, requires, submodules, edges)
        result = run_check(root, load_config(root / "archguard.yaml"), use_cache=False)
        found = {(v.contract, v.file, v.line) for v in result.violations}
        assert found == oracle(categories, requires, placed)
