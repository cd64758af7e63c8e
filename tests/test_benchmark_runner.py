"""benchmarks/run.py measures archguard and lint-imports side by side on generated platforms:
a row per platform and state with times and memory for each tool, violation counts that match
what was planted, the changed file put back as it was, a missing tool shown as such."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.platform

REPO = Path(__file__).resolve().parent.parent
RUNNER = REPO / "benchmarks" / "run.py"
GENERATOR = REPO / "benchmarks" / "generate.py"
STATES = ("cold", "warm, unchanged", "warm, 1 file changed")
TOOLS = ("archguard", "lint-imports")
CACHES = (".archguard_cache", ".import_linter_cache", ".tach")


def run_runner(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def main_table(markdown: str) -> list[dict[str, str]]:
    """The rows of the results table, as {column: cell}."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("| files | planted (imports) | state |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def tree_digest(root: Path) -> str:
    """Every file of a platform except the tools' caches, by path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if relative.parts[0] in CACHES:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    tmp_path = tmp_path_factory.mktemp("bench")
    workdir, out = tmp_path / "work", tmp_path / "RESULTS.md"
    result = run_runner(tmp_path, "--sizes", "60", "--violations", "0,6", "--runs", "1",
                        "--tools", ",".join(TOOLS), "--workdir", str(workdir), "--keep",
                        "--out", str(out))
    return result, workdir, out


def test_runner_writes_a_row_with_numbers_for_each_size_violations_and_state(tiny_run):
    result, _, out = tiny_run
    assert result.returncode == 0, result.stderr
    markdown = out.read_text(encoding="utf-8")
    assert "| files | planted (imports) | state |" in result.stdout
    assert "--sizes 60 --violations 0,6 --runs 1" in markdown
    for fact in ("Machine:", "cores", "Python 3.", "archguard 0.", "import-linter",
                 "Date:", "Runs: 1"):
        assert fact in markdown
    rows = main_table(markdown)
    keys = [(row["files"], row["planted (imports)"].split()[0], row["state"]) for row in rows]
    assert keys == [("60", planted, state) for planted in ("0", "6") for state in STATES]
    for row in rows:
        for tool in TOOLS:
            assert float(row[f"{tool} s"]) > 0
            assert float(row[f"{tool} MB"]) > 5
        assert float(row["archguard / lint-imports"]) > 0


def test_violation_counts_match_the_manifest(tiny_run):
    result, workdir, out = tiny_run
    assert result.returncode == 0, result.stderr
    rows = main_table(out.read_text(encoding="utf-8"))
    for violations in (0, 6):
        manifest = json.loads((workdir / f"files-60-violations-{violations}" / "manifest.json")
                              .read_text(encoding="utf-8"))
        kinds = [v["kind"] for v in manifest["violations"]]
        assert len(kinds) == violations
        imports = sum(1 for kind in kinds if kind in ("module", "lazy"))
        strings = sum(1 for kind in kinds if kind == "string")
        assert imports + strings == violations
        mine = [row for row in rows if row["planted (imports)"] == f"{violations} ({imports})"]
        assert len(mine) == len(STATES)
        for row in mine:
            assert row["found (archguard / lint-imports)"] == f"{violations} / {imports}"
    assert "disagreed with the manifest" not in out.read_text(encoding="utf-8")


def test_the_changed_file_is_restored(tiny_run, tmp_path):
    result, workdir, out = tiny_run
    assert result.returncode == 0, result.stderr
    markdown = out.read_text(encoding="utf-8")
    for violations in (0, 6):
        tree = workdir / f"files-60-violations-{violations}"
        row = next(line for line in markdown.splitlines()
                   if line.startswith(f"| 60 | {violations} |") and "`app/" in line)
        changed = tree / row.split("`")[1]
        assert changed.is_file()
        assert "_benchmark_touch" not in changed.read_text(encoding="utf-8")
        assert changed.stat().st_mtime_ns <= (tree / "manifest.json").stat().st_mtime_ns
        assert (tree / ".archguard_cache").is_dir() and (tree / ".import_linter_cache").is_dir()
        fresh = tmp_path / f"fresh-{violations}"
        generated = subprocess.run(
            [sys.executable, str(GENERATOR), str(fresh), "--files", "60", "--violations",
             str(violations), "--seed", "0"], capture_output=True, text=True, timeout=60)
        assert generated.returncode == 0, generated.stderr
        assert tree_digest(tree) == tree_digest(fresh)


def test_a_missing_tool_is_reported_as_not_installed(tmp_path):
    out = tmp_path / "RESULTS.md"
    result = run_runner(tmp_path, "--sizes", "60", "--violations", "0", "--runs", "1",
                        "--tools", "archguard,tach", "--tach", str(tmp_path / "no-tach"),
                        "--out", str(out), "--workdir", str(tmp_path / "work"),
                        "--settle", "0")
    assert result.returncode == 0, result.stderr
    rows = main_table(out.read_text(encoding="utf-8"))
    assert [row["state"] for row in rows] == list(STATES)
    for row in rows:
        assert float(row["archguard s"]) > 0
        assert row["tach s"] == row["tach MB"] == "not installed"
        assert row["found (archguard / tach)"] == "0 / –"
    assert "tach: not installed" in out.read_text(encoding="utf-8")
    assert not list((tmp_path / "work").iterdir())
