"""The module graph as text other tools draw: Graphviz DOT, Mermaid and JSON (the SVG is
:mod:`archguard.reporting.graph_svg`'s, as the audit report draws it).

Modules are grouped by category, in the order the configuration declares them; each edge
says how many imports make it, by kind, and one that breaks a contract is drawn red with
the contracts it breaks. The same graph always gives the same text."""

from __future__ import annotations

import json

from archguard.domain.audit import GraphEdge, ModuleGraph

RED = "#c62828"
GREY = "#78909c"


def categories_in_order(graph: ModuleGraph) -> list[str]:
    """The categories of the graph's modules: those the configuration declares first, in
    its order, then the others by name."""
    present = {node.category for node in graph.nodes}
    return [c for c in graph.categories if c in present] + sorted(
        present - set(graph.categories))


def edge_label(edge: GraphEdge) -> str:
    """``3 (module 2, lazy 1)``, and the contracts a violating edge breaks."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in edge.kinds)
    label = f"{edge.count} ({kinds})" if kinds else str(edge.count)
    if edge.violating:
        label += f"; breaks {', '.join(edge.contracts)}"
    return label


def to_dot(graph: ModuleGraph) -> str:
    """Graphviz DOT: a cluster per category, the first declared at the bottom."""
    lines = ["digraph archguard {", "  rankdir=BT;", '  node [shape=box, style="rounded"];']
    for index, category in enumerate(categories_in_order(graph)):
        lines += [f"  subgraph cluster_{index} {{", f"    label={_dot(category)};"]
        lines += [f"    {_dot(node.name)} [label={_dot(_node_label(node))}"
                  + (f", color={_dot(RED)}" if node.violations else "") + "];"
                  for node in graph.nodes if node.category == category]
        lines.append("  }")
    for edge in graph.edges:
        colour = RED if edge.violating else GREY
        style = f"color={_dot(colour)}, fontcolor={_dot(colour)}"
        style += ", penwidth=2" if edge.violating else ""
        lines.append(f"  {_dot(edge.source)} -> {_dot(edge.target)} "
                     f"[label={_dot(edge_label(edge))}, {style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: ModuleGraph) -> str:
    """A Mermaid flowchart: a subgraph per category, violating links drawn red."""
    ids = {node.name: f"m{index}" for index, node in enumerate(graph.nodes)}
    lines = ["flowchart BT"]
    for index, category in enumerate(categories_in_order(graph)):
        lines.append(f'  subgraph c{index}["{_mermaid(category)}"]')
        lines += [f'    {ids[node.name]}["{_mermaid(_node_label(node))}"]'
                  for node in graph.nodes if node.category == category]
        lines.append("  end")
    red = []
    for index, edge in enumerate(graph.edges):
        lines.append(f'  {ids[edge.source]} -->|"{_mermaid(edge_label(edge))}"| '
                     f"{ids[edge.target]}")
        if edge.violating:
            red.append(str(index))
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:{RED},stroke-width:2px")
    return "\n".join(lines) + "\n"


def to_json(graph: ModuleGraph) -> str:
    """The graph as JSON: categories, nodes, and edges with their counts by kind."""
    document = {
        "categories": categories_in_order(graph),
        "nodes": [{"name": n.name, "label": n.label, "category": n.category,
                   "violations": n.violations} for n in graph.nodes],
        "edges": [{"source": e.source, "target": e.target, "count": e.count,
                   "kinds": dict(e.kinds), "violations": e.violations,
                   "contracts": list(e.contracts)} for e in graph.edges],
    }
    return json.dumps(document, indent=2) + "\n"


def _node_label(node) -> str:
    label = node.label if node.label == node.name else f"{node.name} ({node.label})"
    if node.violations:
        label += f"\n{node.violations} violation{'s' if node.violations != 1 else ''}"
    return label


def _dot(text: str) -> str:
    """A DOT string: quoted, with quotes and backslashes escaped, line breaks as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _mermaid(text: str) -> str:
    """Text inside a Mermaid label: quotes as entities, line breaks as <br/>."""
    return text.replace('"', "#quot;").replace("\n", "<br/>")
