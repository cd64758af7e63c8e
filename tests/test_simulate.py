"""``archguard simulate`` on the reference platform: the seed's removal questions, predicted
from the graph and proved by running the platform without the modules."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import jsonschema
import pytest
import yaml

from archguard.application.simulate import RemovalModel
from archguard.config import load_config

from .bad_input.support import live_processes
from .conftest import AFTER, BEFORE, PLATFORM, REPO, RULES
from .platform_support import tree_digest

GOLDEN = yaml.safe_load((PLATFORM / "expected_violations.yaml").read_text(encoding="utf-8"))
SCHEMA = json.loads((REPO / "docs" / "simulate-output.schema.json").read_text())
CUSTOMER_SERVICE = "app/modules/customers/services/customer_service.py"


@pytest.fixture(scope="module")
def before_model():
    return RemovalModel(BEFORE, load_config(RULES), use_cache=False)


def first(prediction):
    (crash,) = [c for c in prediction.crashes if c.first]
    return crash


# -- prediction ---------------------------------------------------------------------------

@pytest.mark.platform
@pytest.mark.parametrize(("module", "file", "line", "through"), [
    ("analytics", "app/modules/core/routes/api/admin_dashboard.py", 14, []),
    ("marketplace", "app/modules/tenancy/models/__init__.py", 22, []),
    # cms/models/__init__.py imports media.py (line 8) before its own catalog import (14).
    ("catalog", "app/modules/cms/models/media.py", 9, ["app/modules/cms/models/__init__.py:8"]),
])
def test_core_imports_of_these_modules_crash_start_up(before_model, module, file, line,
                                                      through):
    prediction = before_model.predict([module])
    assert prediction.import_crash
    crash = first(prediction)
    assert (crash.file, crash.line) == (file, line)
    assert crash.target == f"app.modules.{module}"
    assert crash.root == "app.main"
    assert [f"{link.file}:{link.line}" for link in crash.chain] == through
    rendered = crash.render_chain()
    assert rendered.startswith("app.main → ") and rendered.endswith(f"app.modules.{module}")
    assert f"{file}:{line}" in rendered
    # Every module-level core import of the removed module that start-up reaches is listed.
    golden = {(e["file"], e["line"]) for e in GOLDEN["violations"]
              if e["target"] == module and e["kind"] == "module"}
    listed = {(c.file, c.line) for c in prediction.crashes}
    assert listed <= golden | {(file, line)}
    assert (file, line) in listed


@pytest.mark.platform
def test_removing_orders_breaks_only_the_two_customer_service_functions(before_model):
    prediction = before_model.predict(["orders"])
    assert not prediction.import_crash
    assert prediction.cascade == (("checkout", "requires 'orders', which is removed"),)
    lazy = {(e["file"], e["line"], e["used_in"][0]["function"]) for e in GOLDEN["violations"]
            if e["target"] == "orders"}
    assert {(f.file, f.line, f.function) for f in prediction.runtime_failures} == lazy == {
        (CUSTOMER_SERVICE, 332, "CustomerService.get_customer_orders"),
        (CUSTOMER_SERVICE, 368, "CustomerService.get_customer_statistics"),
    }
    assert all(f.kind == "lazy" and f.target == "app.modules.orders.models"
               for f in prediction.runtime_failures)
    assert all("app.modules.customers.routes.api.store" in f.reached_from
               for f in prediction.runtime_failures)
    # The analytics stats service guards its orders import: listed as safe.
    assert any(s.kind == "guarded" and s.target.startswith("app.modules.orders")
               for s in prediction.safe)


@pytest.mark.platform
def test_unknown_module_is_a_usage_error_with_a_suggestion():
    result = _cli(BEFORE, "--without", "order")
    assert result.returncode == 2
    assert "no module 'order'" in result.stderr and "did you mean 'orders'" in result.stderr
    assert "Traceback" not in result.stderr
    nothing = _cli(BEFORE)
    assert nothing.returncode == 2 and "--without" in nothing.stderr


# -- proof ----------------------------------------------------------------------------------

def _cli(project, *args, env_extra=None, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "archguard", "simulate", str(project), "--config", str(RULES),
         "--no-cache", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env_extra or {})})


@pytest.mark.platform
def test_before_predictions_are_confirmed_by_running_the_platform():
    digest = tree_digest(BEFORE)
    scenarios = []
    for module in ("analytics", "marketplace", "catalog", "orders"):
        run = _cli(BEFORE, "--run", "--without", module, "--format", "json")
        assert run.returncode == 1, run.stderr
        data = json.loads(run.stdout)
        jsonschema.validate(data, SCHEMA)
        scenarios.append(data["scenarios"][0])
    assert tree_digest(BEFORE) == digest  # the original tree is never written

    for scenario in scenarios[:3]:
        predicted, observed = scenario["predicted"], scenario["observed"]
        assert scenario["agreed"] is True
        assert predicted["import_crash"] is observed["import_crash"] is True
        crash = next(c for c in predicted["crashes"] if c["first"])
        # The real start-up stops exactly where the prediction says it does first.
        assert observed["first_error"] == (
            f"ModuleNotFoundError: No module named '{crash['target']}' "
            f"at {crash['file']}:{crash['line']}")

    orders = scenarios[3]
    assert orders["agreed"] is True
    assert orders["predicted"]["import_crash"] is orders["observed"]["import_crash"] is False
    assert orders["cascade"] == ["checkout"]
    observed = {(f["file"], f["line"]) for f in orders["observed"]["failures"]}
    assert observed == {(CUSTOMER_SERVICE, 332), (CUSTOMER_SERVICE, 368)}
    assert all(f["explained"] and "app.modules.orders" in f["error"]
               for f in orders["observed"]["failures"])


@pytest.mark.platform
def test_after_matrix_runs_with_full_agreement():
    digest = tree_digest(AFTER)
    result = _cli(AFTER, "--matrix", "--run", "--jobs", "2", "--format", "json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    optional = {"analytics", "cart", "catalog", "checkout", "inventory", "loyalty",
                "marketplace", "orders"}
    assert [s["removed"] for s in data["scenarios"][:-1]] == [[m] for m in sorted(optional)]
    assert set(data["scenarios"][-1]["removed"]) == optional
    for scenario in data["scenarios"]:
        assert scenario["predicted"]["verdict"] == "runs"
        assert scenario["observed"]["ok"] is True
        assert [c["name"] for c in scenario["observed"]["commands"]] == ["import",
                                                                        "smoke-tests"]
    assert data["summary"] == {"scenarios": 9, "agreed": 9, "disagreed": 0, "agreement": 1.0}
    assert tree_digest(AFTER) == digest


@pytest.mark.platform
def test_matrix_text_report(tmp_path):
    result = _cli(BEFORE, "--matrix")
    assert result.returncode == 1
    assert "orders (+ checkout)" in result.stdout
    assert "crashes at import" in result.stdout and "breaks at runtime" in result.stdout
    assert "9 scenarios: 3 run, 6 break" in result.stdout
    markdown = _cli(BEFORE, "--matrix", "--format", "markdown", "--output",
                    str(tmp_path / "report.md"))
    assert markdown.returncode == 1 and markdown.stdout == ""
    text = (tmp_path / "report.md").read_text()
    assert "| orders (+ checkout) | 0 | 2 | breaks at runtime |" in text


# -- the temporary copies -------------------------------------------------------------------

SLOW_PROJECT = {
    "archguard.yaml": """
        version: 1
        project: {root_package: app, modules_package: app.modules}
        categories: {core: {}, optional: {}}
        modules: {shop: {category: core}, extras: {category: optional}}
        definitions: {enabled: false}
        runtime:
          entry_points: [app.main]
          smoke:
            - {name: slow, command: "python -c 'import time; time.sleep(120)'"}
        """,
    "app/__init__.py": "",
    "app/main.py": "import app.modules.shop\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
}


def _copies(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("archguard-simulate-"))


def test_a_timed_out_command_is_killed_and_its_copy_removed(make_project, tmp_path):
    project = make_project(SLOW_PROJECT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "archguard", "simulate", str(project), "-w", "extras", "--run",
         "--timeout", "2", "--format", "json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(temporary)})
    assert time.monotonic() - start < 60
    data = json.loads(result.stdout)
    observed = data["scenarios"][0]["observed"]
    assert observed["commands"][1] == {**observed["commands"][1], "name": "slow",
                                       "timed_out": True, "exit_code": None}
    assert observed["failures"] == [{"smoke": "slow", "file": None, "line": None,
                                     "function": None, "error": "timed out", "name": None,
                                     "explained": False}]
    assert data["scenarios"][0]["agreed"] is False
    assert result.returncode == 1
    assert _copies(temporary) == []


RUN_MARKER = "ARCHGUARD_TEST_INTERRUPTED_RUN"


def _processes_marked(value: str) -> dict[int, str]:
    """The live processes (pid: command line) whose environment holds ``RUN_MARKER=value``.

    The smoke commands run in sessions of their own, and one that archguard failed to kill
    is re-parented when archguard exits; the environment it inherited stays with it, and
    tells this run's processes from anything else on the machine.
    """
    wanted = f"{RUN_MARKER}={value}".encode()
    return {pid: line for pid, line, variables in live_processes() if wanted in variables}


@contextlib.contextmanager
def _interruptible_children():
    """Children started here take SIGINT as a terminal's Ctrl-C does.

    A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored
    across exec, so the archguard process would never see the SIGINT this test sends. A
    handled signal is reset to its default on exec, and Python turns that default into
    KeyboardInterrupt.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"),
                    reason="finds the run's processes through /proc")
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_removes_its_copy_and_stops_its_commands(make_project, tmp_path,
                                                                    signal_number):
    project = make_project(SLOW_PROJECT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    marker = str(tmp_path)
    errors = (tmp_path / "stderr.txt").open("wb")
    with errors, _interruptible_children():
        process = subprocess.Popen(
            [sys.executable, "-m", "archguard", "simulate", str(project), "-w", "extras",
             "--run"],
            # A session of its own: the signal it gets is the one this test sends.
            stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
            env={**os.environ, "TMPDIR": str(temporary), RUN_MARKER: marker})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the slow smoke command runs in a copy
            commands = _processes_marked(marker).values()
            if _copies(temporary) and any("time.sleep(120)" in c for c in commands):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the smoke command never started:\n"
                        + (tmp_path / "stderr.txt").read_text(errors="replace"))
        process.send_signal(signal_number)
        process.wait(timeout=30)
        assert process.returncode != 0
        assert _copies(temporary) == []
        deadline = time.monotonic() + 5
        while _processes_marked(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_marked(marker) == {}
    finally:
        process.kill()
        for pid in _processes_marked(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def test_tracebacks_are_read_with_their_innermost_project_frame_and_chains_count_once(
        tmp_path):
    from archguard.adapters.sandbox import read_tracebacks

    copy = tmp_path / "project"
    output = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/sqlalchemy/orm/clsregistry.py", line 515, in _resolve_name\n'
        "    rval = d[token]\n"
        "KeyError: 'Gift'\n\n"
        "The above exception was the direct cause of the following exception:\n\n"
        "Traceback (most recent call last):\n"
        f'  File "{copy}/exercise.py", line 30, in main\n'
        "    configure_mappers()\n"
        '  File "/usr/lib/sqlalchemy/orm/mapper.py", line 4100, in configure_mappers\n'
        "    raise exc\n"
        "sqlalchemy.exc.InvalidRequestError: When initializing mapper Mapper[Cart(carts)], "
        "expression 'app.models.Gift' failed to locate a name ('app.models.Gift').\n"
        "noise between two failures\n"
        "Traceback (most recent call last):\n"
        f'  File "{copy}/app/main.py", line 1, in <module>\n'
        "    import app.shop\n"
        f'  File "{copy}/app/shop.py", line 3, in <module>\n'
        "    import app.gone\n"
        "ModuleNotFoundError: No module named 'app.gone'\n"
    )
    failures = read_tracebacks(output, copy, "smoke")
    assert [(f.file, f.line, f.function, f.name, f.error.split(":")[0]) for f in failures] == [
        ("exercise.py", 30, "main", "Gift", "sqlalchemy.exc.InvalidRequestError"),
        ("app/shop.py", 3, "<module>", None, "ModuleNotFoundError"),
    ]
