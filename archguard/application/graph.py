"""``graph``: the modules and the counted imports between them, the violating ones marked,
as the audit draws them; optionally only the neighbourhood of one module."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.audit import ModuleGraph


def build_graph(project_dir: Path, config: ArchitectureConfig, *, use_cache: bool = True,
                module: str | None = None, depth: int = 1) -> ModuleGraph:
    """The module graph of ``project_dir``; with ``module``, only the modules within
    ``depth`` dependencies of it (either way) and the dependencies between them. Nothing
    of the project is imported or executed."""
    from archguard.application.audit import module_graph
    from archguard.application.check import run_check
    from archguard.application.project import Project
    from archguard.application.simulate import RemovalModel

    project = Project(project_dir, config, use_cache=use_cache)
    result = run_check(project_dir, config, project=project)
    graph = module_graph(project, RemovalModel(project_dir, config, project=project), result)
    return around(graph, module, depth) if module is not None else graph


def around(graph: ModuleGraph, module: str, depth: int) -> ModuleGraph:
    """The part of ``graph`` within ``depth`` dependencies of ``module``, which must be one
    of its modules (a :class:`~archguard.errors.UsageError` naming the nearest otherwise)."""
    from archguard.config.schema import nearest
    from archguard.errors import UsageError

    names = [node.name for node in graph.nodes]
    if module not in names:
        suggestion = nearest(module, tuple(names))
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        raise UsageError(f"--module {module}: no such module in the project{hint}")
    neighbours: dict[str, set[str]] = {name: set() for name in names}
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    kept, frontier = {module}, {module}
    for _ in range(depth):
        frontier = {n for m in frontier for n in neighbours[m]} - kept
        kept |= frontier
    return replace(graph, nodes=tuple(n for n in graph.nodes if n.name in kept),
                   edges=tuple(e for e in graph.edges
                               if e.source in kept and e.target in kept))
