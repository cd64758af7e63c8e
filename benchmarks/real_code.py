"""Time archguard, lint-imports and tach side by side on real packages from PyPI.

    python benchmarks/real_code.py [--packages wagtail,django,homeassistant,...]
        [--runs 5] [--tools archguard,lint-imports,tach] [--tach PATH] [--lint-imports PATH]
        [--archguard PATH] [--out benchmarks/RESULTS.md] [--workdir DIR] [--keep]
        [--downloads DIR] [--generated-files N] [--timeout S] [--settle S] [--dry-run]

Generated trees (``run.py``) say how the tools scale; they do not say what a real codebase
costs: files of a few hundred lines, a few hundred violations spread over a hundred files
or more, chains of imports through code no contract names. Each package here is copied
into a folder of its own (edits never touch site-packages) with one ``layers`` contract
that it breaks, stated for the three tools, and every tool is measured in five states,
``--runs`` times each:

- cold: the tool's cache removed;
- unchanged: run again on the cache the cold run left;
- one file touched: its modification time changed, its content the same;
- one file edited: a line appended to a file that the most violations start in or pass
  through;
- configuration edited: the contract's name changed in ``archguard.yaml`` and
  ``.importlinter`` (tach's configuration names no contract: a comment is added to
  ``tach.toml``); the verdict stays the same.

A repetition goes through the five states in that order, each change made on the cache that
the state before it left, and the next repetition starts from the package as it was copied.
Each change is made ``--settle`` seconds after the last run, and the run follows it
``--settle`` seconds later, so that no cache distrusts a file for being saved too close to
it. Within a state every tool runs before any runs in the next, in an order that rotates
from one repetition to the next. Timing, memory, machine facts and the results section come
from ``run.py``; this script writes its own section of ``--out`` and leaves the others.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from run import (
    ENV,
    GENERATOR,
    LAUNCHER,
    BenchmarkError,
    Group,
    Run,
    Tool,
    add_common_arguments,
    announce,
    check_common_arguments,
    command_line,
    environment_lines,
    every_run_table,
    failure,
    load_average,
    make_tools,
    medians_table,
    progress,
    settle,
    time_tool,
    tool_paths,
    working_folder,
    write_section,
)

STATES = ("cold", "unchanged", "touched", "edited", "config")
STATE_LABELS = {"cold": "cold", "unchanged": "unchanged", "touched": "one file touched",
                "edited": "one file edited", "config": "configuration edited"}
EDIT_LINE = "_benchmark_edit = 1\n"
PACKAGE_COLUMN = [("package", "---")]
CONFIGS = ("archguard.yaml", ".importlinter", "tach.toml")
DEFAULT_PACKAGES = "wagtail,django,homeassistant,homeassistant-integrations,generated"
DEFAULT_SETTLE = 3.0
DEFAULT_DOWNLOADS = Path(tempfile.gettempdir()) / "archguard-real-code"
#: The newest Home Assistant whose code Python 3.11 reads: later releases need Python 3.12
#: and use its syntax (651 of the 7,978 files of 2025.4.4 do not parse on 3.11).
HOMEASSISTANT_VERSION = "2024.3.3"
#: Home Assistant's entity platforms (``homeassistant.const.Platform``): the integrations
#: that the others implement.
HOMEASSISTANT_PLATFORMS = (
    "air_quality", "alarm_control_panel", "binary_sensor", "button", "calendar", "camera",
    "climate", "cover", "date", "datetime", "device_tracker", "event", "fan",
    "geo_location", "humidifier", "image", "image_processing", "lawn_mower", "light",
    "lock", "mailbox", "media_player", "notify", "number", "remote", "scene", "select",
    "sensor", "siren", "stt", "switch", "text", "time", "todo", "tts", "vacuum", "valve",
    "update", "wake_word", "water_heater", "weather",
)
#: How ``generated`` is written: file lengths like the packages' (a median of 50 to 90
#: lines, a 90th percentile of 300 to 450), violations spread between theirs (wagtail: 569
#: in 154 of 1,379 files, Home Assistant: 312 in 88 of 6,725): for 5,000 files, 400 in 150.
GENERATED_FILE_LINES = "80,400"
GENERATED_VIOLATIONS_PER_FILE = 0.08
GENERATED_VIOLATION_FILE_SHARE = 0.03
GENERATED_SEED = 0

LINT_IMPORTS_PAIR = re.compile(r"^(\S+) is not allowed to import (\S+):$")
LINT_IMPORTS_HEAD = re.compile(r"^(?:-\s+|  & )(\S+)(?:\s+->\s+\S+)?\s+\(([^)]*)\)$")
TACH_FAIL = re.compile(r"^\s*\[FAIL\]\s+([^:\s]+):(\d+):")


# -- what each tool reports --------------------------------------------------------------------


def archguard_violations(stdout: str) -> list[dict] | None:
    try:
        return list(json.loads(stdout)["violations"])
    except (ValueError, KeyError, TypeError):
        return None


def lint_imports_violations(stdout: str) -> set[tuple[str, str, str, int]] | None:
    """Each import statement that starts a forbidden route, once for each pair of layers
    it breaks: ``(importer layer, imported layer, importing module, line)``. A route's first
    link is ``- a -> b (l.3)``; the other modules that start the same route follow it as
    ``  & c (l.8)``; the links after them are indented further, or without a ``&``. A
    ``forbidden`` contract's direct imports read the same."""
    if not re.search(r"Contracts: \d+ kept, \d+ broken\.", stdout):
        return None
    found: set[tuple[str, str, str, int]] = set()
    pair: tuple[str, str] | None = None
    for line in stdout.splitlines():
        heading = LINT_IMPORTS_PAIR.match(line)
        if heading:
            pair = (heading[1], heading[2])
            continue
        head = LINT_IMPORTS_HEAD.match(line)
        if pair is not None and head:
            found.update((*pair, head[1], int(number))
                         for number in re.findall(r"l\.(\d+)", head[2]))
    return found


def tach_violations(stdout: str, stderr: str) -> list[tuple[str, int]]:
    """``(file, line)`` of each ``[FAIL]`` line: tach reports each imported name."""
    return [(match[1], int(match[2])) for line in (stdout + "\n" + stderr).splitlines()
            if (match := TACH_FAIL.match(line))]


def count_archguard(stdout: str, stderr: str) -> int | None:
    violations = archguard_violations(stdout)
    return None if violations is None else len(violations)


def count_lint_imports(stdout: str, stderr: str) -> int | None:
    violations = lint_imports_violations(stdout)
    return None if violations is None else len(violations)


def count_tach(stdout: str, stderr: str) -> int | None:
    return len(tach_violations(stdout, stderr))


COUNTERS: dict[str, Callable[[str, str], int | None]] = {
    "archguard": count_archguard, "lint-imports": count_lint_imports, "tach": count_tach}


@dataclass
class Verdict:
    """What one tool found in a package: violations, and the files they are in."""

    violations: int | None = None
    files: int | None = None
    note: str = ""

    def cell(self) -> str:
        if self.violations is None:
            return self.note or "?"
        return f"{self.violations:,} in {self.files:,} files"


def read_verdict(tool: str, stdout: str, stderr: str) -> Verdict:
    if tool == "archguard":
        violations = archguard_violations(stdout)
        if violations is None:
            return Verdict(note="no report")
        strings = sum(1 for v in violations if v.get("kind") == "string")
        chains = sum(1 for v in violations if v.get("chain"))
        return Verdict(len(violations), len({v["file"] for v in violations}),
                       f"{chains:,} through chains, {strings:,} strings")
    if tool == "lint-imports":
        found = lint_imports_violations(stdout)
        if found is None:
            return Verdict(note="no report")
        return Verdict(len(found), len({importer for _, _, importer, _ in found}))
    fails = tach_violations(stdout, stderr)
    return Verdict(len(fails), len({file for file, _ in fails}), "one for each imported name")


# -- packages ----------------------------------------------------------------------------------


@dataclass
class Subject:
    """A package to measure: where its code comes from (``installed`` next to this Python,
    a ``wheel`` of ``distribution`` and ``version`` downloaded from PyPI, or ``generated``)
    and the layers contract it breaks (``layers`` from the top, members relative to
    ``modules_package``, ``|`` between independent members, `` : `` between members that
    may depend on each other)."""

    name: str
    package: str
    origin: str
    description: str
    distribution: str = ""
    version: str = ""
    layers: tuple[str, ...] = ()
    layers_of: Callable[[Path], tuple[str, ...]] | None = None
    modules_package: str = ""
    external_apps: tuple[str, ...] = ()

    @property
    def members_prefix(self) -> str:
        return (self.modules_package or self.package) + "."

    def stack(self, root: Path) -> tuple[str, ...]:
        return self.layers_of(root) if self.layers_of is not None else self.layers


def homeassistant_integration_layers(root: Path) -> tuple[str, ...]:
    """Every integration above the entity platforms it may implement; the platforms
    independent of each other."""
    components = root / "homeassistant" / "components"
    names = sorted(path.name for path in components.iterdir()
                   if (path / "__init__.py").is_file())
    platforms = [name for name in HOMEASSISTANT_PLATFORMS if name in names]
    others = [name for name in names if name not in platforms]
    return " : ".join(others), " | ".join(platforms)


SUBJECTS = {
    subject.name: subject for subject in (
        Subject("wagtail", "wagtail", "installed",
                "the stack of tests/test_differential_wagtail.py; chains through the "
                "modules it leaves out (wagtail.query, wagtail.test …) count",
                distribution="wagtail",
                layers=("contrib", "api", "snippets | documents | images | embeds", "admin",
                        "search", "models", "blocks", "utils"),
                external_apps=("taggit",)),
        Subject("django", "django", "installed",
                "Django's framework from requests down to utilities, the contributed apps "
                "and the test tools on top; it breaks where core reaches up to urls, "
                "http and the ORM (django.conf, django.apps and the other modules it "
                "leaves out pass chains on)",
                distribution="Django",
                layers=("contrib | test", "views | middleware", "urls | http",
                        "template | forms", "db", "core", "utils")),
        Subject("homeassistant", "homeassistant", "wheel",
                "the integrations above the helpers and the authentication code, the "
                "utilities at the bottom; the helpers reach up to integrations",
                distribution="homeassistant", version=HOMEASSISTANT_VERSION,
                layers=("scripts", "components", "helpers", "auth",
                        "util | backports | generated")),
        Subject("homeassistant-integrations", "homeassistant", "wheel",
                "each of the 1,188 integrations above the 41 entity platforms, which stay "
                "independent of each other",
                distribution="homeassistant", version=HOMEASSISTANT_VERSION,
                layers_of=homeassistant_integration_layers,
                modules_package="homeassistant.components"),
        Subject("generated", "app", "generated",
                "generate.py's (core modules do not depend on optional ones), {violations} "
                "violations planted in {files} files, file lengths drawn with median and "
                f"90th percentile {GENERATED_FILE_LINES} lines"),
    )
}


@dataclass
class Prepared:
    """A package copied into a folder of its own, with the three configurations."""

    subject: Subject
    path: Path
    version: str
    files: int
    stack: tuple[str, ...]
    written_at: float
    changed_file: Path | None = None
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)

    @property
    def changed(self) -> str:
        if self.changed_file is None:
            return "–"
        return self.changed_file.relative_to(self.path).as_posix()


def installed_package(distribution: str, package: str) -> tuple[Path, str]:
    """The folder of ``package`` as installed next to this Python, found without importing
    it, and its distribution's version."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError(f"{package} is not installed next to {sys.executable}")
    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return Path(next(iter(spec.submodule_search_locations))), version


def wheel_package(distribution: str, package: str, version: str, downloads: Path) -> Path:
    """``package``'s folder unpacked from the wheel of ``distribution``, downloaded with
    pip into ``downloads`` the first time (static tools never import it: no dependency is
    installed)."""
    unpacked = downloads / f"{distribution}-{version}"
    if (unpacked / package / "__init__.py").is_file():
        return unpacked / package
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob(f"{distribution}-{version}-*.whl"))
    if not wheels:
        progress(f"downloading {distribution}=={version} into {downloads}")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", f"{distribution}=={version}",
             "--no-deps", "--only-binary=:all:", "--dest", str(downloads)],
            capture_output=True, text=True, env=ENV)
        wheels = sorted(downloads.glob(f"{distribution}-{version}-*.whl"))
        if result.returncode != 0 or not wheels:
            tail = " | ".join((result.stderr or result.stdout).strip().splitlines()[-2:])
            raise BenchmarkError(f"pip could not download {distribution}=={version}: {tail}")
    partial = unpacked.with_name(unpacked.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(partial, [name for name in wheel.namelist()
                                   if name.startswith(f"{package}/")])
    shutil.rmtree(unpacked, ignore_errors=True)
    partial.rename(unpacked)
    return unpacked / package


def prepare(subject: Subject, folder: Path, downloads: Path, generated_files: int) -> Prepared:
    """Copy or write the package into ``folder`` with its configurations."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if subject.origin == "generated":
        violations = round(generated_files * GENERATED_VIOLATIONS_PER_FILE)
        violation_files = max(1, round(generated_files * GENERATED_VIOLATION_FILE_SHARE))
        result = subprocess.run(
            [sys.executable, str(GENERATOR), str(folder), "--files", str(generated_files),
             "--violations", str(violations), "--violation-files", str(violation_files),
             "--file-lines", GENERATED_FILE_LINES, "--seed", str(GENERATED_SEED), "--force"],
            capture_output=True, text=True, env=ENV)
        if result.returncode != 0:
            raise BenchmarkError(f"generate.py failed: {(result.stderr or result.stdout)}")
        subject = replace(subject, description=subject.description.format(
            violations=violations, files=violation_files))
        version = f"generate.py --files {generated_files} --seed {GENERATED_SEED}"
        stack: tuple[str, ...] = ()
    else:
        if subject.origin == "wheel":
            source = wheel_package(subject.distribution, subject.package, subject.version,
                                   downloads)
            version = subject.version
        else:
            source, version = installed_package(subject.distribution, subject.package)
        # copy2 keeps the modification times: no file looks freshly saved to a cache.
        shutil.copytree(source, folder / subject.package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        stack = subject.stack(folder)
        for name, text in configurations(subject, stack).items():
            (folder / name).write_text(text, encoding="utf-8")
    files = sum(1 for _ in (folder / subject.package).rglob("*.py"))
    return Prepared(subject, folder, version, files, stack, time.perf_counter())


def configurations(subject: Subject, stack: tuple[str, ...]) -> dict[str, str]:
    return {"archguard.yaml": render_archguard(subject, stack),
            ".importlinter": render_importlinter(subject, stack),
            "tach.toml": render_tach(subject, stack)}


def split_layer(layer: str) -> tuple[list[str], bool]:
    """A layer's members and whether they are independent of each other."""
    if "|" in layer:
        return [member.strip() for member in layer.split("|")], True
    return [member.strip() for member in layer.split(" : ")], False


def render_archguard(subject: Subject, stack: tuple[str, ...]) -> str:
    modules_package = subject.modules_package or subject.package
    lines = [
        f"# The layers contract that benchmarks/real_code.py measures on {subject.name}.",
        "version: 1",
        f"project: {{root_package: {subject.package}, modules_package: {modules_package}}}",
        "categories: {app: {}}",
        "definitions: {enabled: false}",
    ]
    if subject.external_apps:
        lines.append(f"strings: {{external_apps: [{', '.join(subject.external_apps)}]}}")
    lines += [
        "contracts:",
        "  - id: stack",
        f"    name: {subject.name} layers",
        f"    description: {json.dumps(subject.description, ensure_ascii=False)}",
        "    type: layers",
        # lint-imports' layers contracts follow chains through any code, and count every
        # import wherever it stands.
        "    indirect: any",
        "    count: [module, lazy, string, type_checking, guarded]",
        "    layers:",
        *(f"      - {json.dumps(layer)}" for layer in stack),
        "",
    ]
    return "\n".join(lines)


def render_importlinter(subject: Subject, stack: tuple[str, ...]) -> str:
    prefix = subject.members_prefix
    lines = [f"# The layers contract that benchmarks/real_code.py measures on {subject.name}.",
             "[importlinter]", f"root_package = {subject.package}", "",
             "[importlinter:contract:stack]", f"name = {subject.name} layers",
             "type = layers", "layers ="]
    for layer in stack:
        members, independent = split_layer(layer)
        lines.append("    " + (" | " if independent else " : ").join(
            prefix + member for member in members))
    return "\n".join(lines) + "\n"


def render_tach(subject: Subject, stack: tuple[str, ...]) -> str:
    """tach's layers: each member a module of its layer. tach checks direct imports only;
    ``depends_on = []`` keeps a layer's independent members apart (a module may use the
    layers below it undeclared), and members that may depend on each other leave it out."""
    names = [split_layer(layer)[0][0] if len(split_layer(layer)[0]) == 1
             else f"layer-{index + 1}" for index, layer in enumerate(stack)]
    lines = [
        f"# The layers contract that benchmarks/real_code.py measures on {subject.name}.",
        'source_roots = ["."]',
        "exact = false",
        "ignore_type_checking_imports = false",
        'root_module = "ignore"',
        'exclude = ["**/__pycache__", "**/.archguard_cache", "**/.import_linter_cache"]',
        "layers = [" + ", ".join(json.dumps(name) for name in names) + "]",
    ]
    for name, layer in zip(names, stack, strict=True):
        members, independent = split_layer(layer)
        for member in members:
            lines += ["", "[[modules]]", f"path = {json.dumps(subject.members_prefix + member)}",
                      f"layer = {json.dumps(name)}"]
            if independent or len(members) == 1:
                lines.append("depends_on = []")
    return "\n".join(lines) + "\n"


# -- changing the tree -------------------------------------------------------------------------


class Pristine:
    """The files a repetition changes, as they were: bytes and times, put back on
    ``restore``."""

    def __init__(self, paths: list[Path]) -> None:
        self.saved = {}
        for path in paths:
            stat = path.stat()
            self.saved[path] = (path.read_bytes(), (stat.st_atime_ns, stat.st_mtime_ns))

    def restore(self) -> None:
        for path, (data, times) in self.saved.items():
            path.write_bytes(data)
            os.utime(path, ns=times)


def append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def edit_configurations(folder: Path) -> None:
    """The contract's name changed in archguard.yaml and .importlinter, a comment added to
    tach.toml: nothing any tool decides changes."""
    for name, pattern in (("archguard.yaml", r"^(\s+name: .+)$"),
                          (".importlinter", r"^(name = .+)$")):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, r"\1 (edited)", text, count=1, flags=re.MULTILINE),
                        encoding="utf-8")
    with (folder / "tach.toml").open("a", encoding="utf-8") as tach:
        tach.write("# edited\n")


def choose_changed_file(prepared: Prepared, violations: list[dict]) -> Path:
    """The file the most archguard violations start in or pass through (the first in path
    order among equals): an edit there is one every tool has to look at again."""
    weight: Counter[str] = Counter()
    for violation in violations:
        files = {violation["file"]}
        files.update(match[1] for link in violation.get("chain") or []
                     if (match := re.search(r"\(([^():]+):\d+\)", link)))
        weight.update(files)
    candidates = sorted(weight.items(), key=lambda item: (-item[1], item[0]))
    for file, _ in candidates:
        path = prepared.path / file
        if path.is_file():
            return path
    raise BenchmarkError(f"{prepared.subject.name}: archguard reported no violation in a "
                         "file to edit")


# -- the benchmark -----------------------------------------------------------------------------


def first_look(prepared: Prepared, tools: list[Tool], logs: Path, timeout: float) -> None:
    """One run of each tool without its cache, before any is timed: what each finds, the
    file to change, and the package read once into the operating system's file cache, so
    that the first timed tool does not pay for the disk."""
    for tool in tools:
        tool.clear_cache(prepared.path)
        run = time_tool(tool, prepared.path, f"{prepared.subject.name} (first look)", "cold",
                        -1, logs, timeout)
        stdout = (logs / tool.name / "stdout.txt").read_text(encoding="utf-8",
                                                             errors="replace")
        stderr = (logs / tool.name / "stderr.txt").read_text(encoding="utf-8",
                                                             errors="replace")
        if not run.ok:
            prepared.verdicts[tool.name] = Verdict(
                note="timed out" if run.timed_out else f"exit code {run.returncode}")
        else:
            prepared.verdicts[tool.name] = read_verdict(tool.name, stdout, stderr)
        if tool.name == "archguard" and run.ok:
            prepared.changed_file = choose_changed_file(prepared,
                                                        archguard_violations(stdout) or [])
        tool.clear_cache(prepared.path)
    if prepared.changed_file is None:
        raise BenchmarkError(f"{prepared.subject.name}: no file to change: archguard, whose "
                             "report chooses it, did not run or is not among the tools")


def benchmark(prepared: Prepared, tools: list[Tool], runs: int, logs: Path, timeout: float,
              settle_seconds: float) -> None:
    changed = prepared.changed_file
    assert changed is not None
    pristine = Pristine([changed, *(prepared.path / name for name in CONFIGS)])
    changes: dict[str, Callable[[], None]] = {
        "touched": lambda: os.utime(changed),
        "edited": lambda: append_line(changed, EDIT_LINE),
        "config": lambda: edit_configurations(prepared.path),
    }
    last = prepared.written_at
    for repetition in range(runs):
        pristine.restore()
        shift = repetition % len(tools)
        order = tools[shift:] + tools[:shift]
        for tool in order:
            tool.clear_cache(prepared.path)
        for state in STATES:
            if state == "cold":
                settle(last, settle_seconds)
            elif state in changes:
                settle(last, settle_seconds)
                changes[state]()
                settle(time.perf_counter(), settle_seconds)
            for tool in order:
                prepared.runs.append(time_tool(tool, prepared.path, prepared.subject.name,
                                               state, repetition, logs, timeout))
            last = time.perf_counter()
    pristine.restore()


# -- the report --------------------------------------------------------------------------------


def packages_table(prepared: list[Prepared], tools: list[Tool]) -> list[str]:
    header = ["package", "version", "Python files", *(f"{t.name} found" for t in tools),
              "changed file"]
    lines = ["| " + " | ".join(header) + " |",
             "|---|---|---:|" + "---|" * len(tools) + "---|"]
    for item in prepared:
        cells = []
        for tool in tools:
            verdict = item.verdicts.get(tool.name, Verdict(note="not installed"))
            cell = verdict.cell()
            if verdict.violations is not None and verdict.note:
                cell += f" ({verdict.note})"
            cells.append(cell)
        lines.append(f"| {item.subject.name} | {item.version} | {item.files:,} | "
                     + " | ".join(cells) + f" | `{item.changed}` |")
    return lines


def groups(prepared: list[Prepared]) -> list[Group]:
    return [([item.subject.name], item.runs) for item in prepared]


def disagreements(prepared: list[Prepared], tools: list[Tool]) -> list[str]:
    """Runs that failed, or found another number of violations than the first look."""
    notes = []
    for item in prepared:
        for run in item.runs:
            expected = item.verdicts.get(run.tool, Verdict()).violations
            where = (f"- {item.subject.name}, {STATE_LABELS[run.state]}, run "
                     f"{run.repetition + 1}: {run.tool}")
            if not run.ok:
                notes.append(f"{where} {failure(run)}")
            elif run.found is not None and expected is not None and run.found != expected:
                notes.append(f"{where} found {run.found}, {expected} in the first look")
    return notes


def contracts(prepared: list[Prepared]) -> list[str]:
    lines = []
    for item in prepared:
        subject = item.subject
        lines.append(f"- **{subject.name}**: {subject.description}.")
        if item.stack:
            shown = [layer if len(layer) <= 120 else
                     f"{len(split_layer(layer)[0]):,} members, "
                     + ("independent" if split_layer(layer)[1] else "free to depend on "
                        "each other") for layer in item.stack]
            lines.append(f"  Layers of `{subject.modules_package or subject.package}`, from "
                         "the top: " + " > ".join(f"`{layer}`" for layer in shown) + ".")
    if any(item.stack for item in prepared):
        lines.append("- The same stack for each tool: `archguard.yaml` with `indirect: any` "
                     "and every import kind counted, `.importlinter` as written, `tach.toml` "
                     "with tach's `layers`, each member a module of its layer and "
                     "`depends_on = []` where the members are independent. tach has no way "
                     "to follow a chain of imports: of each contract it checks the direct "
                     "imports only.")
    return lines


def report(prepared: list[Prepared], skipped: dict[str, str], tools: list[Tool],
           args: argparse.Namespace, command: str, started: datetime.datetime,
           load_start: str, elapsed: float) -> str:
    out = [
        "# Real code: archguard, lint-imports and tach on packages from PyPI",
        "",
        "Written by `benchmarks/real_code.py`; do not edit by hand. How to run it: "
        "[README.md](README.md).",
        "",
        *environment_lines(tools, command, started, load_start, elapsed,
                           f"Runs: {args.runs} of each tool in each state; changes "
                           f"{args.settle:g} s after the last run, runs {args.settle:g} s "
                           "after the change"),
        "Each package is copied into a folder of its own with one `layers` contract for the "
        "three tools (below), which it breaks; *generated* is a tree written by "
        "`generate.py`, with its own contract. *found*: what each tool reports in a first "
        "run without cache: archguard its violations (an import statement, or a string "
        "reference, once for each layer module it reaches: directly or through a chain of "
        "modules the stack leaves out), lint-imports the import statements that start a "
        "forbidden route (its first link and the other modules that start the same route), "
        "counted once for each pair of layers, tach its `[FAIL]` lines (direct imports only, "
        "one for each imported name: tach does not follow chains, so it checks less than "
        "the others). archguard reports each statement on every route it starts, "
        "lint-imports one set of routes for each pair of layers, so archguard can report "
        "more statements than lint-imports for the same contract.",
        "",
        "States: *cold*, the tool's cache removed; *unchanged*, run again on the cache the "
        "cold run left; *one file touched*, the changed file's modification time set, its "
        "bytes the same; *one file edited*, a line appended to it; *configuration edited*, "
        "the contract's name changed in `archguard.yaml` and `.importlinter`, a comment "
        "added to `tach.toml`. Each state starts from the cache the state before it left. "
        "Times are median wall seconds of the whole command, start-up included; memory is "
        "the median peak, in MB, measured as in `run.py`; *archguard / peer* is the ratio "
        "of median times: below 1, archguard is faster. A time marked * leaves out runs that "
        "failed.",
        "",
        "## Packages",
        "",
        *packages_table(prepared, tools),
        "",
        *(f"- {name}: not measured: {why}" for name, why in skipped.items()),
        *([""] if skipped else []),
        "## Times",
        "",
        *medians_table(PACKAGE_COLUMN, groups(prepared), tools, STATE_LABELS),
        "",
        "## Contracts",
        "",
        *contracts(prepared),
        "",
    ]
    notes = disagreements(prepared, tools)
    if notes:
        out += ["## Runs that failed or found another count", "", *notes, ""]
    out += ["## Every run", "",
            *every_run_table(PACKAGE_COLUMN, groups(prepared), tools, STATE_LABELS), ""]
    return "\n".join(out)


# -- command line ------------------------------------------------------------------------------


def package_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in SUBJECTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"packages are a comma-separated list of {', '.join(SUBJECTS)}; got {text!r}")
    return list(dict.fromkeys(names))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time archguard, lint-imports and tach in five states (cold, unchanged, "
                    "one file touched, one file edited, configuration edited) on real "
                    "packages, and write a section of a Markdown file.")
    parser.add_argument("--packages", type=package_list, default=package_list(DEFAULT_PACKAGES),
                        help=f"packages to measure, of {', '.join(SUBJECTS)} "
                             f"(default {DEFAULT_PACKAGES})")
    add_common_arguments(parser)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to copy the packages (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the copies (with the tools' caches)")
    parser.add_argument("--downloads", type=Path, default=DEFAULT_DOWNLOADS,
                        help="where downloaded wheels are kept and unpacked (default "
                             f"{DEFAULT_DOWNLOADS})")
    parser.add_argument("--generated-files", type=int, default=5000,
                        help="Python files of the generated package (default 5000)")
    parser.add_argument("--settle", type=float, default=DEFAULT_SETTLE,
                        help="seconds between the last run and a change, and between a "
                             "change and the run (default 3)")
    parser.add_argument("--dry-run", action="store_true",
                        help="one run of each state, no waiting, the section printed and "
                             "not written: checks the harness, measures nothing")
    args = parser.parse_args(argv)
    check_common_arguments(parser, args)
    if args.dry_run:
        args.runs, args.settle = 1, 0.0
    return args


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = parse_args(raw)
    LAUNCHER.start()
    started_at = datetime.datetime.now(datetime.UTC)
    started, load_start = time.perf_counter(), load_average()
    command = command_line("benchmarks/real_code.py", raw)
    tools = [replace(tool, counter=COUNTERS[tool.name])
             for tool in make_tools(args.tools, tool_paths(args))]
    announce(tools)
    installed = [tool for tool in tools if tool.installed]
    workdir, created_workdir = working_folder(args.workdir, "archguard-real-")
    logs = workdir / "_logs"
    prepared: list[Prepared] = []
    skipped: dict[str, str] = {}
    try:
        for name in args.packages:
            subject = SUBJECTS[name]
            try:
                progress(f"preparing {name} in {workdir / name}")
                item = prepare(subject, workdir / name, args.downloads, args.generated_files)
                progress(f"  {item.files:,} Python files; first look")
                first_look(item, installed, logs, args.timeout)
            except BenchmarkError as exc:
                progress(f"  {name}: {exc}")
                skipped[name] = str(exc)
                continue
            progress(f"  changed file: {item.changed}")
            benchmark(item, installed, args.runs, logs, args.timeout, args.settle)
            prepared.append(item)
            if not args.keep:
                shutil.rmtree(item.path, ignore_errors=True)
    finally:
        shutil.rmtree(logs, ignore_errors=True)
        if not args.keep and created_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    text = report(prepared, skipped, tools, args, command, started_at, load_start,
                  time.perf_counter() - started)
    print(text)
    if not args.dry_run:
        write_section(args.out, "real_code.py", text)
        progress(f"written: {args.out}")
    if not prepared:
        return 2
    return 1 if any(not run.ok for item in prepared for run in item.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
