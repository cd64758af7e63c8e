"""The module graph drawn as SVG: core at the bottom, modules apart, red where a contract
breaks, the same picture for the same graph."""

from __future__ import annotations

import itertools
import os
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archguard.domain.audit import GraphEdge, GraphImport, GraphNode, ModuleGraph
from archguard.reporting.graph_svg import render_graph_svg

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("core", "optional", "internal")
CORE = ("billing", "catalog", "contracts", "core", "customers", "messaging", "payments",
        "tenancy")
OPTIONAL = ("analytics", "cart", "checkout", "cms", "inventory", "loyalty", "marketplace",
            "orders")
INTERNAL = ("dev_tools", "monitoring")


def imports(source: str, target: str, count: int, violating: int = 0) -> tuple[GraphImport, ...]:
    return tuple(GraphImport(f"app/modules/{source}/service_{index:02}.py", 10 + index,
                             f"from app.modules.{target} import Thing{index}", "module",
                             violating=index >= count - violating,
                             contract="core-independence" if index >= count - violating else None)
                 for index in range(count))


def edge(source: str, target: str, count: int = 1, violations: int = 0) -> GraphEdge:
    return GraphEdge(source, target, count, violations,
                     ("core-independence",) if violations else (),
                     imports(source, target, count, violations))


def platform_graph() -> ModuleGraph:
    """The reference platform's shape: 8 core, 8 optional and 2 internal modules, 40
    dependencies of which 8 break a contract (core or optional modules importing optional
    ones)."""
    categories = {**dict.fromkeys(CORE, "core"), **dict.fromkeys(OPTIONAL, "optional"),
                  **dict.fromkeys(INTERNAL, "internal")}
    chosen = random.Random(7)
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < 40:
        source = chosen.choice(CORE + OPTIONAL + OPTIONAL + INTERNAL)
        target = chosen.choice(CORE + CORE + OPTIONAL)
        if source != target:
            pairs.add((source, target))
    breaking = [pair for pair in sorted(pairs)
                if categories[pair[0]] != "internal" and categories[pair[1]] == "optional"][:8]
    edges = [edge(source, target, 1 + index % 6,
                  1 + index % 3 if (source, target) in breaking else 0)
             for index, (source, target) in enumerate(sorted(pairs))]
    violations = {name: sum(e.violations for e in edges if e.source == name)
                  for name in categories}
    nodes = tuple(GraphNode(name, name.replace("_", "-"), categories[name], violations[name])
                  for name in sorted(categories))
    return ModuleGraph(nodes, tuple(edges), CATEGORIES)


def one_band(count: int) -> ModuleGraph:
    names = [f"module_{index:02}" for index in range(count)]
    edges = tuple(edge(names[index], names[(index * 11 + 5) % count])
                  for index in range(count) if (index * 11 + 5) % count != index)
    return ModuleGraph(tuple(GraphNode(name, name, "core") for name in names), edges, ("core",))


def parse(graph: ModuleGraph) -> ET.Element:
    root = ET.fromstring(render_graph_svg(graph))
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [element for element in root.iter(f"{SVG}g")
            if kind in element.get("class", "").split()]


def nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {element.get("data-module", ""): element for element in groups(root, "node")}


def edges(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(element.get("data-source", ""), element.get("data-target", "")): element
            for element in groups(root, "edge")}


def rectangle(node: ET.Element) -> tuple[float, float, float, float]:
    """Left, top, right, bottom."""
    rect = node.find(f"{SVG}rect")
    assert rect is not None
    x, y = float(rect.get("x", "")), float(rect.get("y", ""))
    return x, y, x + float(rect.get("width", "")), y + float(rect.get("height", ""))


def centre(node: ET.Element) -> tuple[float, float]:
    left, top, right, bottom = rectangle(node)
    return (left + right) / 2, (top + bottom) / 2


def line(group: ET.Element) -> ET.Element:
    path = next(p for p in group.iter(f"{SVG}path") if p.get("class") == "line")
    return path


def title(group: ET.Element) -> str:
    element = group.find(f"{SVG}title")
    assert element is not None
    return element.text or ""


def label(group: ET.Element, css: str) -> ET.Element | None:
    return next((text for text in group.iter(f"{SVG}text") if text.get("class") == css), None)


def points_on(path: ET.Element, steps: int = 40) -> list[tuple[float, float]]:
    """Points along a path made of a move and cubic curves."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    start, rest = (numbers[0], numbers[1]), numbers[2:]
    points = []
    for offset in range(0, len(rest), 6):
        p1, p2, p3 = (rest[offset], rest[offset + 1]), (rest[offset + 2], rest[offset + 3]), (
            rest[offset + 4], rest[offset + 5])
        for step in range(steps + 1):
            t = step / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            points.append((a * start[0] + b * p1[0] + c * p2[0] + d * p3[0],
                           a * start[1] + b * p1[1] + c * p2[1] + d * p3[1]))
        start = p3
    return points


def inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


def crossings(root: ET.Element, graph: ModuleGraph) -> int:
    x = {name: centre(node)[0] for name, node in nodes(root).items()}
    return count_crossings(x, graph)


def count_crossings(x: dict[str, float], graph: ModuleGraph) -> int:
    category = {node.name: node.category for node in graph.nodes}
    between = [(e.source, e.target) if category[e.source] == "core" else (e.target, e.source)
               for e in graph.edges if category[e.source] != category[e.target]]
    return sum(1 for (a1, b1), (a2, b2) in itertools.combinations(between, 2)
               if (x[a1] - x[a2]) * (x[b1] - x[b2]) < 0)


def test_one_node_per_module_with_its_name_category_and_label():
    graph = platform_graph()
    found = nodes(parse(graph))
    assert len(groups(parse(graph), "node")) == len(graph.nodes) == 18
    assert {name: (element.get("data-category"), label(element, "label").text)
            for name, element in found.items()} == {
        node.name: (node.category, node.label) for node in graph.nodes}


def test_names_labels_paths_and_statements_are_escaped():
    odd = GraphNode('we"ird&', "<&>", "x<y>", 1)
    graph = ModuleGraph(
        (odd, GraphNode("core", "core", "core")),
        (GraphEdge('we"ird&', "core", 1, 1, ("c&d",),
                   (GraphImport("a<b>&'c'.py", 3, 'from "core" import <x> & y', "module",
                                violating=True),)),),
        ("core",))
    svg = render_graph_svg(graph)
    root = ET.fromstring(svg)
    node = nodes(root)['we"ird&']
    assert node.get("data-category") == "x<y>"
    assert label(node, "label").text == "<&>"
    assert title(node) == 'we"ird& (x<y>): 1 violation'
    assert "a<b>&'c'.py:3  from \"core\" import <x> & y" in title(edges(root)[('we"ird&', "core")])
    assert "<x>" not in svg and "<&>" not in svg


def test_violating_edges_are_red_thick_and_show_their_count():
    graph = platform_graph()
    drawn = edges(parse(graph))
    breaking = {(e.source, e.target): e for e in graph.edges if e.violating}
    assert len(breaking) == 8
    red = {key for key, element in drawn.items() if "violating" in element.get("class", "")}
    assert red == set(breaking)
    for key, element in drawn.items():
        path = line(element)
        if key in breaking:
            assert path.get("stroke") == "#d62728"
            assert float(path.get("stroke-width", "")) >= 2
            assert label(element, "edge-label").text == str(breaking[key].violations)
            assert element.get("data-violations") == str(breaking[key].violations)
        else:
            assert element.get("class") == "edge"
            assert path.get("stroke") != "#d62728"
            assert float(path.get("stroke-width", "")) < 2
            assert label(element, "edge-label") is None
            assert element.get("data-violations") == "0"


def test_edges_carry_what_the_page_script_reads_and_a_wide_hit_area():
    graph = platform_graph()
    root = parse(graph)
    drawn = edges(root)
    assert len(drawn) == len(graph.edges) == 40
    for e in graph.edges:
        element = drawn[(e.source, e.target)]
        assert element.get("data-count") == str(e.count)
        assert element.get("tabindex") == "0"
        hit = next(p for p in element.iter(f"{SVG}path") if p.get("class") == "hit")
        assert hit.get("d") == line(element).get("d")
        assert hit.get("stroke") == "transparent"
        assert float(hit.get("stroke-width", "")) >= 10
        assert hit.get("pointer-events") == "stroke"


def test_edges_are_drawn_before_nodes_so_nodes_sit_on_top():
    children = list(parse(platform_graph()))
    classes = [child.get("class", "").split() for child in children]
    last_edge = max(index for index, css in enumerate(classes) if "edge" in css)
    first_node = min(index for index, css in enumerate(classes) if "node" in css)
    assert last_edge < first_node


def test_core_is_the_bottom_band_then_optional_then_internal_then_the_rest():
    graph = platform_graph()
    extra = GraphNode("vendor", "vendor", "third-party")
    root = parse(ModuleGraph((*graph.nodes, extra), graph.edges, graph.categories))
    y = {name: centre(node)[1] for name, node in nodes(root).items()}
    bands = [CORE, OPTIONAL, INTERNAL, ("vendor",)]
    for lower, upper in itertools.pairwise(bands):
        assert min(y[name] for name in lower) > max(y[name] for name in upper)


@pytest.mark.parametrize("graph", [platform_graph(), one_band(70), one_band(23), one_band(1)],
                         ids=["platform", "70 in one band", "23 in one band", "one module"])
def test_nodes_never_overlap_and_all_fit_in_the_view_box(graph):
    root = parse(graph)
    x0, y0, width, height = (float(n) for n in root.get("viewBox", "").split())
    assert root.get("width") == root.get("viewBox", "").split()[2]
    assert root.get("height") == root.get("viewBox", "").split()[3]
    boxes = [rectangle(node) for node in nodes(root).values()]
    assert len(boxes) == len(graph.nodes)
    for left, top, right, bottom in boxes:
        assert x0 < left and right < x0 + width and y0 < top and bottom < y0 + height
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_a_band_of_seventy_modules_wraps_onto_rows_of_at_most_ten():
    root = parse(one_band(70))
    rows: dict[float, int] = {}
    for node in nodes(root).values():
        y = centre(node)[1]
        rows[y] = rows.get(y, 0) + 1
    assert len(rows) == 7
    assert set(rows.values()) == {10}
    assert float(root.get("width", "")) < 1600


def test_the_same_graph_in_any_order_gives_the_same_svg():
    graph = platform_graph()
    shuffled = ModuleGraph(
        tuple(reversed(graph.nodes)),
        tuple(GraphEdge(e.source, e.target, e.count, e.violations, e.contracts,
                        tuple(reversed(e.imports))) for e in reversed(graph.edges)),
        graph.categories)
    assert render_graph_svg(shuffled) == render_graph_svg(graph)


def test_the_svg_does_not_depend_on_the_hash_seed():
    script = ("import sys; from tests.test_graph_svg import platform_graph; "
              "from archguard.reporting.graph_svg import render_graph_svg; "
              "sys.stdout.write(render_graph_svg(platform_graph()))")
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                              encoding="utf-8").stdout
               for seed in ("1", "2")}
    assert outputs == {render_graph_svg(platform_graph())}


def test_barycenter_ordering_removes_the_crossings_of_alphabetical_order():
    core, optional = ("a", "b", "c", "d", "e"), ("v", "w", "x", "y", "z")
    graph = ModuleGraph(
        tuple(GraphNode(name, name, "core") for name in core)
        + tuple(GraphNode(name, name, "optional") for name in optional),
        (edge("v", "e"), edge("w", "d"), edge("x", "c"), edge("y", "b"), edge("z", "a"),
         edge("w", "e")),
        ("core", "optional"))
    alphabetical = {name: float(index) for names in (core, optional)
                    for index, name in enumerate(names)}
    assert count_crossings(alphabetical, graph) == 13
    assert crossings(parse(graph), graph) == 0


def test_barycenter_ordering_does_not_add_crossings_to_the_platform():
    graph = platform_graph()
    two_bands = ModuleGraph(
        tuple(node for node in graph.nodes if node.category != "internal"),
        tuple(e for e in graph.edges if not {e.source, e.target} & set(INTERNAL)),
        ("core", "optional"))
    alphabetical = {name: float(index) for names in (CORE, OPTIONAL)
                    for index, name in enumerate(names)}
    assert crossings(parse(two_bands), two_bands) < count_crossings(alphabetical, two_bands)


def test_an_arc_within_a_band_passes_clear_of_the_modules_between():
    names = ("a", "b", "c", "d", "e")
    graph = ModuleGraph(tuple(GraphNode(name, name, "optional") for name in names),
                        (edge("a", "e"), edge("b", "d"), edge("e", "a")),
                        ("core", "optional"))
    root = parse(graph)
    boxes = {name: rectangle(node) for name, node in nodes(root).items()}
    for (source, target), element in edges(root).items():
        others = [box for name, box in boxes.items() if name not in (source, target)]
        assert not any(inside(point, box) for point in points_on(line(element))
                       for box in others), (source, target)


def test_an_edge_across_a_band_goes_round_the_module_in_its_way():
    graph = ModuleGraph(
        (GraphNode("base", "base", "core"), GraphNode("middle", "middle", "optional"),
         GraphNode("top", "top", "internal")),
        (edge("top", "base"), edge("middle", "base"), edge("top", "middle")),
        CATEGORIES)
    root = parse(graph)
    middle = rectangle(nodes(root)["middle"])
    path = line(edges(root)[("top", "base")])
    assert not any(inside(point, middle) for point in points_on(path))


def test_an_edge_title_lists_ten_imports_the_violating_first_then_how_many_more():
    many = GraphEdge("orders", "loyalty", 15, 3, ("core-independence",),
                     imports("orders", "loyalty", 15, 3))
    graph = ModuleGraph((GraphNode("orders", "orders", "core"),
                         GraphNode("loyalty", "loyalty", "optional")), (many,), CATEGORIES)
    lines = title(edges(parse(graph))[("orders", "loyalty")]).split("\n")
    listed = [text for text in lines if ".py:" in text]
    assert len(listed) == 10
    assert listed[:3] == [f"app/modules/orders/service_{index}.py:{10 + index}  "
                          f"from app.modules.loyalty import Thing{index}"
                          for index in (12, 13, 14)]
    assert listed[3].startswith("app/modules/orders/service_00.py:10  ")
    assert lines[-1] == "… and 5 more"
    assert "3 breaking a contract" in lines[0]


def test_a_short_edge_title_has_no_more_line():
    graph = ModuleGraph((GraphNode("a", "a", "core"), GraphNode("b", "b", "core")),
                        (edge("a", "b", 4),), ("core",))
    lines = title(edges(parse(graph))[("a", "b")]).split("\n")
    assert len(lines) == 5
    assert "more" not in lines[-1]


def test_a_module_with_violations_is_outlined_red_and_says_so_in_print():
    graph = ModuleGraph((GraphNode("tenancy", "tenancy", "core", 9),
                         GraphNode("cms", "cms", "optional")), (), CATEGORIES)
    found = nodes(parse(graph))
    tenancy, cms = found["tenancy"], found["cms"]
    assert tenancy.get("class") == "node violating"
    assert tenancy.find(f"{SVG}rect").get("stroke") == "#d62728"
    assert title(tenancy) == "tenancy (core): 9 violations"
    assert label(tenancy, "node-violations").text == "9 violations"
    assert cms.get("class") == "node"
    assert cms.find(f"{SVG}rect").get("stroke") != "#d62728"
    assert title(cms) == "cms (optional): no violations"


def test_categories_have_distinct_fills_shown_in_the_legend():
    graph = platform_graph()
    extra = GraphNode("vendor", "vendor", "third-party")
    root = parse(ModuleGraph((*graph.nodes, extra), graph.edges, graph.categories))
    fills = {node.get("data-category"): node.find(f"{SVG}rect").get("fill")
             for node in nodes(root).values()}
    assert len(set(fills.values())) == 4
    legend = groups(root, "legend")[0]
    texts = [text.text for text in legend.iter(f"{SVG}text")]
    swatches = [rect.get("fill") for rect in legend.iter(f"{SVG}rect")]
    assert texts[:4] == ["core", "optional", "internal", "third-party"]
    assert swatches == [fills[name] for name in texts[:4]]
    total = sum(e.violations for e in graph.edges)
    assert texts[4:] == ["allowed dependency", f"breaks a contract ({total} violations)"]


def test_the_svg_refers_to_nothing_outside_itself():
    svg = render_graph_svg(platform_graph())
    root = ET.fromstring(svg)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    referenced = set(re.findall(r"url\(#([^)]+)\)", svg))
    assert referenced == {"archguard-arrow", "archguard-arrow-violating"} <= ids
    assert not svg.startswith("<?xml")
    assert "<script" not in svg and "href" not in svg and "@import" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]


def test_an_empty_graph_and_edges_to_unknown_modules_still_draw():
    assert not nodes(parse(ModuleGraph((), (), CATEGORIES)))
    graph = ModuleGraph((GraphNode("a", "a", "core"),), (edge("a", "ghost"), edge("a", "a")),
                        ("core",))
    root = parse(graph)
    assert list(nodes(root)) == ["a"]
    assert not edges(root)
