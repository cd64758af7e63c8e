"""The audit as one self-contained HTML page: the sections of the Markdown report, the module
graph as inline SVG, sortable tables, and a panel that lists the imports of the edge you
click. No network, no external assets: the styles and the script are in the page, and it
prints as a document."""

from __future__ import annotations

import html
import json
import re

from archguard import __version__
from archguard.domain.audit import AuditReport, ModuleGraph
from archguard.reporting.audit_sections import Block, Section, Table, sections, title
from archguard.reporting.graph_svg import render_graph_svg

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def audit_to_html(report: AuditReport) -> str:
    parts = sections(report)
    graph = _graph_section(report.graph)
    body = [_section(parts[0]), graph, *(_section(s) for s in parts[1:])]
    toc = "".join(f'<li><a href="#{s.id}">{_text(s.title)}</a></li>'
                  for s in [parts[0], Section("graph", "Module graph"), *parts[1:]])
    errors = ""
    if report.errors:
        errors = ('<section id="errors"><h2>Files that could not be read</h2><ul>'
                  + "".join(f"<li><code>{_text(e)}</code></li>" for e in report.errors)
                  + "</ul></section>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title(report))}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{_text(title(report))}</h1>"
        f'<p class="meta">archguard {_text(__version__)}</p></header>\n'
        f'<nav aria-label="Sections"><ol>{toc}</ol></nav>\n<main>\n'
        + "\n".join(body) + errors
        + "\n</main>\n"
        f'<script type="application/json" id="edge-data">{_edge_data(report.graph)}</script>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _graph_section(graph: ModuleGraph) -> str:
    violating = sum(1 for e in graph.edges if e.violating)
    return (
        '<section id="graph"><h2>Module graph</h2>'
        f"<p>{len(graph.nodes)} modules and {len(graph.edges)} dependencies between them; "
        f"{violating} break a contract (red, with the number of imports). Core modules are "
        "at the bottom. Click or focus an edge to list its imports.</p>"
        f'<div class="graph">{render_graph_svg(graph)}</div>'
        '<div id="edge-details" class="edge-details" aria-live="polite" hidden></div>'
        "</section>"
    )


#: Imports listed per edge in the page, for an edge that breaks a contract (the violating
#: first) and for one that does not; the JSON report has them all.
PAGE_EDGE_IMPORTS = 40
PAGE_ALLOWED_IMPORTS = 10


def _edge_data(graph: ModuleGraph) -> str:
    data = {}
    for e in graph.edges:
        shown = e.imports[:PAGE_EDGE_IMPORTS if e.violating else PAGE_ALLOWED_IMPORTS]
        data[f"{e.source}->{e.target}"] = {
            "source": e.source, "target": e.target, "count": e.count,
            "violations": e.violations, "contracts": list(e.contracts),
            "more": e.count - len(shown),
            "imports": [{"file": i.file, "line": i.line, "statement": i.statement,
                         "kind": i.kind, "function": i.function, "violating": i.violating,
                         "contract": i.contract} for i in shown]}
    # Inside <script>, only "</" can end the element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _section(section: Section) -> str:
    blocks = "".join(_block(block) for block in section.blocks)
    return f'<section id="{section.id}"><h2>{_text(section.title)}</h2>{blocks}</section>'


def _block(block: Block) -> str:
    out = []
    if block.heading:
        out.append(f"<h3>{_inline(block.heading)}</h3>")
    out += [f"<p>{_inline(p)}</p>" for p in block.paragraphs]
    if block.items:
        out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in block.items) + "</ul>")
    out += [_table(t) for t in block.tables]
    return "".join(out)


def _table(table: Table) -> str:
    caption = ""
    if table.file:
        caption = f"<caption>File: <code>{_text(table.file)}</code></caption>"
    elif table.caption:
        caption = f"<caption>{_text(table.caption)}</caption>"
    head = "".join(f'<th scope="col"><button type="button">{_text(c)}</button></th>'
                   for c in table.columns)
    rows = []
    for row in table.rows:
        cells = "".join(
            f"<td><code>{_text(cell)}</code></td>" if index in table.code and cell != "-"
            else f"<td>{_text(cell)}</td>" for index, cell in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    notes = "".join(f'<p class="fix"><strong>Fix</strong> {_text(n.removeprefix("Fix "))}</p>'
                    for n in table.notes)
    return (f'<div class="table"><table class="sortable">{caption}<thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>{notes}")


#: Marks as drawn in the page: fonts without emoji (print, headless browsers) have these.
_MARKS = {"✅": '<span class="mark ok" aria-label="yes">✓</span>',
          "❌": '<span class="mark bad" aria-label="no">✗</span>',
          "➖": '<span class="mark absent" aria-label="not applicable">–</span>'}
_MARK = re.compile("|".join(_MARKS))


def _text(text: str) -> str:
    return _MARK.sub(lambda m: _MARKS[m.group(0)], html.escape(text, quote=True))


def _inline(text: str) -> str:
    """Escaped text with the Markdown the sections use: **strong** and `code`."""
    escaped = _text(text)
    escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
    return _CODE.sub(r"<code>\1</code>", escaped)


STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bad: #c62828; --good: #2e7d32;
  --panel: #f6f8fa; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { color: var(--ink); margin: 0 auto; max-width: 78rem; padding: 1rem 1.5rem 4rem;
  line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2.2rem; }
h3 { margin-top: 1.6rem; }
.meta { color: var(--muted); margin-top: 0; }
nav ol { columns: 3 14rem; padding-left: 1.6rem; margin: .8rem 0; }
.mark { font-weight: 700; }
.mark.ok { color: var(--good); }
.mark.bad { color: var(--bad); }
.mark.absent { color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .86em; overflow-wrap: anywhere; }
.table { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
  vertical-align: top; }
th { background: var(--panel); }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; color: var(--muted); font-size: .8em; }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
th button:focus-visible { outline: 2px solid #0969da; }
tbody tr:nth-child(even) { background: #fbfcfd; }
.fix { margin: .2rem 0 .8rem; }
.graph { border: 1px solid var(--line); border-radius: 6px; padding: .5rem;
  overflow-x: auto; background: #fff; }
.graph g.edge { cursor: pointer; }
.graph g.edge:focus { outline: none; }
.graph g.edge:focus path:not(.hit), .graph g.edge.selected path:not(.hit) {
  stroke-width: 4px; }
.edge-details { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: .6rem .9rem; margin-top: .6rem; }
.edge-details h3 { margin: 0 0 .4rem; }
.edge-details li.violating { color: var(--bad); }
.edge-details button { float: right; }
@media print {
  nav, .edge-details, th button::after { display: none !important; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, .graph { break-inside: avoid; }
  .table { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""

SCRIPT = r"""
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.children[index];
    return cell ? cell.textContent.trim() : "";
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && /^[\d.]/.test(a) && /^[\d.]/.test(b)) { return x - y; }
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      th.querySelector("button").addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var data = JSON.parse(document.getElementById("edge-data").textContent);
  var panel = document.getElementById("edge-details");
  function text(tag, value, cls) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (cls) { node.className = cls; }
    return node;
  }
  function show(edge) {
    var found = data[edge.getAttribute("data-source") + "->" + edge.getAttribute("data-target")];
    if (!found) { return; }
    document.querySelectorAll("g.edge.selected").forEach(function (other) {
      other.classList.remove("selected");
    });
    edge.classList.add("selected");
    panel.textContent = "";
    var close = text("button", "Close");
    close.type = "button";
    close.addEventListener("click", function () { panel.hidden = true; });
    panel.appendChild(close);
    panel.appendChild(text("h3", found.source + " \u2192 " + found.target + ": " +
      found.count + " import" + (found.count === 1 ? "" : "s") +
      (found.violations ? ", " + found.violations + " breaking " +
        found.contracts.join(", ") : "")));
    var list = document.createElement("ul");
    found.imports.forEach(function (item) {
      var entry = document.createElement("li");
      if (item.violating) { entry.className = "violating"; }
      entry.appendChild(text("code", item.file + ":" + item.line));
      entry.appendChild(document.createTextNode(" " + item.statement + " (" + item.kind +
        (item.function ? ", in " + item.function : "") +
        (item.contract ? ", breaks " + item.contract : "") + ")"));
      list.appendChild(entry);
    });
    if (found.more) {
      list.appendChild(text("li", "\u2026 and " + found.more + " more (all of them are in " +
        "archguard audit --format json)"));
    }
    panel.appendChild(list);
    panel.hidden = false;
  }
  document.querySelectorAll("svg g.edge").forEach(function (edge) {
    edge.addEventListener("click", function () { show(edge); });
    edge.addEventListener("focus", function () { show(edge); });
    edge.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(edge); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { panel.hidden = true; }
  });
})();
"""
