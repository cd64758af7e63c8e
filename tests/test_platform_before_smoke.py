"""The ``before`` platform's own smoke suite: it passes on the whole platform, and without
the ``orders`` module exactly the customer order paths fail, with the platform's traceback.
Every run is real: pytest in a subprocess on a temporary copy."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BEFORE

SMOKE = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=native", "tests/test_smoke.py")
NOT_FIXTURE = ("__pycache__", ".archguard_cache")
ORDER_TESTS = {
    "test_customer_orders_answer_with_the_order_page": (332, "get_customer_orders"),
    "test_customer_stats_answer_with_the_order_figures": (368, "get_customer_statistics"),
}
MISSING_ORDERS = "ModuleNotFoundError: No module named 'app.modules.orders'"
SUMMARY = re.compile(r"^=*\s*(\d+ \w+(?:, \d+ \w+)*) in [\d.]+s", re.MULTILINE)
SECTION = re.compile(r"^_{3,} (test_\w+) _{3,}$", re.MULTILINE)
FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')


def fixture_digest(root: Path) -> str:
    """A digest of every file's path and bytes below ``root``, caches aside."""
    digest = hashlib.sha256()
    files = (
        path for path in root.rglob("*")
        if path.is_file() and not set(NOT_FIXTURE) & set(path.relative_to(root).parts)
    )
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def copy_platform(destination: Path, remove: tuple[str, ...] = ()) -> Path:
    shutil.copytree(BEFORE, destination, ignore=shutil.ignore_patterns(*NOT_FIXTURE))
    for module in remove:
        shutil.rmtree(destination / "app" / "modules" / module)
    return destination


def run_smoke(project: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "APP_DATABASE_URL"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, *SMOKE], cwd=project, env=env,
        capture_output=True, text=True, timeout=600,
    )


def counts(output: str) -> dict[str, int]:
    """The final summary line as ``{"passed": 13, "failed": 2, ...}``."""
    found = SUMMARY.findall(output)
    assert found, output[-3000:]
    result = {}
    for part in found[-1].split(", "):
        number, word = part.split(" ")
        result[word.rstrip("s") if word in {"errors", "warnings"} else word] = int(number)
    return result


def failed_tests(output: str) -> set[str]:
    return set(re.findall(r"^FAILED tests/test_smoke\.py::(\w+)", output, re.MULTILINE))


def failure_sections(output: str) -> dict[str, str]:
    """Each failed test's report, by test name."""
    parts = SECTION.split(output)
    return {
        name: re.split(r"^=+ .+ =+$", text, maxsplit=1, flags=re.MULTILINE)[0]
        for name, text in zip(parts[1::2], parts[2::2])
    }


def outermost_traceback(section: str) -> list[str]:
    """The lines of the last top-level traceback of a failure report (the one raised)."""
    lines = section.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "Traceback (most recent call last):"]
    assert starts, section[-3000:]
    return [line for line in lines[starts[-1]:] if line.strip()]


@pytest.fixture(scope="module", autouse=True)
def fixture_tree_is_never_modified():
    digest = fixture_digest(BEFORE)
    yield
    assert fixture_digest(BEFORE) == digest, "the before/ fixture tree was modified"


@pytest.fixture(scope="module")
def intact(tmp_path_factory) -> subprocess.CompletedProcess:
    return run_smoke(copy_platform(tmp_path_factory.mktemp("intact") / "before"))


@pytest.fixture(scope="module")
def without_orders(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    project = copy_platform(tmp_path_factory.mktemp("without-orders") / "before", ("orders",))
    return project, run_smoke(project)


def test_smoke_suite_passes_on_the_whole_platform(intact):
    output = intact.stdout + intact.stderr
    assert intact.returncode == 0, output[-4000:]
    summary = counts(intact.stdout)
    assert 10 <= summary["passed"] <= 18, summary
    assert set(summary) <= {"passed", "warning"}, summary
    assert failed_tests(intact.stdout) == set()
    assert set(ORDER_TESTS) <= set(re.findall(r"def (test_\w+)", (
        BEFORE / "tests" / "test_smoke.py").read_text(encoding="utf-8")))


def test_without_orders_exactly_the_customer_order_paths_fail(intact, without_orders):
    _, result = without_orders
    output = result.stdout
    assert result.returncode == 1, output[-4000:] + result.stderr[-2000:]
    summary = counts(output)
    assert summary["failed"] == len(ORDER_TESTS), summary
    assert summary["passed"] == counts(intact.stdout)["passed"] - len(ORDER_TESTS), summary
    assert set(summary) <= {"passed", "failed", "warning"}, summary
    assert failed_tests(output) == set(ORDER_TESTS)


@pytest.mark.parametrize("test_name", sorted(ORDER_TESTS))
def test_each_failure_is_the_platform_import_of_orders(without_orders, test_name):
    project, result = without_orders
    section = failure_sections(result.stdout)[test_name]
    traceback = outermost_traceback(section)
    assert traceback[-1] == MISSING_ORDERS, "\n".join(traceback[-20:])
    app_dir = (project / "app").resolve()
    frames = [
        match for match in map(FRAME.match, traceback)
        if match and app_dir in Path(match["path"]).resolve().parents
    ]
    assert frames, "\n".join(traceback[-20:])
    innermost = frames[-1]
    line, function = ORDER_TESTS[test_name]
    assert Path(innermost["path"]).resolve().relative_to(app_dir).as_posix() == (
        "modules/customers/services/customer_service.py"
    )
    assert (int(innermost["line"]), innermost["function"]) == (line, function)
