"""``archguard simulate --run`` proved right case by case, on generated platforms.

Each platform of ``simulate_platforms.make_platform`` really runs: ``exercise.py`` starts it,
calls every ``use_*`` function of every loaded module's services and configures the
mappers. For every platform and a few removal sets (single modules and pairs, core and
optional alike), ``simulate --run`` predicts statically what the removal breaks, then runs
the app without the modules; the prediction and the run must agree exactly: the import
crash, the functions that fail (the classes, for relationship strings), nothing
unexplained. Our own copies check the generator's expectations and the import crash
independently of simulate. Across all cases every outcome occurs at least once (an import
crash, a lazy and a string run-time failure, a safe reference, a cascade), so agreement
cannot come from platforms where nothing happens.

12 platforms, 4 removal sets each: 48 scenarios.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .simulate_platforms import Expectation, PlatformSpec, make_platform

pytestmark = pytest.mark.platform

SEEDS = tuple(range(12, 24))
WORKERS = 2
RUN_TIMEOUT = 120
SIMULATE_TIMEOUT = 300
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
       "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "COLUMNS": "200"}

TRACEBACK = "Traceback (most recent call last):"
FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')
CHAINED = ("The above exception was the direct cause of the following exception:",
           "During handling of the above exception, another exception occurred:")
LOCATE = re.compile(r"expression '(?P<name>[A-Za-z_][A-Za-z0-9_.]*)' failed to locate a name")


@dataclass(eq=False)
class Scenario:
    removed: tuple[str, ...]
    expected: Expectation
    simulate: subprocess.CompletedProcess | None = None
    own_import: subprocess.CompletedProcess | None = None
    own_exercise: subprocess.CompletedProcess | None = None
    own_copy: Path | None = None

    @property
    def label(self) -> str:
        return "without " + " + ".join(self.removed)


@dataclass(eq=False)
class Platform:
    seed: int
    spec: PlatformSpec
    scenarios: list[Scenario]
    intact: subprocess.CompletedProcess | None = None


def removal_sets(spec: PlatformSpec, seed: int) -> list[tuple[str, ...]]:
    """A core module, an optional one, a core + optional pair and one more pair."""
    rng = random.Random(f"removals-{seed}")
    core = sorted(n for n, m in spec.modules.items() if m.category == "core")
    optional = sorted(n for n, m in spec.modules.items() if m.category == "optional")
    chosen = [(rng.choice(core),), (rng.choice(optional),),
              tuple(sorted((rng.choice(core), rng.choice(optional))))]
    while len(chosen) < 4:
        pair = tuple(sorted(rng.sample(spec.module_names(), 2)))
        if pair not in chosen:
            chosen.append(pair)
    return chosen


def run(command: list[str], cwd: Path,
        timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        return subprocess.CompletedProcess(command, -1, "", f"timed out after {timeout} s: "
                                                            f"{expired}")


def simulate(spec: PlatformSpec, removed: tuple[str, ...]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "archguard", "simulate", str(spec.root),
               "--config", str(spec.config)]
    for module in removed:
        command += ["--without", module]
    return run([*command, "--run", "--format", "json"], spec.root, SIMULATE_TIMEOUT)


def own_copy(spec: PlatformSpec, removed: tuple[str, ...], destination: Path) -> Path:
    shutil.copytree(spec.root, destination,
                    ignore=shutil.ignore_patterns("__pycache__", ".archguard_cache"))
    for module in removed:
        shutil.rmtree(destination / "app" / "modules" / module)
    return destination


def run_platform(platform: Platform, base: Path) -> None:
    """The intact exercise, then each scenario: simulate, and our own copy where selected."""
    spec = platform.spec
    platform.intact = run([sys.executable, "exercise.py"], spec.root)
    own = own_check_selection(platform.scenarios)
    for index, scenario in enumerate(platform.scenarios):
        scenario.simulate = simulate(spec, scenario.removed)
        if scenario in own:
            scenario.own_copy = own_copy(spec, scenario.removed,
                                         base / f"copy-{platform.seed}-{index}")
            scenario.own_import = run([sys.executable, "-c", "import app.main"],
                                      scenario.own_copy)
            scenario.own_exercise = run([sys.executable, "exercise.py"], scenario.own_copy)


@pytest.fixture(scope="module")
def platforms(tmp_path_factory) -> dict[int, Platform]:
    """Every platform and scenario, run once: one platform at a time per worker, so no two
    processes share a project folder."""
    base = tmp_path_factory.mktemp("simulate-agreement")
    found: dict[int, Platform] = {}
    for seed in SEEDS:
        spec = make_platform(base / f"platform-{seed}", random.Random(seed))
        scenarios = [Scenario(removed, spec.expect(removed))
                     for removed in removal_sets(spec, seed)]
        found[seed] = Platform(seed, spec, scenarios)
    with ThreadPoolExecutor(WORKERS) as pool:
        for future in [pool.submit(run_platform, p, base) for p in found.values()]:
            future.result()
    return found


def own_check_selection(scenarios: list[Scenario]) -> list[Scenario]:
    """One scenario expected to crash at import and one expected to start, where there are."""
    crash = [s for s in scenarios if s.expected.import_crash]
    start = [s for s in scenarios if not s.expected.import_crash]
    return [group[0] for group in (crash, start) if group]


# -- reading tracebacks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    file: str | None
    line: int | None
    function: str | None
    error: str
    name: str | None


def tracebacks(output: str, project: Path) -> list[Failure]:
    """Every traceback in ``output`` (a chained one counts once, as its last exception), with
    its innermost frame inside ``project``."""
    root = project.resolve()
    failures: list[Failure] = []
    lines = output.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != TRACEBACK:
            index += 1
            continue
        frames: list[tuple[str, int, str]] = []
        index += 1
        while index < len(lines) and (lines[index].startswith(" ") or not lines[index]):
            match = FRAME.match(lines[index])
            if match:
                path = Path(match["file"])
                if path.is_absolute() and path.resolve().is_relative_to(root):
                    relative = path.resolve().relative_to(root).as_posix()
                    frames.append((relative, int(match["line"]), match["function"]))
            index += 1
        error = lines[index] if index < len(lines) else ""
        index += 1
        following = next((line.strip() for line in lines[index:]
                          if line.strip() == TRACEBACK or line.strip() in CHAINED), "")
        if following in CHAINED:
            continue
        located = LOCATE.search(error)
        file, line, function = frames[-1] if frames else (None, None, None)
        failures.append(Failure(file, line, function, error,
                                located["name"].rsplit(".", 1)[-1] if located else None))
    return failures


# -- the generator itself --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_platform_runs_intact(platforms, seed):
    platform = platforms[seed]
    result = platform.intact
    assert result.returncode == 0 and TRACEBACK not in result.stderr, (
        f"seed {seed}\n{platform.spec.describe()}\n{result.stdout}\n{result.stderr}")
    assert platform.spec.expect(()).loaded == set(platform.spec.modules)
    assert f"{len(platform.spec.modules)} modules loaded, 0 skipped" in result.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_removing_modules_by_hand_fails_exactly_where_the_generator_says(platforms, seed):
    platform = platforms[seed]
    checked = [s for s in platform.scenarios if s.own_exercise is not None]
    assert checked
    for scenario in checked:
        expected = scenario.expected
        imported, exercised = scenario.own_import, scenario.own_exercise
        where = (f"seed {seed}, {scenario.label}\n{platform.spec.describe()}\n"
                 f"{exercised.stdout}\n{exercised.stderr}")
        failures = tracebacks(exercised.stderr, scenario.own_copy)
        assert (imported.returncode != 0) == expected.import_crash, where
        assert (exercised.returncode != 0) == bool(
            expected.import_crash or expected.lazy or expected.strings), where
        if expected.import_crash:
            assert len(failures) == 1, where
            assert (failures[0].file, failures[0].line) in expected.crash_sites, where
            continue
        lazy = {(f.file, f.function) for f in failures if f.name is None}
        assert lazy == expected.lazy, where
        assert all((f.file, f.line) in expected.lazy_sites for f in failures
                   if f.name is None), where
        assert {f.name for f in failures if f.name} == expected.strings, where


# -- simulate against the run ----------------------------------------------------------------


def report_of(scenario: Scenario) -> tuple[dict | None, str]:
    """simulate's JSON report for a scenario, or None and why there is none."""
    result = scenario.simulate
    if result is None:
        return None, "simulate did not run"
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return None, (f"simulate exited {result.returncode} without a JSON report:\n"
                      f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return report, ""


def scenario_problems(platform: Platform, scenario: Scenario) -> list[str]:
    """Every way simulate's report for ``scenario`` breaks the agreement it must show."""
    report, why = report_of(scenario)
    if report is None:
        return [why]
    problems = []
    if report.get("schema_version") != 1 or len(report.get("scenarios", [])) != 1:
        return [f"want schema_version 1 and one scenario: {json.dumps(report)[:2000]}"]
    result = report["scenarios"][0]
    if sorted(result["removed"]) != sorted(scenario.removed):
        problems.append(f"removed {result['removed']}, asked for {list(scenario.removed)}")
    predicted, observed = result["predicted"], result["observed"]
    if observed is None:
        return [*problems, "--run gave no observed run"]
    if result["agreed"] is not True:
        problems.append(f"agreed is {result['agreed']!r}")
    if predicted["import_crash"] != observed["import_crash"]:
        problems.append(f"import_crash predicted {predicted['import_crash']}, "
                        f"observed {observed['import_crash']}")
    failures = observed["failures"]
    runtime = predicted["runtime_failures"]
    if observed["import_crash"]:
        sites = {(c["file"], c["line"]) for c in predicted["crashes"]}
        sites |= {tuple(site) for c in predicted["crashes"] for site in c.get("sites", ())}
        for failure in failures:
            if (failure["file"], failure["line"]) not in sites:
                problems.append(f"observed {failure['file']}:{failure['line']} "
                                f"({failure['error']}) is no predicted crash "
                                f"{sorted(sites, key=str)}")
    else:
        predicted_functions = {(r["file"], r["function"]) for r in runtime
                               if r["kind"] != "string"}
        observed_functions = {(f["file"], f["function"]) for f in failures if not f["name"]}
        if predicted_functions != observed_functions:
            problems.append(f"failing functions predicted "
                            f"{sorted(predicted_functions, key=str)}, "
                            f"observed {sorted(observed_functions, key=str)}")
        predicted_names = {r["name"] for r in runtime if r["kind"] == "string"}
        observed_names = {f["name"] for f in failures if f["name"]}
        if predicted_names != observed_names:
            problems.append(f"failing classes predicted {sorted(predicted_names, key=str)}, "
                            f"observed {sorted(observed_names, key=str)}")
    if scenario.own_import is not None:
        crashed = scenario.own_import.returncode != 0
        if predicted["import_crash"] != crashed:
            problems.append(f"import_crash predicted {predicted['import_crash']}, but "
                            f"`python -c 'import app.main'` in our own copy "
                            f"{'fails' if crashed else 'succeeds'}")
    return problems


@pytest.mark.parametrize("seed", SEEDS)
def test_simulate_prediction_agrees_with_the_run(platforms, seed):
    platform = platforms[seed]
    messages = []
    for scenario in platform.scenarios:
        try:
            problems = scenario_problems(platform, scenario)
        except (KeyError, TypeError, AttributeError) as error:
            problems = [f"the report does not follow the contract: {error!r}"]
        if problems:
            report, _ = report_of(scenario)
            detail = ""
            if report is not None:
                detail = "\n" + json.dumps(report.get("scenarios"), indent=1)[:6000]
            messages.append(f"{scenario.label}:\n  " + "\n  ".join(problems) + detail)
    assert not messages, (f"seed {seed}\n{platform.spec.describe()}\n\n"
                          + "\n\n".join(messages))


def test_every_outcome_occurs_across_the_cases(platforms):
    """An import crash, a lazy and a string failure, a safe reference and a cascade, each
    predicted by simulate (and, but for the static ones, seen in its run) at least once."""
    seen: dict[str, int] = dict.fromkeys(
        ("import crash", "lazy failure", "string failure", "safe reference", "cascade"), 0)
    scenarios = 0
    for platform in platforms.values():
        for scenario in platform.scenarios:
            report, _ = report_of(scenario)
            try:
                (result,) = report["scenarios"]
                predicted, observed = result["predicted"], result["observed"] or {}
                failures = observed.get("failures") or []
                kinds = {r["kind"] for r in predicted["runtime_failures"]}
                found = {
                    "import crash": predicted["import_crash"] and observed.get("import_crash"),
                    "lazy failure": "lazy" in kinds and any(not f["name"] for f in failures),
                    "string failure": "string" in kinds and any(f["name"] for f in failures),
                    "safe reference": predicted["safe"],
                    "cascade": result["cascade"],
                }
            except (KeyError, TypeError, ValueError):
                continue
            scenarios += 1
            for outcome, happened in found.items():
                seen[outcome] += bool(happened)
    total = sum(len(p.scenarios) for p in platforms.values())
    assert scenarios == total == 4 * len(SEEDS), f"{scenarios} of {total} scenarios reported"
    assert all(seen.values()), seen


def test_the_generator_plans_every_outcome_across_the_cases(platforms):
    """The same from the generator's own expectations, and the subtler cases too: a crash
    only in a ``definition.py`` (scanned even for a module the cascade skips), a crash
    through a file of a skipped module, a relationship that fails only because its target's
    module is skipped, and a removed target whose holders are not loaded (nothing fails)."""
    seen = set()
    for platform in platforms.values():
        target = platform.spec.string_target_module
        for scenario in platform.scenarios:
            expected = scenario.expected
            sites = {file for file, _ in expected.crash_sites}
            seen |= {name for name, happens in (
                ("import crash", expected.import_crash),
                ("lazy failure", expected.lazy),
                ("string failure", expected.strings),
                ("safe reference", expected.safe),
                ("cascade", expected.cascade),
                ("crash in a definition only",
                 sites and all(f.endswith("/definition.py") for f in sites)),
                ("crash through a skipped module",
                 any(f.split("/")[2] in expected.cascade for f in sites)),
                ("string failure by cascade", expected.strings and target not in scenario.removed),
                ("removed string target, holders not loaded",
                 target in scenario.removed and not expected.import_crash
                 and not expected.strings),
            ) if happens}
    assert len(seen) == 9, seen
