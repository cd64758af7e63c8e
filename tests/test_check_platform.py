"""``archguard check`` on the reference platform reports exactly what the golden file lists."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from archguard.application.check import run_check
from archguard.config import load_config

from .conftest import AFTER, BEFORE, PLATFORM, RULES

pytestmark = pytest.mark.platform

GOLDEN = yaml.safe_load((PLATFORM / "expected_violations.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def before_result():
    return run_check(BEFORE, load_config(RULES), use_cache=False)


def _layering(result):
    return {c.id: c for c in result.contracts}["core-not-optional"].violations


def test_every_golden_import_is_reported_with_file_line_kind_and_names(before_result):
    reported = {(v.file, v.line, v.imported, tuple(sorted(v.names)), v.kind)
                for v in _layering(before_result) if v.reference is None}
    expected = {(e["file"], e["line"], e["imported"], tuple(sorted(e["names"])), e["kind"])
                for e in GOLDEN["violations"]}
    assert reported == expected


def test_string_references_are_reported_with_file_line_and_holder(before_result):
    reported = {(v.file, v.line, f"{v.imported}.{v.names[0]}", v.kind, v.target_module,
                 v.reference, tuple((u.symbol, u.lines, u.labels) for u in v.used_in))
                for v in _layering(before_result) if v.reference is not None}
    expected = {(e["file"], e["line"], e["resolves_to"], e["kind"], e["target"],
                 f"{e['call']}({e['reference']!r})",
                 tuple((u["function"], tuple(u["lines"]), tuple(u["where"]))
                       for u in e["used_in"]))
                for e in GOLDEN["string_references"]}
    assert reported == expected
    assert len(expected) == 2


def test_used_in_matches_the_golden_functions_and_lines(before_result):
    reported = {(v.file, v.line): {(u.symbol, u.lines) for u in v.used_in}
                for v in _layering(before_result)}
    for entry in [*GOLDEN["violations"], *GOLDEN["string_references"]]:
        expected = {(u["function"], tuple(u["lines"])) for u in entry["used_in"]}
        assert reported[(entry["file"], entry["line"])] == expected, entry["file"]


def test_annotations_are_labelled(before_result):
    by_place = {(v.file, v.line): v for v in _layering(before_result)}
    stats = by_place[("app/modules/tenancy/routes/api/admin_stores.py", 23)]
    endpoint = next(u for u in stats.used_in if u.symbol == "get_store_statistics_endpoint")
    assert endpoint.labels == ("return type (line 106)",)
    create = by_place[("app/modules/tenancy/services/store_service.py", 30)]
    add = next(u for u in create.used_in if u.symbol == "StoreService.add_product_to_catalog")
    assert add.labels == ("parameter type (line 422)",)


def test_core_to_core_billing_imports_are_not_reported(before_result):
    for violation in before_result.violations:
        assert violation.target_module != "billing", violation


def test_source_and_target_categories(before_result):
    for violation in _layering(before_result):
        assert violation.source_category == "core"
        assert violation.target_category == "optional"


def test_cache_is_written_inside_the_project_and_reused(tmp_path):
    import shutil

    project = tmp_path / "before"
    shutil.copytree(BEFORE, project)
    cold = _cli(str(project), "--config", str(RULES), "--format", "json")
    warm = _cli(str(project), "--config", str(RULES), "--format", "json")
    assert (project / ".archguard_cache" / "imports.json").is_file()
    assert json.loads(cold.stdout)["violations"] == json.loads(warm.stdout)["violations"]


def test_after_keeps_every_contract():
    result = run_check(AFTER, load_config(RULES), use_cache=False)
    assert result.violations == []
    assert result.errors == ()


def _cli(*args, columns: int = 160):
    return subprocess.run([sys.executable, "-m", "archguard", "check", *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns)})


def test_cli_exit_codes_and_json():
    before = _cli(str(BEFORE), "--config", str(RULES), "--format", "json", "--no-cache")
    assert before.returncode == 1, before.stderr
    data = json.loads(before.stdout)
    assert data["schema_version"] == 1
    assert data["summary"]["violations"] == (len(GOLDEN["violations"])
                                             + len(GOLDEN["string_references"]))
    assert {v["kind"] for v in data["violations"]} == {"module", "lazy", "string"}
    first = data["violations"][0]
    for key in ("contract", "severity", "source_module", "source_category", "target_module",
                "target_category", "file", "line", "column", "importer", "imported", "names",
                "statement", "kind", "used_in", "chain", "fingerprint", "baselined"):
        assert key in first
    after = _cli(str(AFTER), "--config", str(RULES), "--no-cache")
    assert after.returncode == 0, after.stdout + after.stderr
    assert "9 contracts: 9 kept, 0 broken; 0 violations" in after.stdout


def test_cli_terminal_output_follows_the_seed_layout():
    result = _cli(str(BEFORE), "--config", str(RULES), "--no-cache")
    out = result.stdout
    assert "tenancy (core) → marketplace (optional)" in out
    assert "\napp/modules/tenancy/services/store_service.py:18\n" in out
    assert "StoreService._get_product_by_id_or_raise() :548, :551, :552" in out
    assert "\x1b[" not in out


def test_at_80_columns_every_violation_is_a_whole_path_and_line_and_the_tables_fit():
    """A terminal or an editor opens ``path:line``: each violation's is a line of its own,
    however narrow the terminal, while the tables wrap their cells to its width."""
    violations = json.loads(_cli(str(BEFORE), "--config", str(RULES), "--format", "json",
                                 "--no-cache").stdout)["violations"]
    lines = _cli(str(BEFORE), "--config", str(RULES), "--no-cache", columns=80
                 ).stdout.splitlines()
    assert len(violations) == 27
    for violation in violations:
        assert f"{violation['file']}:{violation['line']}" in lines
    assert all(len(line) <= 80 for line in lines if line[:1] in "┏┃┡│└")
    assert not any(line.startswith("File: ") for line in lines)


def test_files_argument_limits_what_is_reported():
    target = BEFORE / "app/modules/customers/services/customer_service.py"
    result = _cli(str(BEFORE), str(target), "--config", str(RULES), "--format", "json",
                  "--no-cache")
    data = json.loads(result.stdout)
    assert {v["file"] for v in data["violations"]} == {
        "app/modules/customers/services/customer_service.py"}
    assert {v["line"] for v in data["violations"]} == {332, 368}
    assert result.returncode == 1


def _on_a_terminal(env_extra: dict) -> str:
    """Run check with a pseudo-terminal as standard output; what it wrote."""
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "TERM", "FORCE_COLOR"}}
    process = subprocess.Popen(
        [sys.executable, "-m", "archguard", "check", str(BEFORE), "--config", str(RULES),
         "--no-cache"],
        stdout=secondary, stderr=secondary, env={**env, "TERM": "xterm-256color", **env_extra},
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=300)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_colour_on_a_terminal_unless_no_color_is_set():
    assert "\x1b[" in _on_a_terminal({})
    plain = _on_a_terminal({"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "9 contracts: 8 kept, 1 broken" in plain
