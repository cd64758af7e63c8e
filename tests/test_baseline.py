"""Baselines: only new violations fail, fixed ones are stale, fingerprints survive line shifts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from archguard.adapters.baseline_file import baseline_text, read_baseline
from archguard.errors import ConfigError

from .conftest import BEFORE, RULES

pytestmark = pytest.mark.platform

SERVICE = "app/modules/customers/services/customer_service.py"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1"}, timeout=300)


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "before"
    shutil.copytree(BEFORE, copy)
    return copy


def check_json(project, *extra):
    result = run("check", str(project), "--config", str(RULES), "--no-cache",
                 "--format", "json", *extra)
    return result.returncode, json.loads(result.stdout)


def test_baseline_then_only_new_violations_fail(project):
    written = run("baseline", str(project), "--config", str(RULES))
    assert written.returncode == 0, written.stderr
    baseline = project / "archguard-baseline.json"
    document = json.loads(baseline.read_text())
    entries = document["violations"]
    assert len(entries) == 27  # 25 imports and 2 string references
    assert entries == sorted(entries, key=lambda e: (e["contract"], e["file"], e["imported"],
                                                     e["fingerprint"]))
    assert len({e["fingerprint"] for e in entries}) == 27  # the two lazy Order imports differ

    code, data = check_json(project, "--baseline", str(baseline))
    assert code == 0
    assert data["summary"]["new"] == 0 and data["summary"]["baselined"] == 27

    # Shift every line of a file with violations: fingerprints still match.
    path = project / SERVICE
    path.write_text('"""Customers."""\n\n\n' + path.read_text())
    code, data = check_json(project, "--baseline", str(baseline))
    assert code == 0 and data["summary"]["new"] == 0
    assert {v["line"] for v in data["violations"] if v["file"] == SERVICE} == {335, 371}

    # A new violation fails, and only it is new.
    path.write_text(path.read_text() + "\n\ndef extra():\n"
                    "    from app.modules.orders.models import Order\n    return Order\n")
    code, data = check_json(project, "--baseline", str(baseline))
    assert code == 1
    new = [v for v in data["violations"] if not v["baselined"]]
    assert [(v["file"], v["kind"]) for v in new] == [(SERVICE, "lazy")]
    assert new[0]["used_in"] == [{"symbol": "extra", "lines": [new[0]["line"] + 1],
                                  "labels": []}]


def test_fixed_violations_are_stale_and_fail_with_strict(project):
    run("baseline", str(project), "--config", str(RULES))
    baseline = project / "archguard-baseline.json"
    admin = project / "app/modules/tenancy/routes/api/admin_platform_users.py"
    lines = admin.read_text().splitlines(keepends=True)
    assert "stats_service" in lines[17]
    lines[17] = "stats_service = None\n"
    admin.write_text("".join(lines))
    code, data = check_json(project, "--baseline", str(baseline))
    assert code == 0
    assert [e["file"] for e in data["stale"]] == [
        "app/modules/tenancy/routes/api/admin_platform_users.py"]
    strict, _ = check_json(project, "--baseline", str(baseline), "--strict")
    assert strict == 1


def test_a_broken_baseline_file_is_a_clear_error(project, tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    result = run("check", str(project), "--config", str(RULES), "--baseline", str(bad))
    assert result.returncode == 2
    assert f"{bad}:1:2: baseline is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_baseline_file_reads_back_its_entries_in_order(tmp_path):
    entries = [{"fingerprint": "b", "contract": "c", "names": ["X"], "function": None},
               {"fingerprint": "a", "contract": "c", "names": [], "function": "f"}]
    path = tmp_path / "baseline.json"
    path.write_text(baseline_text(entries))
    assert read_baseline(path) == entries
    assert path.read_text().startswith('{\n  "archguard_baseline": 1,\n  "violations": [\n')
    assert path.read_text().endswith("\n  ]\n}\n")


@pytest.mark.parametrize(("text", "message"), [
    ('{"archguard_baseline": 2, "violations": []}', "not an archguard baseline"),
    ('[]', "not an archguard baseline"),
    ('{"archguard_baseline": 1, "violations": [{"file": "x.py"}]}', "with a fingerprint"),
])
def test_a_file_that_is_not_a_baseline_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "baseline.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_baseline(path)
