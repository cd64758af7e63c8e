"""Valid source that once crashed archguard or lost what it holds: expressions nested deeper
than the interpreter's stack, files large enough to crash grimp's native scanner, files
deleted while a run reads the tree. Each is read, or reported as a file left out with its
file and line; the rest of the project is still checked."""

from __future__ import annotations

import json

import pytest

from archguard.adapters import import_table
from archguard.adapters.source_walk import DEEP_RECURSION, without_recursion_limit
from archguard.errors import SourceSyntaxError

from .support import archguard, assert_refused, project

VIOLATION = "import app.modules.extras.gift\n"
MODULES = {"app", "app.main", "app.modules", "app.modules.shop", "app.modules.shop.service",
           "app.modules.extras", "app.modules.extras.gift"}


def _sum(terms: int) -> str:
    return "X = " + "+".join(["1"] * terms) + "\n"


@pytest.mark.parametrize("terms", [1_000, 50_000])
@pytest.mark.parametrize("cache", [("--no-cache",), ()])
def test_a_long_expression_keeps_the_files_violation_in_check(tmp_path, terms, cache):
    root = project(tmp_path, app__modules__shop__service=None,
                   **{"app__modules__shop__service.py": VIOLATION + _sum(terms)
                      + "def price():\n    return 1\n"})
    for _ in range(2):  # cold, then from the caches when they are on
        done = archguard("check", "--format", "json", *cache, cwd=root)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        report = json.loads(done.stdout)
        assert [(v["file"], v["line"], v["imported"]) for v in report["violations"]] == [
            ("app/modules/shop/service.py", 1, "app.modules.extras.gift")]
        assert report["errors"] == []


@pytest.mark.parametrize("terms", [1_000, 50_000])
def test_a_long_expression_keeps_the_crash_simulate_predicts(tmp_path, terms):
    root = project(tmp_path, **{"app__modules__shop__service.py": VIOLATION + _sum(terms)
                                + "def price():\n    return 1\n"})
    done = archguard("simulate", "--without", "extras", "--no-cache", cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "crashes at import" in output
    assert "app/modules/shop/service.py:1" in output


def test_a_file_of_twenty_thousand_imports_is_matched_to_its_statements_in_linear_time(
        tmp_path):
    text = "".join(f"import app.modules.extras.gift as g{n}\n" for n in range(20_000))
    root = project(tmp_path, **{"app__modules__shop__service.py": text
                                + "def price():\n    return g7.price()\n"})
    done = archguard("simulate", "--without", "extras", "--no-cache", cwd=root, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "app/modules/shop/service.py:1" in output


def test_a_file_as_large_as_the_scanner_reads_apart_keeps_its_imports(tmp_path):
    padding = "# " + "padding " * 8 + "\n"
    text = VIOLATION + padding * (import_table.APART_FROM // len(padding) + 10)
    root = project(tmp_path, **{"app__modules__shop__big.py": text})
    assert (root / "app/modules/shop/big.py").stat().st_size >= import_table.APART_FROM
    done = archguard("check", "--format", "json", "--no-cache", cwd=root)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(v["file"], v["line"]) for v in report["violations"]] == [
        ("app/modules/shop/big.py", 1)]


def test_a_file_that_crashes_the_native_scanner_is_left_out_and_the_others_are_read(
        tmp_path):
    # A stack of 1 MiB for the scanner's threads: 200,000 terms overflow it, as 5 million
    # would overflow the one archguard gives them.
    root = project(tmp_path, **{"app__modules__shop__deep.py": VIOLATION + _sum(200_000),
                                "app__modules__shop__other.py": VIOLATION})
    wanted = ["app.modules.shop.deep", "app.modules.shop.other", "app.modules.shop.service"]
    unreadable: list[SourceSyntaxError] = []
    imports = import_table._scan_apart(root / "app", "app", MODULES | set(wanted), wanted,
                                       unreadable, stack=1 << 20)
    assert imports["app.modules.shop.other"] == {"app.modules.extras.gift": [1]}
    assert "app.modules.shop.service" in imports
    assert "app.modules.shop.deep" not in imports
    [crashed] = unreadable
    assert crashed.path == root / "app/modules/shop/deep.py"
    assert crashed.line == 2  # the line the nesting is written on
    assert "crashed" in crashed.message
    assert "SIGSEGV" in crashed.message


def test_a_file_deleted_after_the_tree_was_listed_is_left_out_and_named(tmp_path):
    root = project(tmp_path)
    unreadable: list[SourceSyntaxError] = []
    wanted = {"app.modules.shop.ghost", "app.modules.extras.gift"}
    imports = import_table._scan(root / "app", "app", MODULES | wanted, wanted, unreadable)
    assert imports["app.modules.extras.gift"] == {"app.modules.shop.service": [1]}
    [gone] = unreadable
    assert gone.path == root / "app/modules/shop/ghost.py"
    assert "No such file" in gone.message


def test_a_read_nested_deeper_than_the_interpreters_stack_is_done_on_a_deeper_one(
        tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("x = 1\n")

    def nest(depth: int) -> int:
        return 0 if depth == 0 else 1 + nest(depth - 1)

    assert without_recursion_limit(lambda: nest(50_000), path) == 50_000


def test_a_read_nested_past_any_stack_names_the_file_and_its_longest_line(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("import os\nX = " + "+".join(["1"] * 100) + "\ny = 2\n")

    def nest(depth: int) -> int:
        return 0 if depth == 0 else 1 + nest(depth - 1)

    with pytest.raises(SourceSyntaxError) as raised:
        without_recursion_limit(lambda: nest(DEEP_RECURSION * 2), path)
    assert raised.value.path == path
    assert raised.value.line == 2
    assert "too deep" in raised.value.message


def test_an_error_the_deeper_read_raises_reaches_the_caller_as_it_was(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("")
    calls: list[str] = []

    def read() -> None:
        calls.append("read")
        if len(calls) == 1:
            raise RecursionError
        raise KeyError("kept")

    with pytest.raises(KeyError, match="kept"):
        without_recursion_limit(read, path)
    assert calls == ["read", "read"]


@pytest.mark.parametrize("statement", ["from .... import y", "from ........ import y"])
def test_a_relative_import_above_the_top_package_is_a_finding_not_a_panic(tmp_path,
                                                                        statement):
    root = project(tmp_path, **{"app__modules__shop__service.py": f"{statement}\n"
                                "def price():\n    return 1\n"})
    done = archguard("check", "--no-cache", cwd=root)
    output = assert_refused(done, 1, "app/modules/shop/service.py", 1)
    assert "import-beyond-top-level" in output
    assert "PanicException" not in output
