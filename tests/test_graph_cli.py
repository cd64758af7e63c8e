"""``archguard graph`` on the reference platform, run as a user runs it: the modules by
category and the dependencies between them, those breaking a contract marked, in each
format; DOT rendered by Graphviz itself, SVG read as XML."""

from __future__ import annotations

import json
import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from tests.bad_input.support import archguard

from .conftest import BEFORE, RULES

pytestmark = pytest.mark.platform


def _run(*args: str) -> str:
    done = archguard("graph", str(BEFORE), "--config", str(RULES), "--no-cache", *args,
                     cwd=BEFORE)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def graph() -> dict:
    return json.loads(_run("--format", "json"))


@pytest.fixture(scope="module")
def violating_pairs() -> set[tuple[str, str]]:
    done = archguard("check", str(BEFORE), "--config", str(RULES), "--no-cache",
                     "--format", "json", cwd=BEFORE)
    return {(v["source_module"], v["target_module"]) for v in json.loads(done.stdout)[
        "violations"] if v["source_module"] != v["target_module"]}


def test_every_module_by_category_and_the_violating_dependencies_marked(graph,
                                                                       violating_pairs):
    modules = archguard("modules", str(BEFORE), "--config", str(RULES), "--format", "json",
                        cwd=BEFORE)
    listed = {m["name"]: m["category"] for m in json.loads(modules.stdout)["modules"]}
    assert {n["name"]: n["category"] for n in graph["nodes"]} == listed
    assert graph["categories"][:2] == ["core", "optional"]
    marked = {(e["source"], e["target"]) for e in graph["edges"] if e["violations"]}
    assert marked == violating_pairs
    for edge in graph["edges"]:
        assert sum(edge["kinds"].values()) == edge["count"] >= edge["violations"]
        assert bool(edge["contracts"]) == bool(edge["violations"])


def test_dot_is_drawn_by_graphviz_with_the_violating_edges_red(graph):
    if shutil.which("dot") is None:
        pytest.fail("the DOT output is drawn by Graphviz: apt-get install graphviz "
                    "(.ci/run installs it)")
    dot = _run("--format", "dot")
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                           timeout=60)
    assert drawn.returncode == 0, drawn.stderr
    svg = ElementTree.fromstring(drawn.stdout)
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    for edge in graph["edges"]:
        assert f"{edge['source']}->{edge['target']}" in titles
    red = [line for line in dot.splitlines() if "->" in line and "#c62828" in line]
    assert len(red) == sum(1 for e in graph["edges"] if e["violations"])


def test_a_module_and_its_neighbours(graph):
    around = json.loads(_run("--format", "json", "--module", "marketplace", "--depth", "1"))
    names = {n["name"] for n in around["nodes"]}
    expected = {"marketplace"} | {e["target"] for e in graph["edges"]
                                  if e["source"] == "marketplace"} | {
        e["source"] for e in graph["edges"] if e["target"] == "marketplace"}
    assert names == expected
    assert all(e["source"] in names and e["target"] in names for e in around["edges"])
    alone = json.loads(_run("--format", "json", "--module", "marketplace", "--depth", "0"))
    assert [n["name"] for n in alone["nodes"]] == ["marketplace"] and alone["edges"] == []


def test_an_unknown_module_is_a_usage_error_naming_the_nearest():
    done = archguard("graph", str(BEFORE), "--config", str(RULES), "--module", "marketplac",
                     cwd=BEFORE)
    assert done.returncode == 2
    assert "marketplac" in done.stderr and "marketplace" in done.stderr
    assert "Traceback" not in done.stderr


def test_mermaid_and_svg_hold_every_module_and_dependency(graph):
    mermaid = _run("--format", "mermaid").splitlines()
    assert mermaid[0] == "flowchart BT"
    assert sum(1 for line in mermaid if "-->" in line) == len(graph["edges"])
    assert sum(1 for line in mermaid if line.startswith("  subgraph ")) == len(
        graph["categories"])
    red = next(line for line in mermaid if line.lstrip().startswith("linkStyle"))
    assert len(red.split()[1].split(",")) == sum(1 for e in graph["edges"] if e["violations"])
    svg = ElementTree.fromstring(_run("--format", "svg"))
    text = " ".join(svg.itertext())
    assert all(n["label"] in text for n in graph["nodes"])
