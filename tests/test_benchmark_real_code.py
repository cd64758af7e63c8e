"""benchmarks/real_code.py measures the tools in five states on a package and writes its own
section of the results file: checked on a 60-file generated tree, where the violations each
tool should report are known, with archguard and lint-imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.platform

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "real_code.py"
STATES = ("cold", "unchanged", "one file touched", "one file edited", "configuration edited")
TINY = ["--packages", "generated", "--generated-files", "60", "--tools",
        "archguard,lint-imports"]
OTHER_SECTION = ("<!-- run.py: begin, written by benchmarks/run.py -->\n# Generated trees\n"
                 "<!-- run.py: end -->\n\n## Written by hand\n\nkept as it is\n")


def run_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *TINY, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def table(markdown: str, first_column: str) -> list[dict[str, str]]:
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith(f"| {first_column} |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip("|").split("|")),
                             strict=True)))
    return rows


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    tmp_path = tmp_path_factory.mktemp("real")
    out, workdir = tmp_path / "RESULTS.md", tmp_path / "work"
    out.write_text(OTHER_SECTION, encoding="utf-8")
    result = run_script(tmp_path, "--runs", "1", "--settle", "0", "--out", str(out),
                        "--workdir", str(workdir), "--keep")
    return result, out, workdir / "generated"


def test_each_state_has_a_time_and_the_counts_the_tree_was_planted_with(written):
    result, out, tree = written
    assert result.returncode == 0, result.stderr
    markdown = out.read_text(encoding="utf-8")
    manifest = json.loads((tree / "manifest.json").read_text(encoding="utf-8"))
    planted = manifest["violations"]
    imports = [v for v in planted if v["kind"] in ("module", "lazy")]
    assert planted and imports
    (package,) = table(markdown, "package | version")
    assert package["Python files"] == "60"
    assert package["archguard found"].startswith(
        f"{len(planted)} in {len({v['file'] for v in planted})} files")
    assert package["lint-imports found"] == (
        f"{len(imports)} in {len({v['importer'] for v in imports})} files")
    rows = table(markdown, "package | state")
    assert [row["state"] for row in rows] == list(STATES)
    for row in rows:
        assert float(row["archguard s"]) > 0 and float(row["lint-imports s"]) > 0
        assert float(row["archguard / lint-imports"]) > 0
        assert row["found (archguard / lint-imports)"] == f"{len(planted)} / {len(imports)}"
    assert "found another count" not in markdown


def test_the_section_is_its_own_and_a_second_run_replaces_it(written, tmp_path):
    result, out, _ = written
    assert result.returncode == 0, result.stderr
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith(OTHER_SECTION)
    assert markdown.count("<!-- real_code.py: begin") == 1
    assert markdown.rstrip().endswith("<!-- real_code.py: end -->")
    again = tmp_path / "RESULTS.md"
    again.write_text(markdown.replace("# Real code", "# Stale real code"), encoding="utf-8")
    rerun = run_script(tmp_path, "--runs", "1", "--settle", "0", "--out", str(again))
    assert rerun.returncode == 0, rerun.stderr
    replaced = again.read_text(encoding="utf-8")
    assert replaced.startswith(OTHER_SECTION)
    assert "Stale real code" not in replaced
    assert replaced.count("<!-- real_code.py: begin") == 1


def test_the_copy_is_left_as_it_was_generated(written):
    result, _, tree = written
    assert result.returncode == 0, result.stderr
    for name in ("archguard.yaml", ".importlinter", "tach.toml"):
        text = (tree / name).read_text(encoding="utf-8")
        assert "(edited)" not in text and "# edited" not in text
    assert not any("_benchmark_edit" in path.read_text(encoding="utf-8")
                   for path in (tree / "app").rglob("*.py"))


def test_a_dry_run_prints_the_section_and_writes_nothing(tmp_path):
    out = tmp_path / "RESULTS.md"
    result = run_script(tmp_path, "--dry-run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "| package | state |" in result.stdout
    assert "Runs: 1 of each tool in each state" in result.stdout
    assert not out.exists()
