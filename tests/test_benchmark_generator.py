"""benchmarks/generate.py writes a platform that imports cleanly, whose planted violations are
exactly what archguard and lint-imports report, byte for byte the same for a seed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "benchmarks" / "generate.py"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
EDGE = re.compile(r"-\s+(\S+)\s+->\s+(\S+)\s+\(([^)]*)\)")
TINY = ["--files", "60", "--modules", "6", "--violations", "6", "--seed", "7"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "1000", "NO_COLOR": "1"}


def generate(out_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), str(out_dir), *args],
                          capture_output=True, text=True, timeout=120, env=ENV)


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    """A 60-file platform with 6 planted violations; the tools run on it without caches."""
    root = tmp_path_factory.mktemp("platform")
    result = generate(root, *TINY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "60 files" in result.stdout
    return root, json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def test_tree_has_the_requested_shape_and_the_manifest_points_at_the_planted_lines(tiny):
    root, manifest = tiny
    assert len(list(root.rglob("*.py"))) == 60 == manifest["counts"]["files"]
    modules = sorted(p.name for p in (root / "app" / "modules").iterdir() if p.is_dir())
    assert len(modules) == 6
    for name in modules:
        assert (root / "app" / "modules" / name / "definition.py").is_file()
        assert "ModuleDefinition(" in (root / "app/modules" / name / "definition.py").read_text()
    for name in ("archguard.yaml", ".importlinter", "tach.toml"):
        assert (root / name).is_file()
    violations = manifest["violations"]
    assert len(violations) == 6
    assert {v["kind"] for v in violations} == {"module", "lazy", "string"}
    categories = {name: info["category"] for name, info in manifest["modules"].items()}
    for v in violations:
        assert (categories[v["source_module"]], categories[v["target_module"]]) == (
            "core", "optional")
        line = (root / v["file"]).read_text().splitlines()[v["line"] - 1]
        if v["kind"] == "string":
            assert line.strip().endswith(f'relationship("{v["name"]}")')
        else:
            assert line.strip() == f"from {v['imported']} import {v['name']}"
            assert line.startswith("    ") == (v["kind"] == "lazy")


def test_tree_imports_and_every_file_runs(tiny):
    root, manifest = tiny
    script = ("import sys, app.main; "
              "print(sum(1 for m in sys.modules if m == 'app' or m.startswith('app.')))")
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                            text=True, timeout=60, env=ENV)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == manifest["counts"]["files"]
    assert not list(root.rglob("__pycache__"))


def test_archguard_reports_exactly_the_planted_violations(tiny):
    root, manifest = tiny
    result = subprocess.run(
        [sys.executable, "-m", "archguard", "check", str(root), "--format", "json",
         "--no-cache"], capture_output=True, text=True, timeout=120, env=ENV)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    reported = {(v["file"], v["line"], v["kind"]) for v in report["violations"]}
    planted = {(v["file"], v["line"], v["kind"]) for v in manifest["violations"]}
    assert reported == planted


def test_lint_imports_breaks_its_contract_at_the_planted_imports(tiny):
    root, manifest = tiny
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                            text=True, timeout=120, env=ENV)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    reported = {(importer, imported, int(line))
                for importer, imported, lines in EDGE.findall(result.stdout)
                for line in re.findall(r"l\.(\d+)", lines)}
    planted = {(v["importer"], v["imported"], v["line"]) for v in manifest["violations"]
               if v["kind"] in ("module", "lazy")}
    assert reported == planted


def test_same_seed_gives_the_same_tree(tmp_path, tiny):
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    for out_dir, seed in ((first, "7"), (second, "7"), (other, "8")):
        result = generate(out_dir, *TINY[:-1], seed)
        assert result.returncode == 0, result.stderr
    assert tree_hash(first) == tree_hash(second) == tree_hash(tiny[0])
    assert tree_hash(other) != tree_hash(first)


def test_refuses_a_non_empty_out_dir_unless_forced(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = generate(out_dir, *TINY)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.txt"]

    forced = generate(out_dir, *TINY, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out_dir / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert len(list(out_dir.rglob("*.py"))) == 60

    smaller = generate(out_dir, "--files", "50", "--force")
    assert smaller.returncode == 0, smaller.stderr
    assert len(list(out_dir.rglob("*.py"))) == 50
