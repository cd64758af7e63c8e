"""The ``before`` platform's own smoke suite, run on installations with optional modules
removed: it passes on each of them, except the tests that hit one of the platform's real
defects (a lazy or eager import of a removed module), which fail with the platform's
traceback. Every run is real: pytest in a subprocess on a temporary copy."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import BEFORE

pytestmark = pytest.mark.platform

SMOKE = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=native", "tests/test_smoke.py")
NOT_FIXTURE = ("__pycache__", ".archguard_cache")
SMOKE_TESTS = frozenset(
    re.findall(
        r"^def (test_\w+)",
        (BEFORE / "tests" / "test_smoke.py").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
)
# The only smoke test that needs no application: it reads the registry alone.
REGISTRY_ONLY_TESTS = frozenset({"test_registry_skips_modules_whose_requirements_are_missing"})
ORDER_TESTS = {
    "test_customer_orders_answer_with_the_order_page": (332, "get_customer_orders"),
    "test_customer_stats_answer_with_the_order_figures": (368, "get_customer_statistics"),
}
MISSING_ORDERS = "ModuleNotFoundError: No module named 'app.modules.orders'"
SUMMARY = re.compile(r"^=*\s*(\d+ \w+(?:, \d+ \w+)*) in [\d.]+s", re.MULTILINE)
SECTION = re.compile(r"^_+ (?:ERROR at \w+ of )?(test_\w+) _+$", re.MULTILINE)
FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')
MISSING_MODULE = re.compile(r"^ModuleNotFoundError: No module named '(?P<name>[\w.]+)'$")


@dataclass(frozen=True)
class Defect:
    """Where a removed module is imported: the innermost frame under ``app/``."""

    module: str
    path: str
    line: int
    function: str


@dataclass(frozen=True)
class Installation:
    """A copy of the platform without ``removed``, and what the smoke suite reports there:
    ``failed`` tests fail in their body, ``errors`` fail in the setup of a fixture."""

    removed: tuple[str, ...] = ()
    failed: dict[str, Defect] = field(default_factory=dict)
    errors: dict[str, Defect] = field(default_factory=dict)

    @property
    def passed(self) -> frozenset[str]:
        return SMOKE_TESTS - set(self.failed) - set(self.errors)


def orders_defects() -> dict[str, Defect]:
    """Without orders, the customer services import it lazily when a customer's orders or
    stats are asked for."""
    return {
        test: Defect("orders", "modules/customers/services/customer_service.py", line, function)
        for test, (line, function) in ORDER_TESTS.items()
    }


def app_import_defect(module: str, path: str, line: int) -> dict[str, Defect]:
    """The application cannot be imported: every test that needs it errors in its setup."""
    return {
        test: Defect(module, path, line, "<module>")
        for test in SMOKE_TESTS - REGISTRY_ONLY_TESTS
    }


INSTALLATIONS = {
    "intact": Installation(),
    "without-analytics": Installation(
        ("analytics",),
        errors=app_import_defect("analytics", "modules/core/routes/api/admin_dashboard.py", 14),
    ),
    "without-cart": Installation(("cart",)),
    "without-catalog": Installation(
        ("catalog",), errors=app_import_defect("catalog", "modules/cms/models/media.py", 9)
    ),
    "without-checkout": Installation(("checkout",)),
    "without-inventory": Installation(("inventory",)),
    "without-loyalty": Installation(("loyalty",)),
    "without-marketplace": Installation(
        ("marketplace",),
        errors=app_import_defect("marketplace", "modules/tenancy/models/__init__.py", 22),
    ),
    "without-orders": Installation(("orders",), failed=orders_defects()),
    "without-cart-checkout-inventory-loyalty-orders": Installation(
        ("cart", "checkout", "inventory", "loyalty", "orders"), failed=orders_defects()
    ),
}


@dataclass(frozen=True)
class Run:
    project: Path
    result: subprocess.CompletedProcess


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


def error_tests(output: str) -> set[str]:
    return set(re.findall(r"^ERROR tests/test_smoke\.py::(\w+)", output, re.MULTILINE))


def failure_sections(output: str) -> dict[str, str]:
    """Each failed or erroring test's report, by test name, captured output aside."""
    parts = SECTION.split(output)
    return {
        name: re.split(
            r"^(?:=+ .+ =+|-+ Captured .+ -+)$", text, maxsplit=1, flags=re.MULTILINE
        )[0]
        for name, text in zip(parts[1::2], parts[2::2], strict=False)
    }


def outermost_traceback(section: str) -> list[str]:
    """The lines of the last top-level traceback of a failure report (the one raised)."""
    lines = section.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "Traceback (most recent call last):"]
    assert starts, section[-3000:]
    return [line for line in lines[starts[-1]:] if line.strip()]


def frames_under(traceback: list[str], root: Path) -> list[re.Match]:
    """The frames of ``traceback`` whose file is below ``root``, outermost first."""
    root = root.resolve()
    return [
        match for match in map(FRAME.match, traceback)
        if match and root in Path(match["path"]).resolve().parents
    ]


@pytest.fixture(scope="module", autouse=True)
def fixture_tree_is_never_modified():
    digest = fixture_digest(BEFORE)
    yield
    assert fixture_digest(BEFORE) == digest, "the before/ fixture tree was modified"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    """The smoke suite run once on a copy of each installation, two at a time."""

    def run(name: str) -> Run:
        project = copy_platform(
            tmp_path_factory.mktemp(name) / "before", INSTALLATIONS[name].removed
        )
        return Run(project, run_smoke(project))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(INSTALLATIONS, pool.map(run, INSTALLATIONS), strict=False))


@pytest.fixture(scope="module")
def intact(runs) -> subprocess.CompletedProcess:
    return runs["intact"].result


@pytest.fixture(scope="module")
def without_orders(runs) -> tuple[Path, subprocess.CompletedProcess]:
    return runs["without-orders"].project, runs["without-orders"].result


def test_smoke_suite_passes_on_the_whole_platform(intact):
    output = intact.stdout + intact.stderr
    assert intact.returncode == 0, output[-4000:]
    summary = counts(intact.stdout)
    assert 10 <= summary["passed"] <= 18, summary
    assert summary["passed"] == len(SMOKE_TESTS), summary
    assert set(summary) <= {"passed", "warning"}, summary
    assert failed_tests(intact.stdout) == set()
    assert set(ORDER_TESTS) <= SMOKE_TESTS
    assert REGISTRY_ONLY_TESTS <= SMOKE_TESTS


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
    frames = frames_under(traceback, app_dir)
    assert frames, "\n".join(traceback[-20:])
    innermost = frames[-1]
    line, function = ORDER_TESTS[test_name]
    assert Path(innermost["path"]).resolve().relative_to(app_dir).as_posix() == (
        "modules/customers/services/customer_service.py"
    )
    assert (int(innermost["line"]), innermost["function"]) == (line, function)


@pytest.mark.parametrize("name", sorted(INSTALLATIONS))
def test_smoke_suite_reports_exactly_the_installation_defects(runs, name):
    installation = INSTALLATIONS[name]
    project, result = runs[name].project, runs[name].result
    output = result.stdout
    for module in installation.removed:
        assert not (project / "app" / "modules" / module).exists()
    summary = counts(output)
    expected = {"passed": len(installation.passed)}
    if installation.failed:
        expected["failed"] = len(installation.failed)
    if installation.errors:
        expected["error"] = len(installation.errors)
    assert {k: v for k, v in summary.items() if k != "warning"} == expected, (
        summary, output[-4000:]
    )
    assert result.returncode == (1 if installation.failed or installation.errors else 0), (
        output[-4000:] + result.stderr[-2000:]
    )
    assert failed_tests(output) == set(installation.failed)
    assert error_tests(output) == set(installation.errors)


@pytest.mark.parametrize(
    ("name", "test_name"),
    [
        (name, test_name)
        for name, installation in sorted(INSTALLATIONS.items())
        for test_name in sorted({**installation.failed, **installation.errors})
    ],
)
def test_each_failure_is_an_import_of_a_removed_module(runs, name, test_name):
    installation = INSTALLATIONS[name]
    defect = {**installation.failed, **installation.errors}[test_name]
    assert defect.module in installation.removed
    project, result = runs[name].project, runs[name].result
    traceback = outermost_traceback(failure_sections(result.stdout)[test_name])
    shown = "\n".join(traceback[-30:])
    missing = MISSING_MODULE.match(traceback[-1])
    assert missing, shown
    assert missing["name"] == f"app.modules.{defect.module}", shown
    app_dir = (project / "app").resolve()
    frames = frames_under(traceback, app_dir)
    assert frames, shown
    innermost = frames[-1]
    assert Path(innermost["path"]).resolve().relative_to(app_dir).as_posix() == defect.path, shown
    assert (int(innermost["line"]), innermost["function"]) == (defect.line, defect.function), shown
    if test_name in installation.errors:
        entry = frames_under(traceback, project)[0]
        assert Path(entry["path"]).resolve() == (project / "tests" / "conftest.py").resolve()
        assert entry["function"] == "application", shown
