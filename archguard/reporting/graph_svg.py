"""The module graph as one inline SVG element, for the HTML audit report.

The layout is layered by category. Each category gets a horizontal band: the first category
the configuration declares (core) is the bottom band, and each later one (optional, then
internal) is stacked above the one before, so dependencies on the foundation point down.
Categories the configuration does not declare get bands above the rest, in name order.

Within a band, modules start in name order and are then reordered by a few sweeps of the
barycenter heuristic: each module moves towards the mean horizontal position of the modules
it is connected to in the bands already placed, up the bands and then down again. The
ordering with the fewest crossings between bands is kept, the starting order included. A
band of more than :data:`ROW_LIMIT` modules is wrapped onto several rows, filled column by
column (so the left-to-right order survives) and staggered by half a place, so that lines
from other bands pass between the modules rather than through them.

Every module has the same size, wide enough for the longest label, so no two can overlap.
Edges run from border to border as cubic curves: between rows they leave and arrive
vertically, spread along the border by the position of their other end, and one that would
cross a module of a row in between goes through the nearest gap in that row instead. Between
modules of one row they arc above it (below it in the bottom band), longer arcs outside
shorter ones, in space kept free for them. Edges are drawn before modules and red edges
after grey ones.
Everything is computed here, from sorted input, so the same graph always gives the same
text; the picture needs no script, no font and nothing outside itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from archguard.domain.audit import GraphEdge, GraphImport, GraphNode, ModuleGraph

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
#: Modules in one row of a band before the band wraps.
ROW_LIMIT = 10
#: Barycenter sweeps (each up the bands and down again).
SWEEPS = 4
#: Imports listed in an edge's tooltip before "… and N more".
SHOWN_IMPORTS = 10

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
LABEL_SIZE = 13.0
SMALL_SIZE = 10.5
MARGIN = 20.0
NODE_MIN_WIDTH = 104.0
NODE_HEIGHT = 42.0
NODE_PADDING = 12.0
NODE_GAP = 30.0
ROW_GAP = 38.0
BAND_GAP = 64.0
BAND_PADDING = 14.0
BAND_TITLE = 16.0
LEGEND_HEIGHT = 46.0
ARC_LIFT_LIMIT = 150.0

TEXT_COLOUR = "#1a1a1a"
RED = "#d62728"
GREY = "#8c8c8c"
WHITE = "#ffffff"
#: Fill and border of each known category; others get the neutral pair.
CATEGORY_COLOURS = {
    "core": ("#cfe0f1", "#3d6f9e"),
    "optional": ("#d8ecd2", "#4f7f40"),
    "internal": ("#fbe3c8", "#a8662a"),
}
NEUTRAL_COLOURS = ("#e8e8e8", "#7a7a7a")
BAND_FILL = "#f6f6f6"

STYLE = (
    "svg.archguard-graph g.edge{cursor:pointer}"
    "svg.archguard-graph g.edge:hover path.line,"
    "svg.archguard-graph g.edge:focus path.line{stroke-width:3.5}"
    "svg.archguard-graph g.edge:focus{outline:none}"
    "svg.archguard-graph g.edge:focus path.hit{stroke:rgba(31,119,180,0.25)}"
)


@dataclass(frozen=True)
class Box:
    """A module's rectangle, by its centre."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return (abs(self.x - other.x) * 2 < self.width + other.width + gap * 2
                and abs(self.y - other.y) * 2 < self.height + other.height + gap * 2)


Point = tuple[float, float]
#: The four points of a cubic Bézier curve.
Curve = tuple[Point, Point, Point, Point]
#: An edge's line: cubic curves joined end to end.
Route = tuple[Curve, ...]


@dataclass(frozen=True)
class Band:
    category: str
    top: float
    bottom: float


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    bands: tuple[Band, ...]
    width: float
    height: float
    #: The border ("top" or "bottom") each module's arcs within its row leave from.
    arc_side: dict[str, str]


def render_graph_svg(graph: ModuleGraph) -> str:
    """The graph as one ``<svg>`` element: modules in category bands, core at the bottom,
    dependencies as arrows, red where they break a contract."""
    nodes = sorted(graph.nodes, key=lambda node: node.name)
    names = {node.name for node in nodes}
    edges = sorted((edge for edge in graph.edges
                    if edge.source in names and edge.target in names
                    and edge.source != edge.target),
                   key=lambda edge: (edge.source, edge.target, edge.count, edge.violations))
    categories = _band_order(graph.categories, nodes)
    node_width = _node_width(nodes)
    legend = _legend_width(categories, edges, node_width)
    layout = _layout(nodes, edges, categories, node_width, legend)
    routes = _routes(edges, layout)
    labels = _label_positions(edges, routes, layout)
    parts = [_svg_open(layout, nodes, edges), "<defs>", _style(), *_markers(), "</defs>",
             _legend(categories, edges),
             *(_band(band, layout.width) for band in layout.bands)]
    ordered = sorted(range(len(edges)), key=lambda index: edges[index].violating)
    parts.extend(_edge(edges[index], routes[index], labels.get(index)) for index in ordered)
    parts.extend(_node(node, layout.boxes[node.name]) for node in nodes)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# Layout


def _band_order(declared: Sequence[str], nodes: Iterable[GraphNode]) -> tuple[str, ...]:
    """Categories bottom band first: the declared ones in order, then the others by name."""
    known = list(dict.fromkeys(declared))
    others = sorted({node.category for node in nodes} - set(known))
    return (*known, *others)


def _text_width(text: str, size: float) -> float:
    """An estimate of the text's width in a sans-serif font, generous for wide letters."""
    return sum(size * (0.68 if char.isupper() or char in "mwMW" else 0.56) for char in text)


def _node_width(nodes: Sequence[GraphNode]) -> float:
    widest = max((_text_width(node.label, LABEL_SIZE) for node in nodes), default=0.0)
    return max(NODE_MIN_WIDTH, math.ceil(widest + 2 * NODE_PADDING))


def _layout(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], categories: Sequence[str],
            node_width: float, legend_width: float) -> Layout:
    members = {category: [node.name for node in nodes if node.category == category]
               for category in categories}
    orders = _crossing_reduced(members, categories, edges, node_width)
    return _place(orders, categories, edges, node_width, legend_width)


def _row_count(count: int) -> int:
    return max(1, math.ceil(count / ROW_LIMIT))


def _rows(order: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The band's modules in rows, filled column by column so left to right is kept."""
    count = _row_count(len(order))
    return tuple(tuple(order[row::count]) for row in range(count))


def _row_offset(row: int, node_width: float) -> float:
    """Odd rows sit half a place to the right, so lines pass between the modules."""
    return (node_width + NODE_GAP) / 2 if row % 2 else 0.0


def _band_width(rows: Sequence[Sequence[str]], node_width: float) -> float:
    step = node_width + NODE_GAP
    return max((len(row) * step - NODE_GAP + _row_offset(index, node_width)
                for index, row in enumerate(rows) if row), default=0.0)


def _x_positions(order: Sequence[str], node_width: float) -> dict[str, float]:
    """Each module's centre, relative to the centre of its band."""
    rows = _rows(order)
    start = -_band_width(rows, node_width) / 2
    step = node_width + NODE_GAP
    return {name: start + _row_offset(index, node_width) + column * step + node_width / 2
            for index, row in enumerate(rows) for column, name in enumerate(row)}


def _crossing_reduced(members: dict[str, list[str]], categories: Sequence[str],
                      edges: Sequence[GraphEdge], node_width: float) -> dict[str, list[str]]:
    """Each band's order after the barycenter sweeps: the one with fewest crossings seen."""
    band_of = {name: index for index, category in enumerate(categories)
               for name in members[category]}
    neighbours = _neighbours(edges)
    orders = {category: list(names) for category, names in members.items()}
    best = {category: list(names) for category, names in orders.items()}
    fewest = _crossings(orders, categories, edges, band_of, node_width)
    up = [(band, True) for band in range(1, len(categories))]
    down = [(band, False) for band in range(len(categories) - 2, -1, -1)]
    for _ in range(SWEEPS):
        for sweep in (up, down):
            for band, below in sweep:
                orders[categories[band]] = _barycenter_order(
                    orders, categories, band, below, neighbours, band_of, node_width)
            crossings = _crossings(orders, categories, edges, band_of, node_width)
            if crossings < fewest:
                fewest = crossings
                best = {category: list(names) for category, names in orders.items()}
    return best


def _neighbours(edges: Sequence[GraphEdge]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for edge in edges:
        found.setdefault(edge.source, []).append(edge.target)
        found.setdefault(edge.target, []).append(edge.source)
    return found


def _all_positions(orders: dict[str, list[str]], node_width: float) -> dict[str, float]:
    positions: dict[str, float] = {}
    for order in orders.values():
        positions.update(_x_positions(order, node_width))
    return positions


def _barycenter_order(orders: dict[str, list[str]], categories: Sequence[str], band: int,
                      below: bool, neighbours: dict[str, list[str]], band_of: dict[str, int],
                      node_width: float) -> list[str]:
    """The band's modules sorted by the mean position of their neighbours in the bands below
    (``below``) or above; a module with none there is placed by all its neighbours in other
    bands, and one without any keeps its place."""
    positions = _all_positions(orders, node_width)

    def fixed(other: str) -> bool:
        return band_of[other] < band if below else band_of[other] > band

    def key(name: str) -> tuple[float, float, str]:
        linked = [other for other in neighbours.get(name, []) if band_of[other] != band]
        towards = [other for other in linked if fixed(other)] or linked
        if not towards:
            return positions[name], positions[name], name
        return sum(positions[other] for other in towards) / len(towards), positions[name], name

    return sorted(orders[categories[band]], key=key)


def _crossings(orders: dict[str, list[str]], categories: Sequence[str],
               edges: Sequence[GraphEdge], band_of: dict[str, int], node_width: float) -> int:
    """How many pairs of edges between the same two bands cross, lines drawn straight."""
    positions = _all_positions(orders, node_width)
    pairs: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for edge in edges:
        source, target = band_of[edge.source], band_of[edge.target]
        if source == target:
            continue
        low, high = (edge.source, edge.target) if source < target else (edge.target, edge.source)
        pairs.setdefault((min(source, target), max(source, target)), []).append(
            (positions[low], positions[high]))
    return sum(_inversions([high for _, high in sorted(ends)]) for ends in pairs.values())


def _inversions(values: list[float]) -> int:
    """Pairs out of order (strictly), counted while merge-sorting."""
    if len(values) < 2:
        return 0
    middle = len(values) // 2
    left, right = values[:middle], values[middle:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    index = 0
    for value in right:
        while index < len(left) and left[index] <= value:
            index += 1
        count += len(left) - index
    return count


def _place(orders: dict[str, list[str]], categories: Sequence[str], edges: Sequence[GraphEdge],
           node_width: float, legend_width: float) -> Layout:
    """Bands from the top of the picture down to core, each centred."""
    present = [category for category in categories if orders[category]]
    band_rows = {category: _rows(orders[category]) for category in present}
    content = max([_band_width(rows, node_width) for rows in band_rows.values()]
                  + [legend_width])
    width = math.ceil(content + 2 * MARGIN + 2 * BAND_PADDING)
    centres = {name: width / 2 + x for category in present
               for name, x in _x_positions(orders[category], node_width).items()}
    room = _arc_room(edges, band_rows, centres)
    boxes: dict[str, Box] = {}
    arc_side: dict[str, str] = {}
    bands: list[Band] = []
    top = MARGIN + LEGEND_HEIGHT
    for category in reversed(present):
        below = category == present[0]
        rooms = [room.get((category, index), 0.0) for index in range(len(band_rows[category]))]
        band, placed = _place_band(category, band_rows[category], rooms, below, top,
                                   centres, node_width)
        boxes.update(placed)
        arc_side.update(dict.fromkeys(placed, "bottom" if below else "top"))
        bands.append(band)
        top = band.bottom + BAND_GAP
    height = math.ceil((bands[-1].bottom if bands else MARGIN + LEGEND_HEIGHT) + MARGIN)
    return Layout(boxes, tuple(bands), width, height, arc_side)


def _place_band(category: str, rows: Sequence[Sequence[str]], rooms: Sequence[float],
                below: bool, top: float, centres: dict[str, float],
                node_width: float) -> tuple[Band, dict[str, Box]]:
    """One band's rows from ``top`` down. The space beside a row grows to hold the arcs
    between its modules: above the row, or (``below``) under it, in the bottom band, where
    no other edges run."""
    y = top + BAND_TITLE + (BAND_PADDING if below else max(BAND_PADDING, rooms[0] + 6))
    boxes: dict[str, Box] = {}
    for index, row in enumerate(rows):
        if index:
            arcs = rooms[index - 1] if below else rooms[index]
            y += NODE_HEIGHT + max(ROW_GAP, arcs + 8)
        boxes.update((name, Box(centres[name], y + NODE_HEIGHT / 2, node_width, NODE_HEIGHT))
                     for name in row)
    bottom = y + NODE_HEIGHT + (max(BAND_PADDING, rooms[-1] + 6) if below else BAND_PADDING)
    return Band(category, top, bottom), boxes


def _arc_room(edges: Sequence[GraphEdge], band_rows: dict[str, tuple[tuple[str, ...], ...]],
              centres: dict[str, float]) -> dict[tuple[str, int], float]:
    """For each row, how far its highest arc rises from the modules' border."""
    row_of = {name: (category, index) for category, rows in band_rows.items()
              for index, row in enumerate(rows) for name in row}
    room: dict[tuple[str, int], float] = {}
    for edge in edges:
        row = row_of[edge.source]
        if row == row_of[edge.target]:
            peak = _arc_lift(abs(centres[edge.source] - centres[edge.target])) * 0.75
            room[row] = max(room.get(row, 0.0), peak)
    return room


# Edge geometry


def _sides(edge: GraphEdge, layout: Layout) -> tuple[str, str]:
    """Which border each end leaves from: the upper module's bottom and the lower one's
    top; within one row, the side its arcs are drawn on."""
    source, target = layout.boxes[edge.source], layout.boxes[edge.target]
    if math.isclose(source.y, target.y):
        side = layout.arc_side[edge.source]
        return side, side
    return ("bottom", "top") if source.y < target.y else ("top", "bottom")


def _ports(edges: Sequence[GraphEdge], layout: Layout) -> list[tuple[Point, Point]]:
    """Where each edge leaves its source and reaches its target: the ends on one border are
    spread along it in the order of the modules at their other ends."""
    boxes = layout.boxes
    ends: dict[tuple[str, str], list[tuple[tuple[float, ...], int, int]]] = {}
    for index, edge in enumerate(edges):
        for end, (name, other), side in zip(
                (0, 1), ((edge.source, edge.target), (edge.target, edge.source)),
                _sides(edge, layout), strict=True):
            key = (*_port_order(boxes[name], boxes[other]), boxes[other].y, index, end)
            ends.setdefault((name, side), []).append((key, index, end))
    points: list[list[Point]] = [[(0.0, 0.0), (0.0, 0.0)] for _ in edges]
    for (name, side), attached in ends.items():
        box = boxes[name]
        usable = box.width * 0.8
        y = box.top if side == "top" else box.bottom
        for place, (_, index, end) in enumerate(sorted(attached)):
            x = box.left + box.width * 0.1 + usable * (place + 1) / (len(attached) + 1)
            points[index][end] = (x, y)
    return [(source, target) for source, target in points]


def _port_order(box: Box, other: Box) -> tuple[float, float]:
    """Where an end goes along the border: edges to other rows by the position of their
    other end; arcs within the row at the sides, the longer ones outside the shorter."""
    if not math.isclose(box.y, other.y):
        return 1, other.x
    distance = abs(other.x - box.x)
    return (0, distance) if other.x < box.x else (2, -distance)


def _routes(edges: Sequence[GraphEdge], layout: Layout) -> list[Route]:
    """Each edge's line. Of two arcs between the same modules, the leftward one is lower, so
    the two stay apart."""
    pairs = {(edge.source, edge.target) for edge in edges}
    routes: list[Route] = []
    for edge, (start, end) in zip(edges, _ports(edges, layout), strict=True):
        source, target = layout.boxes[edge.source], layout.boxes[edge.target]
        if math.isclose(source.y, target.y):
            lift = _arc_lift(abs(source.x - target.x))
            if (edge.target, edge.source) in pairs and source.x > target.x:
                lift *= 0.7
            up = layout.arc_side[edge.source] == "top"
            routes.append((_arc(start, end, -lift if up else lift),))
        else:
            routes.append(_around_rows(start, end, layout))
    return routes


def _around_rows(start: Point, end: Point, layout: Layout) -> Route:
    """One curve, or, where it would run through a module of a row it passes, one through
    the gap of each such row nearest to the straight line."""
    curve = _s_curve(start, end)
    low, high = sorted((start[1], end[1]))
    between = [box for box in layout.boxes.values() if box.top > low and box.bottom < high]
    # A Bézier curve stays within its control points: only boxes across their span can be hit.
    left, right = min(p[0] for p in curve), max(p[0] for p in curve)
    near = [box for box in between
            if box.left - 6 <= right and box.left + box.width + 6 >= left]
    if not any(_runs_through(curve, box) for box in near):
        return (curve,)
    points = [start]
    for y in sorted({box.y for box in between}, reverse=start[1] > end[1]):
        along = start[0] + (end[0] - start[0]) * (y - start[1]) / (end[1] - start[1])
        points.append((_nearest_gap([box for box in between if box.y == y], along), y))
    points.append(end)
    return tuple(_s_curve(a, b) for a, b in itertools.pairwise(points))


def _runs_through(curve: Curve, box: Box) -> bool:
    margin = Box(box.x, box.y, box.width + 6, box.height + 6)
    return any(margin.overlaps(Box(*_point_at(curve, step / 32), 0, 0)) for step in range(33))


def _nearest_gap(row: Sequence[Box], x: float) -> float:
    """The middle of the gap between two modules of the row (or beside it) nearest to x."""
    ordered = sorted(row, key=lambda box: box.x)
    gaps = [ordered[0].left - NODE_GAP / 2, ordered[-1].left + ordered[-1].width + NODE_GAP / 2]
    gaps.extend((left.left + left.width + right.left) / 2
                for left, right in itertools.pairwise(ordered))
    return min(gaps, key=lambda gap: (abs(gap - x), gap))


def _s_curve(start: Point, end: Point) -> Curve:
    """Leaves and arrives vertically, so arrowheads point straight into the border."""
    half = (end[1] - start[1]) / 2
    return start, (start[0], start[1] + half), (end[0], end[1] - half), end


def _arc_lift(distance: float) -> float:
    """How far an arc's control points sit from the row: further for modules further apart,
    so arcs nest. The arc itself rises three quarters of it."""
    return min(ARC_LIFT_LIMIT, 16 + distance * 0.2)


def _arc(start: Point, end: Point, lift: float) -> Curve:
    return start, (start[0], start[1] + lift), (end[0], end[1] + lift), end


def _point_at(curve: Curve, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _label_box(point: Point, text: str) -> Box:
    return Box(point[0], point[1], _text_width(text, SMALL_SIZE) + 8, SMALL_SIZE + 6)


def _point_along(route: Route, t: float) -> Point:
    """The point a fraction t of the way along the route, counted in its curves."""
    index = min(int(t * len(route)), len(route) - 1)
    return _point_at(route[index], t * len(route) - index)


def _label_positions(edges: Sequence[GraphEdge], routes: Sequence[Route],
                     layout: Layout) -> dict[int, Point]:
    """Where each red edge's count goes: the curve's midpoint, or the nearest point along it
    that is clear of modules and of the counts already placed."""
    taken = list(layout.boxes.values())
    placed: dict[int, Point] = {}
    for index, edge in enumerate(edges):
        if not edge.violating:
            continue
        text = str(edge.violations)
        candidates = [_point_along(routes[index], t)
                      for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.45, 0.55, 0.35, 0.65)]
        point = next((p for p in candidates
                      if not any(_label_box(p, text).overlaps(box, 3) for box in taken)),
                     candidates[0])
        placed[index] = point
        taken.append(_label_box(point, text))
    return placed


# Drawing


def _n(value: float) -> str:
    """A coordinate to one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def _svg_open(layout: Layout, nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> str:
    breaking = sum(1 for edge in edges if edge.violating)
    summary = (f"Module dependency graph: {_plural(len(nodes), 'module')}, "
               f"{_plural(len(edges), 'dependency', 'dependencies')}, "
               f"{breaking} breaking a contract")
    width, height = _n(layout.width), _n(layout.height)
    return (f'<svg xmlns="{SVG_NAMESPACE}" class="archguard-graph" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'style="max-width:100%;height:auto" font-family="{_attr(FONT)}" '
            f'role="group" aria-label="{_attr(summary)}">')


def _style() -> str:
    return f"<style>{STYLE}</style>"


def _markers() -> list[str]:
    return [_marker("archguard-arrow", GREY, 7.0), _marker("archguard-arrow-violating", RED, 9.0)]


def _marker(identifier: str, colour: str, size: float) -> str:
    return (f'<marker id="{identifier}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="{_n(size)}" markerHeight="{_n(size)}" markerUnits="userSpaceOnUse" '
            f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')


def _colours(category: str) -> tuple[str, str]:
    return CATEGORY_COLOURS.get(category, NEUTRAL_COLOURS)


def _legend_items(categories: Sequence[str],
                  edges: Sequence[GraphEdge]) -> tuple[list[str], str, str]:
    violations = sum(edge.violations for edge in edges)
    return (list(categories), "allowed dependency",
            f"breaks a contract ({_plural(violations, 'violation')})")


def _legend_width(categories: Sequence[str], edges: Sequence[GraphEdge],
                  node_width: float) -> float:
    names, allowed, breaking = _legend_items(categories, edges)
    swatches = sum(22 + _text_width(name, SMALL_SIZE) + 14 for name in names)
    lines = sum(40 + _text_width(text, SMALL_SIZE) + 14 for text in (allowed, breaking))
    return max(swatches, lines, node_width)


def _legend(categories: Sequence[str], edges: Sequence[GraphEdge]) -> str:
    """Category colours on one line; grey and red arrows on the next."""
    names, allowed, breaking = _legend_items(categories, edges)
    parts = [f'<g class="legend" font-size="{_n(SMALL_SIZE)}" fill="{TEXT_COLOUR}">']
    x, y = MARGIN, MARGIN
    for name in names:
        fill, border = _colours(name)
        parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="16" height="12" rx="3" '
                     f'fill="{fill}" stroke="{border}"/>')
        parts.append(f'<text x="{_n(x + 22)}" y="{_n(y + 10)}">{escape(name)}</text>')
        x += 22 + _text_width(name, SMALL_SIZE) + 14
    x, y = MARGIN, MARGIN + 20
    for text, colour, width, marker in ((allowed, GREY, 1.2, "archguard-arrow"),
                                        (breaking, RED, 2.4, "archguard-arrow-violating")):
        parts.append(f'<path d="M{_n(x)},{_n(y + 6)} H{_n(x + 32)}" stroke="{colour}" '
                     f'stroke-width="{_n(width)}" fill="none" '
                     f'marker-end="url(#{marker})"/>')
        parts.append(f'<text x="{_n(x + 40)}" y="{_n(y + 10)}">{escape(text)}</text>')
        x += 40 + _text_width(text, SMALL_SIZE) + 14
    parts.append("</g>")
    return "".join(parts)


def _band(band: Band, width: float) -> str:
    return (f'<g class="band" data-category="{_attr(band.category)}">'
            f'<rect x="{_n(MARGIN)}" y="{_n(band.top)}" width="{_n(width - 2 * MARGIN)}" '
            f'height="{_n(band.bottom - band.top)}" rx="6" fill="{BAND_FILL}"/>'
            f'<text x="{_n(MARGIN + 8)}" y="{_n(band.top + BAND_TITLE)}" '
            f'font-size="{_n(SMALL_SIZE)}" font-weight="600" fill="#555555">'
            f"{escape(band.category)}</text></g>")


def _path_data(route: Route) -> str:
    (x0, y0) = route[0][0]
    segments = " ".join(f"C{_n(x1)},{_n(y1)} {_n(x2)},{_n(y2)} {_n(x3)},{_n(y3)}"
                        for _, (x1, y1), (x2, y2), (x3, y3) in route)
    return f"M{_n(x0)},{_n(y0)} {segments}"


def _import_line(item: GraphImport) -> str:
    return f"{item.file}:{item.line}  {item.statement}"


def _edge_title(edge: GraphEdge) -> str:
    """The edge in words, then its imports, the ones breaking a contract first."""
    head = f"{edge.source} → {edge.target}: {_plural(edge.count, 'import')}"
    if edge.violating:
        head += f", {edge.violations} breaking a contract"
        if edge.contracts:
            head += " (" + ", ".join(sorted(edge.contracts)) + ")"
    imports = sorted(edge.imports, key=lambda item: (not item.violating, item.file, item.line,
                                                     item.statement, item.kind))
    lines = [head, *(_import_line(item) for item in imports[:SHOWN_IMPORTS])]
    if len(imports) > SHOWN_IMPORTS:
        lines.append(f"… and {len(imports) - SHOWN_IMPORTS} more")
    return "\n".join(lines)


def _edge(edge: GraphEdge, route: Route, label: Point | None) -> str:
    data = _path_data(route)
    colour, width, marker, css = ((RED, 2.4, "archguard-arrow-violating", "edge violating")
                                  if edge.violating else (GREY, 1.2, "archguard-arrow", "edge"))
    parts = [f'<g class="{css}" data-source="{_attr(edge.source)}" '
             f'data-target="{_attr(edge.target)}" data-count="{edge.count}" '
             f'data-violations="{edge.violations}" tabindex="0">',
             f"<title>{escape(_edge_title(edge))}</title>",
             f'<path class="line" d="{data}" fill="none" stroke="{colour}" '
             f'stroke-width="{_n(width)}" marker-end="url(#{marker})"/>',
             f'<path class="hit" d="{data}" fill="none" stroke="transparent" '
             f'stroke-width="12" pointer-events="stroke"/>']
    if label is not None:
        parts.append(f'<text class="edge-label" x="{_n(label[0])}" y="{_n(label[1])}" '
                     f'dy="0.35em" text-anchor="middle" font-size="{_n(SMALL_SIZE)}" '
                     f'font-weight="700" fill="{RED}" stroke="{WHITE}" stroke-width="3.5" '
                     f'stroke-linejoin="round" paint-order="stroke" '
                     f'style="paint-order:stroke">{edge.violations}</text>')
    parts.append("</g>")
    return "".join(parts)


def _node_title(node: GraphNode) -> str:
    counted = _plural(node.violations, "violation") if node.violations else "no violations"
    return f"{node.name} ({node.category}): {counted}"


def _node(node: GraphNode, box: Box) -> str:
    fill, border = _colours(node.category)
    css, stroke, width = (("node violating", RED, 2.5) if node.violations
                          else ("node", border, 1.2))
    label_y = box.y - 6 if node.violations else box.y
    parts = [f'<g class="{css}" data-module="{_attr(node.name)}" '
             f'data-category="{_attr(node.category)}">',
             f"<title>{escape(_node_title(node))}</title>",
             f'<rect x="{_n(box.left)}" y="{_n(box.top)}" width="{_n(box.width)}" '
             f'height="{_n(box.height)}" rx="8" fill="{fill}" stroke="{stroke}" '
             f'stroke-width="{_n(width)}"/>',
             f'<text class="label" x="{_n(box.x)}" y="{_n(label_y)}" dy="0.35em" '
             f'text-anchor="middle" font-size="{_n(LABEL_SIZE)}" font-weight="600" '
             f'fill="{TEXT_COLOUR}">{escape(node.label)}</text>']
    if node.violations:
        parts.append(f'<text class="node-violations" x="{_n(box.x)}" y="{_n(box.y + 10)}" '
                     f'dy="0.35em" text-anchor="middle" font-size="{_n(SMALL_SIZE)}" '
                     f'fill="{RED}">{_plural(node.violations, "violation")}</text>')
    parts.append("</g>")
    return "".join(parts)
